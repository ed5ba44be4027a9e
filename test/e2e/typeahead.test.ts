import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, type DemoSite, startDemoSite } from '../helpers/browser.ts';
import { chromiumPath } from '../helpers/environment.ts';

// Suggestions while typing (public/search.js) in a real browser, over the demo content.

describe.skipIf(!chromiumPath)('suggestions while typing in Chromium', () => {
  let base: string;
  let browser: Browser;

  let site: DemoSite | undefined;

  beforeAll(async () => {
    site = await startDemoSite();
    ({ base, browser } = site);
  });
  afterAll(async () => {
    await site?.close();
  });

  const box = (page: Page) => page.getByRole('combobox', { name: 'Search questions and study guides' });
  const list = (page: Page) => page.getByRole('listbox', { name: 'Suggestions' });

  /** Types as a person does, a key at a time, and waits for the list. */
  async function typeAndWait(page: Page, text: string) {
    await box(page).click();
    await box(page).pressSequentially(text, { delay: 40 });
    await list(page).waitFor({ state: 'visible' });
    return list(page).getByRole('option');
  }

  it('suggests under the header box; the arrows choose, Enter lands on the question (content security policy on)', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    // A script or request the content security policy blocked would show here.
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}/subjects`);
    const input = box(page);
    const options = await typeAndWait(page, 'photosyn');
    await expect(input.getAttribute('aria-expanded')).resolves.toBe('true');
    const labels = await options.allTextContents();
    expect(labels[0]).toBe('PhotosynthesisStudy guide · Science');
    const hrefs = await options.evaluateAll((els) => els.map((e) => e.getAttribute('href') as string));
    const first = hrefs.findIndex((h) => h.startsWith('/q/'));
    expect(first).toBeGreaterThan(0);
    expect(await input.getAttribute('aria-activedescendant')).toBeNull();

    for (let i = 0; i <= first; i++) await page.keyboard.press('ArrowDown');
    const chosen = options.nth(first);
    await expect(input.getAttribute('aria-activedescendant')).resolves.toBe(await chosen.getAttribute('id'));
    await expect(chosen.getAttribute('aria-selected')).resolves.toBe('true');
    await page.keyboard.press('ArrowUp');
    await expect(options.nth(first - 1).getAttribute('aria-selected')).resolves.toBe('true');
    await expect(chosen.getAttribute('aria-selected')).resolves.toBe('false');
    await page.keyboard.press('ArrowDown');
    // Focus never left the box: typing goes on while choosing.
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('header-search');

    const title = await chosen.locator('span').first().textContent();
    await page.keyboard.press('Enter');
    await page.waitForURL(`${base}${hrefs[first]}`);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(title);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('Escape closes the list and keeps the text, Tab leaves, and Enter with nothing chosen searches', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${base}/`);
    const input = box(page);
    await typeAndWait(page, 'photosyn');
    await page.keyboard.press('Escape');
    await list(page).waitFor({ state: 'hidden' });
    await expect(input.inputValue()).resolves.toBe('photosyn');
    await expect(input.getAttribute('aria-expanded')).resolves.toBe('false');

    // The arrow opens it again; Tab closes it and moves on to the button.
    await page.keyboard.press('ArrowDown');
    await list(page).waitFor({ state: 'visible' });
    await page.keyboard.press('Tab');
    await list(page).waitFor({ state: 'hidden' });
    await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toBe('Search');

    await input.click();
    await input.pressSequentially('thesis', { delay: 40 });
    await list(page).waitFor({ state: 'visible' });
    await page.keyboard.press('Enter');
    await page.waitForURL(`${base}/search?q=photosynthesis`);
    await expect(page.locator('.question-list a.title').first().textContent()).resolves.toMatch(/photosynthesis/i);
    await context.close();
  });

  it('passes axe-core with the list open on the header, home and search page boxes, in light and dark mode', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      // axe is injected as an inline script, which the page's content security policy would refuse.
      const context = await browser.newContext({ bypassCSP: true, colorScheme });
      const page = await context.newPage();
      for (const path of ['/subjects', '/', '/search?q=energy']) {
        await page.goto(`${base}${path}`);
        await box(page).fill('');
        const options = await typeAndWait(page, 'photosyn');
        await page.keyboard.press('ArrowDown');
        await expect(options.first().getAttribute('aria-selected')).resolves.toBe('true');
        const violations = await axeViolations(page);
        expect(violations, `${colorScheme} ${path}: ${JSON.stringify(violations, null, 1)}`).toEqual([]);
        await expect(list(page).isVisible(), `${colorScheme} ${path}: the list stayed open for axe`).resolves.toBe(true);
      }
      await context.close();
    }
  });
});
