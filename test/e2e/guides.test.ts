import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.ts';
import { axeViolations, type DemoSite, startDemoSite } from '../helpers/browser.ts';
import { chromiumPath } from '../helpers/environment.ts';

const CANARY_WORD = 'marrowgleam';

describe.skipIf(!chromiumPath)('study guides in Chromium', () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;

  let site: DemoSite | undefined;

  beforeAll(async () => {
    site = await startDemoSite();
    ({ t, base, browser } = site);
  });
  afterAll(async () => {
    await site?.close();
  });

  async function expectNoViolations(page: Page, label: string) {
    const violations = await axeViolations(page);
    expect(violations, `${label}: ${JSON.stringify(violations, null, 1)}`).toEqual([]);
  }

  it('an editor writes a guide with a members-only section and publishes it; readers meet the paywall; every page passes axe-core', async () => {
    // bypassCSP only so axe-core can be injected; the pages themselves run no script.
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    await page.goto(`${base}/login`);
    await page.getByLabel('Email').fill('editor@demo.scholia.test');
    await page.getByLabel('Password').fill('scholia-demo-2026');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(`${base}/`);

    await page.goto(`${base}/editor/guides`);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Study guides');
    await expectNoViolations(page, '/editor/guides');
    await page.getByRole('link', { name: 'New study guide' }).click();
    await page.waitForURL(`${base}/editor/guides/new`);
    await expectNoViolations(page, '/editor/guides/new');

    // A refused form shows its errors next to the fields and keeps what was typed.
    await page.getByLabel('Title', { exact: true }).fill('The Tempest');
    await page
      .getByLabel('Overview', { exact: true })
      .fill('An island, a magician and his daughter: Shakespeare on **power** and forgiveness.');
    await page.getByRole('button', { name: 'Create guide' }).click();
    await expect(page.getByText('choose one of the subjects').isVisible()).resolves.toBe(true);
    await expect(page.getByLabel('Title', { exact: true }).inputValue()).resolves.toBe('The Tempest');
    await expectNoViolations(page, 'new guide refused');

    await page.getByLabel('Subject').selectOption('literature');
    await page.getByRole('button', { name: 'Preview' }).click();
    await expect(page.locator('.editor-preview strong').textContent()).resolves.toBe('power');
    await expectNoViolations(page, 'new guide preview');
    await page.getByRole('button', { name: 'Create guide' }).click();
    await page.waitForURL(/\/editor\/guides\/\d+\?done=created$/);
    await expect(page.locator('main').getByRole('status').textContent()).resolves.toContain('Guide created as a draft');
    await expectNoViolations(page, 'edit guide');

    await page.getByLabel('Section title').fill('Summary');
    await page
      .getByLabel('Text', { exact: true })
      .fill('Prospero, a duke cast away on an island, raises a storm to bring his enemies ashore.');
    await page.getByRole('button', { name: 'Add section' }).click();
    await page.waitForURL(/done=section-added/);

    const themes = [
      '## Power',
      Array.from({ length: 8 }, (_, i) => `Paragraph ${i} of the themes weighs power against mercy in plain words.`).join('\n\n'),
      `The ${CANARY_WORD} canary ends the members-only themes.`,
    ].join('\n\n');
    await page.getByLabel('Section title').fill('Themes');
    await page.getByLabel('Text', { exact: true }).fill(themes);
    await page.getByLabel('Members only').check();
    await page.getByRole('button', { name: 'Preview' }).first().click();
    await expect(page.locator('.editor-preview h3').first().textContent()).resolves.toBe('Power');
    await expect(page.getByLabel('Members only').isChecked()).resolves.toBe(true);
    await expectNoViolations(page, 'section preview');
    await page.getByRole('button', { name: 'Add section' }).click();
    await page.waitForURL(/done=section-added/);

    // Themes first, then Summary; then publish.
    await page.getByRole('button', { name: /^Move up\s+\(Themes\)$/ }).click();
    await page.waitForURL(/done=moved/);
    await expect(page.locator('.section-list li').first().textContent()).resolves.toContain('Themes');
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.waitForURL(/done=published/);
    await expect(page.locator('main').getByRole('status').textContent()).resolves.toContain('Published');
    await expectNoViolations(page, 'published guide editor');

    await page.getByRole('link', { name: 'History and restore' }).click();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('History: The Tempest');
    await expectNoViolations(page, 'history');
    await page.goBack();
    await page.getByRole('link', { name: 'Themes' }).first().click();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Edit section: Themes');
    await expectNoViolations(page, 'edit section');
    await context.close();

    // Readers without membership, in light and dark mode.
    for (const colorScheme of ['light', 'dark'] as const) {
      const reader = await browser.newContext({ bypassCSP: true, colorScheme });
      const p = await reader.newPage();
      await p.goto(`${base}/guides`);
      await expect(p.getByRole('link', { name: 'The Tempest' }).first().isVisible()).resolves.toBe(true);
      await expectNoViolations(p, `${colorScheme} /guides`);
      await p.getByRole('link', { name: 'The Tempest' }).first().click();
      await p.waitForURL(`${base}/guides/the-tempest`);
      await expect(p.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('The Tempest');
      await expect(p.getByRole('heading', { name: 'Read the whole study guide' }).isVisible()).resolves.toBe(true);
      expect(await p.content()).not.toContain(CANARY_WORD);
      await expectNoViolations(p, `${colorScheme} /guides/the-tempest`);
      await p.getByRole('link', { name: 'Themes' }).first().click();
      await p.waitForURL(`${base}/guides/the-tempest/themes`);
      await expect(p.getByRole('heading', { name: 'Read the whole section' }).isVisible()).resolves.toBe(true);
      expect(await p.content()).not.toContain(CANARY_WORD);
      await expectNoViolations(p, `${colorScheme} /guides/the-tempest/themes`);
      for (const path of [
        '/guides/the-tempest/summary',
        '/guides/macbeth',
        '/guides/macbeth/themes',
        '/guides/quadratic-functions/key-terms',
      ]) {
        await p.goto(`${base}${path}`);
        await expectNoViolations(p, `${colorScheme} ${path}`);
      }
      const refused = await p.goto(`${base}/guides/the-tempest.pdf`);
      expect(refused?.status()).toBe(403);
      await expect(p.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Downloads are for members');
      await expectNoViolations(p, `${colorScheme} PDF refused`);
      // A Literature question links to the guide.
      const q = await t.database.db
        .selectFrom('questions as q')
        .innerJoin('subjects as s', 's.id', 'q.subject_id')
        .select(['q.id', 'q.slug'])
        .where('s.slug', '=', 'literature')
        .where('q.status', '=', 'published')
        .orderBy('q.id')
        .executeTakeFirstOrThrow();
      await p.goto(`${base}/q/${q.id}/${q.slug}`);
      await expect(
        p.getByRole('complementary', { name: 'Study guides' }).getByRole('link', { name: 'The Tempest' }).isVisible(),
      ).resolves.toBe(true);
      await expectNoViolations(p, `${colorScheme} question with guides`);
      await reader.close();
    }
  }, 180_000);

  it('edits, previews and saves a section with JavaScript off', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${base}/login?next=%2Feditor%2Fguides`);
    await page.getByLabel('Email').fill('editor@demo.scholia.test');
    await page.getByLabel('Password').fill('scholia-demo-2026');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(`${base}/editor/guides`);
    await page.getByRole('link', { name: 'Photosynthesis' }).click();
    await page.getByRole('link', { name: 'Key Terms', exact: true }).click();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Edit section: Key Terms');
    const text = page.getByLabel('Text', { exact: true });
    await text.fill(`${await text.inputValue()}\n- **Glucose**: the six-carbon sugar the plant builds from G3P.`);
    await page.getByRole('button', { name: 'Preview' }).click();
    await expect(page.locator('.editor-preview').textContent()).resolves.toContain('the six-carbon sugar the plant builds from G3P');
    await page.getByRole('button', { name: 'Save section' }).click();
    await expect(page.locator('main').getByRole('status').textContent()).resolves.toBe('Section saved.');
    await page.goto(`${base}/guides/photosynthesis/key-terms`);
    await expect(page.locator('.guide-section').textContent()).resolves.toContain('the six-carbon sugar the plant builds from G3P');
    await context.close();
  });

  it('prints a guide without the header, the paywall or forms', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${base}/guides/frankenstein`);
    await page.emulateMedia({ media: 'print' });
    for (const selector of ['.site-header', '.breadcrumbs', '.paywall', '.paywall form', '.guide-related', '.guide-toc']) {
      await expect(page.locator(selector).first().isVisible(), selector).resolves.toBe(false);
    }
    await expect(page.locator('.guide-section').first().isVisible()).resolves.toBe(true);
    await context.close();
  });
});
