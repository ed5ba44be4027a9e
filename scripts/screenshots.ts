/**
 * `npm run screenshots [-- --out DIR]`
 *
 * Starts the demo site in this process (SQLite, the demo content with its diagrams) and photographs its main pages in
 * Chromium at 1280×900 and 390×844, as a visitor, a member, an educator and an editor, into docs/screenshots/ (or
 * --out) as <role>-<page>-<width>.png. The educator's step claims a queued question, writes an answer and sends it
 * for review, so the editor has one to review; all of that happens in a throwaway database.
 * Chromium: CHROMIUM_PATH, default /usr/bin/chromium (apt install chromium).
 *
 * Most pictures are of the viewport; the visitor's question page and the answer editors are whole pages, as they
 * read better whole. All are reduced to a 256-colour palette (sharp), which keeps one at 10-150 KB and the set near
 * 1 MB. A page that scrolls sideways is reported on stderr.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { DEMO_PASSWORD } from '../src/demo/seed.ts';
import { startDemoSite } from '../test/helpers/browser.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const WIDTHS = [
  { width: 1280, height: 900 },
  { width: 390, height: 844 },
] as const;

const ANSWER = `Ice floats because water does something unusual when it freezes: it **expands**, so solid water is less dense than liquid water.

In liquid water the molecules tumble past each other, and hydrogen bonds form and break all the time. That lets the molecules pack fairly closely. When water freezes, every molecule locks into four hydrogen bonds arranged as a tetrahedron, and the result is an open hexagonal lattice with a lot of empty space in it.

- Liquid water at 4 °C: about $1.000\\ \\text{g/cm}^3$
- Ice at 0 °C: about $0.917\\ \\text{g/cm}^3$

Anything less dense than the liquid around it floats, so about 92% of an ice cube sits below the surface ($0.917 / 1.000$) and 8% above it.

Most substances do the opposite: their solids are packed more tightly than their liquids, so the solid sinks. Water is one of the few exceptions, and it matters for life, because lakes freeze from the top down and the ice insulates the water beneath it.`;

interface Shot {
  role: string;
  name: string;
  /** Brings the page to what the picture should show. */
  show: (page: Page, base: string) => Promise<void>;
  fullPage?: boolean;
}

const goto = (url: string) => async (page: Page, base: string) => {
  const response = await page.goto(base + url);
  if (!response?.ok()) throw new Error(`${url} answered ${response?.status()}`);
};

/** Scrolls an element into the middle of the viewport. */
async function showElement(page: Page, selector: string): Promise<void> {
  await page
    .locator(selector)
    .first()
    .evaluate((el) => el.scrollIntoView({ block: 'center' }));
}

/**
 * Waits until the images the picture will hold (those in the viewport, or all of them for a whole page) are loaded
 * and decoded; lazy ones are told to load now, as a whole-page picture does not scroll to them.
 */
async function imagesReady(page: Page, whole: boolean): Promise<void> {
  await page.evaluate(async (all) => {
    const shown = [...document.images].filter((img) => {
      const r = img.getBoundingClientRect();
      return all || (r.bottom > 0 && r.top < window.innerHeight);
    });
    await Promise.all(
      shown.map(async (img) => {
        img.loading = 'eager';
        if (!img.complete)
          await new Promise((done) => {
            img.addEventListener('load', done, { once: true });
            img.addEventListener('error', done, { once: true });
          });
        await img.decode().catch(() => undefined);
      }),
    );
  }, whole);
}

async function openAs(browser: Browser, base: string, viewport: { width: number; height: number }, email?: string): Promise<Page> {
  const context = await browser.newContext({
    viewport,
    deviceScaleFactor: 1,
    isMobile: viewport.width < 600,
    hasTouch: viewport.width < 600,
    colorScheme: 'light',
    reducedMotion: 'reduce',
  });
  const page = await context.newPage();
  if (!email) return page;
  await page.goto(`${base}/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL(`${base}/`);
  return page;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  const outDir = path.resolve(values.out ?? path.join(ROOT, 'docs', 'screenshots'));
  mkdirSync(outDir, { recursive: true });

  const site = await startDemoSite();
  const { base, browser } = site;
  const db = site.t.database.db;
  let written = 0;
  let bytes = 0;
  try {
    const question = await db
      .selectFrom('questions')
      .select(['id', 'slug'])
      .where('title', 'like', 'Why is the Pythagorean theorem true%')
      .executeTakeFirstOrThrow();
    const questionUrl = `/q/${question.id}/${question.slug}`;
    const queued = await db
      .selectFrom('questions')
      .select('id')
      .where('title', '=', 'Why does ice float on water when most solids sink in their liquids?')
      .where('status', '=', 'queued')
      .executeTakeFirstOrThrow();
    const guides = await site.t.app.inject({ method: 'GET', url: '/guides' });
    const guideUrl = /href="(\/guides\/[a-z0-9-]+)"/.exec(guides.body)?.[1];
    const asked = await site.t.app.inject({ method: 'GET', url: questionUrl });
    const educatorUrl = /href="(\/educators\/[^"]+)"/.exec(asked.body)?.[1];
    if (!guideUrl || !educatorUrl) throw new Error('the demo has no study guide or no educator profile to photograph');

    const shoot = async (page: Page, shot: Shot) => {
      const width = page.viewportSize()?.width ?? 0;
      await shot.show(page, base);
      await imagesReady(page, shot.fullPage ?? false);
      // Web fonts and late layout settle before the picture is taken.
      await page.evaluate(() => document.fonts.ready.then(() => undefined));
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      if (overflow > 0) process.stderr.write(`warning: ${shot.role} ${shot.name} at ${width} px scrolls sideways by ${overflow} px\n`);
      const png = await page.screenshot({ fullPage: shot.fullPage ?? false, animations: 'disabled' });
      const small = await sharp(png).png({ palette: true, quality: 90, effort: 8, compressionLevel: 9 }).toBuffer();
      const file = path.join(outDir, `${shot.role}-${shot.name}-${width}.png`);
      writeFileSync(file, small);
      written++;
      bytes += small.length;
      process.stdout.write(`${path.relative(process.cwd(), file)} (${Math.round(small.length / 1024)} KB)\n`);
    };
    /** One page per width, signed in as `email` (a visitor without). */
    const open = (email?: string) => Promise.all(WIDTHS.map((v) => openAs(browser, base, v, email)));
    /** Each shot, in order, at every width. */
    const shootAll = async (pages: Page[], shots: Shot[]) => {
      for (const shot of shots) for (const page of pages) await shoot(page, shot);
    };
    const run = async (email: string | undefined, shots: Shot[]) => {
      const pages = await open(email);
      await shootAll(pages, shots);
      await Promise.all(pages.map((p) => p.context().close()));
    };

    await run(undefined, [
      { role: 'visitor', name: 'home', show: goto('/') },
      { role: 'visitor', name: 'subject', show: goto('/subjects/math') },
      {
        role: 'visitor',
        name: 'question',
        // The whole page: the question, its quick answer, and the expert answer's preview fading into the offer.
        show: goto(questionUrl),
        fullPage: true,
      },
      { role: 'visitor', name: 'membership', show: goto('/membership') },
      { role: 'visitor', name: 'guides', show: goto('/guides') },
      { role: 'visitor', name: 'guide', show: goto(guideUrl) },
      { role: 'visitor', name: 'search', show: goto('/search?q=photosynthesis') },
      { role: 'visitor', name: 'educator-profile', show: goto(educatorUrl) },
    ]);

    await run('jordan.lee@demo.scholia.test', [
      {
        role: 'member',
        name: 'question',
        show: async (page) => {
          await goto(questionUrl)(page, base);
          await showElement(page, '.expert-answer-body .placed-image');
        },
      },
      { role: 'member', name: 'ask', show: goto('/ask') },
    ]);

    // The educator: the queue as found, then a claimed question with an answer written and saved (the editor shows the
    // Markdown beside its preview), then sent for review.
    const editorUrl = `/educator/q/${queued.id}`;
    const educatorPages = await open('priya.natarajan@demo.scholia.test');
    await shootAll(educatorPages, [
      { role: 'educator', name: 'queue', show: goto('/educator') },
      { role: 'educator', name: 'uploads', show: goto('/uploads') },
    ]);
    const writer = educatorPages[0] as Page;
    await goto('/educator')(writer, base);
    await writer.getByRole('button', { name: /^Claim “Why does ice float/ }).click();
    await writer.getByLabel('Expert answer').fill(ANSWER);
    await writer.getByLabel('Sources (optional)').fill('Philip Ball, H2O: A Biography of Water (1999)');
    await writer.getByRole('button', { name: 'Save draft' }).click();
    await writer.getByText('The quick answer was drafted from your answer').waitFor();
    await shootAll(educatorPages, [{ role: 'educator', name: 'editor', show: goto(editorUrl), fullPage: true }]);
    await writer.getByRole('button', { name: 'Submit for review' }).click();
    await writer.getByText('Sent for editorial review').waitFor();
    await Promise.all(educatorPages.map((p) => p.context().close()));

    await run('editor@demo.scholia.test', [
      { role: 'editor', name: 'review-queue', show: goto('/editor') },
      { role: 'editor', name: 'reports', show: goto('/editor/reports') },
      {
        role: 'editor',
        name: 'review',
        show: goto(`/editor/q/${queued.id}`),
        fullPage: true,
      },
    ]);
  } finally {
    await site.close();
  }
  process.stdout.write(
    `${written} screenshots, ${(bytes / 1024 / 1024).toFixed(1)} MB, in ${path.relative(process.cwd(), outDir) || '.'}\n`,
  );
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
