import type { AddressInfo } from 'node:net';
import axe from 'axe-core';
import { type Browser, chromium, type Page } from 'playwright-core';
import { DEMO_PASSWORD, seedDemo } from '../../src/demo/seed.ts';
import { systemClock } from '../../src/lib/time.ts';
import { imageDeps } from '../../src/modules/images/index.ts';
import { buildTestApp, type TestApp } from './app.ts';
import { chromiumPath } from './environment.ts';

/** Debian's Chromium, with the flags this sandboxed, offline machine needs. */
export function launchChromium(): Promise<Browser> {
  if (!chromiumPath) throw new Error('no Chromium');
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/** Runs axe-core (all rules of WCAG 2.x A/AA and best practices) on the page; returns the violations. */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  // The page's CSP forbids inline scripts; the test context is opened with bypassCSP to inject axe.
  await page.addScriptTag({ content: axe.source });
  const result = await page.evaluate(async () => {
    // Colours fade over a fraction of a second (buttons, fields); after a colour-scheme switch axe would otherwise
    // measure the contrast of a colour halfway between the two schemes. Wait until every transition has ended.
    await Promise.all(document.getAnimations().map((a) => a.finished.catch(() => undefined)));
    const r = await (window as unknown as { axe: typeof axe }).axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
    });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact ?? null, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) }));
  });
  return result;
}

export interface DemoSite {
  t: TestApp;
  /** http://127.0.0.1:<port> */
  base: string;
  browser: Browser;
  close(): Promise<void>;
}

/** The demo site (SQLite) listening on a free port, and Chromium to browse it. */
export async function startDemoSite(): Promise<DemoSite> {
  const t = await buildTestApp('sqlite');
  // With the demo's diagrams, stored where this site keeps its images.
  const images = imageDeps({ ...t.app.context, clock: systemClock, images: { blobs: t.app.context.images.blobs } });
  await seedDemo(t.database.db, systemClock, images);
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  const browser = await launchChromium();
  return {
    t,
    base,
    browser,
    async close() {
      await browser.close();
      await t.close();
    },
  };
}

/**
 * A new browser context signed in as a demo account through the login form (bypassCSP lets axe's script in; the
 * site's own scripts need nothing the policy forbids). Ends on the home page.
 */
export async function signInDemo(browser: Browser, base: string, email: string, javaScriptEnabled = true): Promise<Page> {
  const context = await browser.newContext({ bypassCSP: true, javaScriptEnabled });
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL(`${base}/`);
  return page;
}
