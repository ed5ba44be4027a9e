import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, type DemoSite, startDemoSite } from '../helpers/browser.ts';
import { chromiumPath } from '../helpers/environment.ts';

describe.skipIf(!chromiumPath)('an educator profile in Chromium', () => {
  let site: DemoSite | undefined;
  let questionPath = '';

  beforeAll(async () => {
    site = await startDemoSite();
    const q = await site.t.database.db
      .selectFrom('questions as q')
      .innerJoin('answers as a', 'a.question_id', 'q.id')
      .innerJoin('users as u', 'u.id', 'a.educator_id')
      .select(['q.id', 'q.slug'])
      .where('u.email', '=', 'priya.natarajan@demo.scholia.test')
      .where('q.status', '=', 'published')
      .orderBy('q.id')
      .executeTakeFirstOrThrow();
    questionPath = `/q/${q.id}/${q.slug}`;
  });
  afterAll(async () => {
    await site?.close();
  });

  it('is reached from "Answered by" and passes axe-core in light and dark mode', async () => {
    const { browser, base } = site as DemoSite;
    for (const colorScheme of ['light', 'dark'] as const) {
      const context = await browser.newContext({ bypassCSP: true, colorScheme });
      const page = await context.newPage();
      await page.goto(`${base}${questionPath}`);
      await page.locator('.byline').getByRole('link', { name: 'Priya Natarajan' }).click();
      await page.waitForURL(/\/educators\/\d+-priya-natarajan$/);
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Priya Natarajan');
      await expect(page.getByRole('heading', { level: 2, name: 'Latest answers' }).isVisible()).resolves.toBe(true);
      await expect(page.locator('.question-list li').count()).resolves.toBeGreaterThan(0);
      const violations = await axeViolations(page);
      expect(violations, `${colorScheme}: ${JSON.stringify(violations, null, 1)}`).toEqual([]);
      await context.close();
    }
  });

  it('names a social card on the question page that the browser can load', async () => {
    const { browser, base } = site as DemoSite;
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${base}${questionPath}`);
    const image = (await page.locator('meta[property="og:image"]').getAttribute('content')) as string;
    const res = await page.request.get(`${base}${new URL(image).pathname}`);
    expect(res.status()).toBe(200);
    expect(res.headers()['content-type']).toBe('image/png');
    await context.close();
  });
});
