import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../src/demo/seed.ts';
import { axeViolations, type DemoSite, startDemoSite } from '../helpers/browser.ts';
import { chromiumPath } from '../helpers/environment.ts';
import { totpCode } from '../helpers/two-factor.ts';

describe.skipIf(!chromiumPath)('the admin dashboard in Chromium', () => {
  let site: DemoSite;
  let page: Page;

  beforeAll(async () => {
    site = await startDemoSite();
    // A search that finds nothing, so the dashboard lists one.
    expect((await fetch(`${site.base}/search?q=zxqvbnm+flurble`)).status).toBe(200);
    const context = await site.browser.newContext({ bypassCSP: true });
    page = await context.newPage();
    await page.goto(`${site.base}/login?next=%2Fadmin`);
    await page.getByLabel('Email').fill('admin@demo.scholia.test');
    await page.getByLabel('Password').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    // Admins must set up two-factor sign-in first (the default site setting).
    await page.waitForURL(`${site.base}/account/2fa/setup`);
    await page.getByRole('button', { name: 'Show my setup code' }).click();
    const secret = (await page.locator('code.secret').textContent()) as string;
    await page.getByLabel('Code from the app').fill(totpCode(secret, new Date()));
    await page.getByRole('button', { name: 'Turn on' }).click();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Save your recovery codes');
  });
  afterAll(async () => {
    await site?.close();
  });

  it('has no accessibility violations, light or dark, with every table of figures open', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      for (const range of ['', '?range=7', '?range=90']) {
        await page.goto(`${site.base}/admin${range}`);
        await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Admin dashboard');
        for (const summary of await page.locator('details.chart-data > summary').all()) await summary.click();
        const violations = await axeViolations(page);
        expect(violations, `${colorScheme} /admin${range}: ${JSON.stringify(violations, null, 1)}`).toEqual([]);
      }
    }
    await expect(page.getByRole('img', { name: 'Questions asked and answered per day' }).count()).resolves.toBe(1);
    await expect(page.getByRole('rowheader', { name: 'zxqvbnm flurble' }).count()).resolves.toBe(1);
  });

  it('fits a phone’s width without scrolling sideways', async () => {
    await page.setViewportSize({ width: 360, height: 800 });
    await page.goto(`${site.base}/admin`);
    const { scrollWidth, width } = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      width: document.documentElement.clientWidth,
    }));
    expect(scrollWidth).toBeLessThanOrEqual(width);
  });
});
