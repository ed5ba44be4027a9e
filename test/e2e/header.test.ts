import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoSite, signInDemo, startDemoSite } from '../helpers/browser.ts';
import { chromiumPath } from '../helpers/environment.ts';

/** Whether the page scrolls sideways, and the header links that do not sit wholly inside the viewport. */
async function overflow(page: Page): Promise<{ scrollWidth: number; outside: string[] }> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const outside = [...document.querySelectorAll('.site-header a, .site-header button, .site-header input')]
      .filter((el) => {
        const r = el.getBoundingClientRect();
        return r.left < 0 || r.right > width + 0.5;
      })
      .map((el) => (el.textContent || el.getAttribute('aria-label') || el.tagName).trim());
    return { scrollWidth: document.documentElement.scrollWidth, outside };
  });
}

describe.skipIf(!chromiumPath)('the header on phones and desktops, in Chromium', () => {
  let site: DemoSite;
  let base: string;
  let browser: Browser;
  let questionPath: string;

  beforeAll(async () => {
    site = await startDemoSite();
    ({ base, browser } = site);
    const home = await (await fetch(`${base}/`)).text();
    questionPath = /href="(\/q\/\d+\/[^"]+)"/.exec(home)?.[1] as string;
  });
  afterAll(async () => {
    await site?.close();
  });

  const visitor = async () => (await browser.newContext({ bypassCSP: true })).newPage();
  const roles: Array<[string, () => Promise<Page>]> = [
    ['visitor', visitor],
    ['student', () => signInDemo(browser, base, 'jordan.lee@demo.scholia.test')],
    ['educator', () => signInDemo(browser, base, 'priya.natarajan@demo.scholia.test')],
  ];

  for (const [role, open] of roles) {
    it(`keeps every header control on screen for a ${role} at 320, 390 and 1280 px`, async () => {
      const page = await open();
      for (const width of [320, 390, 1280]) {
        await page.setViewportSize({ width, height: 800 });
        for (const path of ['/', questionPath]) {
          await page.goto(base + path);
          const { scrollWidth, outside } = await overflow(page);
          expect(outside, `${role} ${width} ${path}`).toEqual([]);
          expect(scrollWidth, `${role} ${width} ${path}`).toBeLessThanOrEqual(width);
        }
      }
      if (role === 'visitor') {
        // The free trial is offered from every page's header; it leads to making an account, then the trial.
        await page.getByRole('link', { name: 'Start free trial' }).click();
        await page.waitForURL(/\/signup\?next=%2Fmembership$/);
      }
      await page.context().close();
    });
  }
});
