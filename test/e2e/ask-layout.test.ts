import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoSite, signInDemo, startDemoSite } from '../helpers/browser.ts';
import { chromiumPath } from '../helpers/environment.ts';

/** Whether a click at the middle of the control would reach it (nothing laid over it). */
async function reachable(page: Page, control: Locator): Promise<boolean> {
  await control.scrollIntoViewIfNeeded();
  const box = await control.boundingBox();
  if (!box) return false;
  const handle = await control.elementHandle();
  return page.evaluate(
    ([el, x, y]) => {
      const hit = document.elementFromPoint(x as number, y as number);
      return hit !== null && (hit === el || (el as Element).contains(hit));
    },
    [handle, box.x + box.width / 2, box.y + box.height / 2] as const,
  );
}

describe.skipIf(!chromiumPath)('/ask with similar questions shown, in Chromium', () => {
  let site: DemoSite;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    site = await startDemoSite();
    ({ base, browser } = site);
  });
  afterAll(async () => {
    await site?.close();
  });

  for (const width of [1280, 390]) {
    it(`keeps every field and Continue clickable at ${width} px while "Already answered?" shows`, async () => {
      const page = await signInDemo(browser, base, 'jordan.lee@demo.scholia.test');
      await page.setViewportSize({ width, height: 800 });
      await page.goto(`${base}/ask`);
      await page.getByLabel('Your question').fill('Why did the Berlin Wall fall so suddenly?');
      await page.getByRole('heading', { name: 'Already answered?' }).waitFor();
      for (const control of [
        page.getByLabel('Details (optional)'),
        page.getByLabel('Subject'),
        page.getByRole('button', { name: 'Continue' }),
      ])
        expect(await reachable(page, control)).toBe(true);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
      await page.getByLabel('Subject').selectOption('history');
      // With the mouse, not Enter.
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByRole('heading', { name: 'Is it already answered?' }).waitFor();
      await page.context().close();
    });
  }
});
