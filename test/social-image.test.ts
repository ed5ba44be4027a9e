import { XMLValidator } from 'fast-xml-parser';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guideImportKey } from '../src/modules/content/import-guide.ts';
import { guideDb } from '../src/modules/guides/guide.tables.ts';
import { importGuides } from '../src/modules/guides/index.ts';
import { guideCard, questionCard } from '../src/modules/social/social.service.ts';
import { buildSocialCardSvg, layoutTitle, SOCIAL_IMAGE, textWidth } from '../src/modules/social/social-card.ts';
import { buildTestApp, type TestApp, testConfig } from './helpers/app.ts';
import { engines } from './helpers/databases.ts';
import { makeQuestion } from './helpers/factories.ts';
import { Client } from './helpers/http.ts';

const SITE = testConfig.siteUrl;
const ANSWER_CANARY = 'Members alone read this line, marked sci-canary-answer-7q2.';
const QUICK_CANARY = 'The free quick answer, marked sci-canary-quick-5w1.';
const GUIDE_CANARY = 'Members alone read this section, marked sci-canary-guide-4x8.';
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const TITLE = 'Why did the Berlin Wall fall in 1989 & not <earlier>?';

const meta = (html: string, attr: 'name' | 'property', key: string) =>
  new RegExp(`<meta ${attr}="${key.replace(/[.:]/g, '\\$&')}" content="([^"]*)"`).exec(html)?.[1];
const htmlText = (s: string | undefined) =>
  s
    ?.replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"');

describe('the social card as SVG', () => {
  it('sets a long title smaller, on more lines, each within the card', () => {
    const short = layoutTitle('What is a prime number?');
    const long = layoutTitle(`${'Why does the recursive function get slower and slower as the input grows '.repeat(2)}?`);
    expect(short.lines).toHaveLength(1);
    expect(long.size).toBeLessThan(short.size);
    expect(long.lines.length).toBeGreaterThan(2);
    for (const l of [...short.lines, ...long.lines]) expect(textWidth(l) * long.size).toBeLessThanOrEqual(SOCIAL_IMAGE.width);
  });

  it('cuts a title too long for the card with an ellipsis, and breaks a word wider than a line', () => {
    const cut = layoutTitle('word '.repeat(200));
    expect(cut.lines.at(-1)).toMatch(/…$/);
    const broken = layoutTitle(`Is ${'x'.repeat(120)} a word?`);
    expect(broken.lines.length).toBeGreaterThan(2);
    expect(broken.lines.join('')).toContain('x'.repeat(20));
  });

  it('escapes the title and subject and drops characters XML forbids', () => {
    const svg = buildSocialCardSvg({
      kind: 'question',
      siteName: 'Scholia',
      subject: 'Arts & <Crafts>',
      title: 'Tom & "Jerry" <b>\u0007\u001b</b>',
    });
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svg).toContain('Tom &#38; &#34;Jerry&#34; &#60;b&#62;&#60;/b&#62;');
    expect(svg).toContain('Arts &#38; &#60;Crafts&#62; question');
    expect(svg).not.toContain('<b>');
  });
});

describe.each(engines)('social images on %s', (engine) => {
  let t: TestApp;
  let client: Client;
  let questionId = 0;
  let questionPath = '';
  let hiddenId = 0;

  beforeAll(async () => {
    t = await buildTestApp(engine);
    client = new Client(t.app);
    const db = t.database.db;
    questionId = await makeQuestion(db, {
      subject: 'History',
      title: TITLE,
      quickAnswer: QUICK_CANARY,
      answer: `The Wall fell because of many pressures.\n\n${'The long explanation continues here. '.repeat(40)}\n\n${ANSWER_CANARY}`,
    });
    const row = await db.selectFrom('questions').select('slug').where('id', '=', questionId).executeTakeFirstOrThrow();
    questionPath = `/q/${questionId}/${row.slug}`;
    hiddenId = await makeQuestion(db, { subject: 'History', title: 'What did this hidden question ask about walls?' });
    await db.updateTable('questions').set({ status: 'hidden' }).where('id', '=', hiddenId).execute();
    const guide = (title: string) => ({
      subject: 'Literature',
      title,
      overview: `The overview of ${title} is free to read.`,
      sections: [
        { title: 'Summary', body: `The summary of ${title} is free.`, membersOnly: false },
        {
          title: 'Themes',
          body: `An opening before the rest.\n\n${'Filler text for the section. '.repeat(40)}\n\n${GUIDE_CANARY}`,
          membersOnly: true,
        },
      ],
      importKey: guideImportKey({ subject: 'Literature', title }),
    });
    await importGuides(db, [guide('The Lighthouse Keeper'), guide('A Draft Guide')]);
    await guideDb(db).updateTable('guides').set({ status: 'draft' }).where('slug', '=', 'a-draft-guide').execute();
  });
  afterAll(async () => {
    await t.close();
  });

  it('serves a 1200×630 PNG for a question, cacheable for a day under a strong ETag', async () => {
    const res = await client.get(`/q/${questionId}/social.png`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('image/png');
    expect(res.headers['cache-control']).toBe('public, max-age=86400');
    expect(res.headers.etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    const png = res.rawPayload;
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    const info = await sharp(png).metadata();
    expect([info.format, info.width, info.height]).toEqual(['png', 1200, 630]);
  });

  it('answers 304 with no body to a client holding the current card', async () => {
    const first = await client.get(`/q/${questionId}/social.png`);
    const again = await t.app.inject({
      method: 'GET',
      url: `/q/${questionId}/social.png`,
      headers: { 'if-none-match': first.headers.etag as string },
    });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    expect(again.headers.etag).toBe(first.headers.etag);
    const stale = await t.app.inject({ method: 'GET', url: `/q/${questionId}/social.png`, headers: { 'if-none-match': '"an-old-card"' } });
    expect(stale.statusCode).toBe(200);
  });

  it('draws a new card, under a new ETag, when the title changes', async () => {
    const before = (await client.get(`/q/${questionId}/social.png`)).headers.etag;
    await t.database.db
      .updateTable('questions')
      .set({ title: `${TITLE} (edited)` })
      .where('id', '=', questionId)
      .execute();
    try {
      const after = await client.get(`/q/${questionId}/social.png`);
      expect(after.statusCode).toBe(200);
      expect(after.headers.etag).not.toBe(before);
    } finally {
      await t.database.db.updateTable('questions').set({ title: TITLE }).where('id', '=', questionId).execute();
    }
  });

  it('serves a card for a published guide, and none for a draft, a hidden question or an unknown one', async () => {
    const guide = await client.get('/guides/the-lighthouse-keeper/social.png');
    expect(guide.statusCode).toBe(200);
    const info = await sharp(guide.rawPayload).metadata();
    expect([info.width, info.height]).toEqual([1200, 630]);
    for (const url of [
      '/guides/a-draft-guide/social.png',
      '/guides/no-such-guide/social.png',
      `/q/${hiddenId}/social.png`,
      '/q/999999/social.png',
    ]) {
      expect((await client.get(url)).statusCode, url).toBe(404);
    }
  });

  it('puts only the title and subject on a card: no answer, quick answer, overview or members-only text', async () => {
    const db = t.database.db;
    const q = await questionCard(db, 'Scholia', questionId);
    expect(q).toEqual({ kind: 'question', siteName: 'Scholia', subject: 'History', title: TITLE });
    const svg = buildSocialCardSvg(q as NonNullable<typeof q>);
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svg).toContain('History question');
    expect(svg).toContain('Berlin Wall');
    expect(svg).not.toMatch(/sci-canary|many pressures|long explanation/);
    const g = await guideCard(db, 'Scholia', 'the-lighthouse-keeper');
    const guideSvg = buildSocialCardSvg(g as NonNullable<typeof g>);
    expect(guideSvg).toContain('The Lighthouse Keeper');
    expect(guideSvg).toContain('Literature study guide');
    expect(guideSvg).not.toMatch(/sci-canary|overview of|summary of|Filler text/);
  });

  it('names the card in og:image and twitter:image, with its size and alt text, on question and guide pages', async () => {
    const pages = [
      { url: questionPath, image: `${SITE}/q/${questionId}/social.png`, alt: `${TITLE}: a History question answered on Scholia` },
      {
        url: '/guides/the-lighthouse-keeper',
        image: `${SITE}/guides/the-lighthouse-keeper/social.png`,
        alt: 'The Lighthouse Keeper: a Literature study guide on Scholia',
      },
      {
        url: '/guides/the-lighthouse-keeper/themes',
        image: `${SITE}/guides/the-lighthouse-keeper/social.png`,
        alt: 'The Lighthouse Keeper: a Literature study guide on Scholia',
      },
    ];
    for (const p of pages) {
      const res = await client.get(p.url);
      expect(res.statusCode, p.url).toBe(200);
      const html = res.body;
      expect(meta(html, 'property', 'og:image'), p.url).toBe(p.image);
      expect(htmlText(meta(html, 'property', 'og:image:alt'))).toBe(p.alt);
      expect(meta(html, 'property', 'og:image:width')).toBe('1200');
      expect(meta(html, 'property', 'og:image:height')).toBe('630');
      expect(meta(html, 'property', 'og:image:type')).toBe('image/png');
      expect(meta(html, 'name', 'twitter:card')).toBe('summary_large_image');
      expect(meta(html, 'name', 'twitter:image')).toBe(p.image);
      expect(htmlText(meta(html, 'name', 'twitter:image:alt'))).toBe(p.alt);
      // The image the tags name is there to fetch.
      expect((await client.get(new URL(p.image).pathname)).statusCode).toBe(200);
    }
  });

  it('keeps the small card on pages without a picture of their own', async () => {
    const html = (await client.get('/subjects')).body;
    expect(meta(html, 'property', 'og:image')).toBeUndefined();
    expect(meta(html, 'name', 'twitter:card')).toBe('summary');
  });
});
