import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readOutbox } from '../../src/modules/mail/index.ts';
import type { TestApp } from '../helpers/app.ts';
import { axeViolations, type DemoSite, startDemoSite } from '../helpers/browser.ts';
import { chromiumPath } from '../helpers/environment.ts';
import { totpCode } from '../helpers/two-factor.ts';

describe.skipIf(!chromiumPath)('reading in Chromium', () => {
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

  async function browseHomeToQuestion(context: BrowserContext) {
    const page = await context.newPage();
    await page.goto(`${base}/`);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain('Homework questions');
    await page
      .getByRole('link', { name: /^Science/ })
      .first()
      .click();
    await page.waitForURL(`${base}/subjects/science`);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Science');
    const firstQuestion = page.locator('.question-list a.title').first();
    const title = (await firstQuestion.textContent()) as string;
    await firstQuestion.click();
    await page.waitForURL(/\/q\/\d+\/[a-z0-9-]+$/);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(title);
    for (const name of ['Quick answer', 'Expert answer', 'Related questions']) {
      await expect(page.getByRole('heading', { level: 2, name }).isVisible()).resolves.toBe(true);
    }
    await expect(page.getByText('Approved by Scholia Editorial').isVisible()).resolves.toBe(true);
    return page;
  }

  it('goes home -> subject -> question with JavaScript on', async () => {
    const context = await browser.newContext();
    await browseHomeToQuestion(context);
    await context.close();
  });

  it('goes home -> subject -> question and searches with JavaScript off', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await browseHomeToQuestion(context);
    await page.getByRole('searchbox', { name: 'Search questions and study guides' }).fill('photosynthesis');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/search\?q=photosynthesis/);
    await expect(page.locator('.question-list a.title').first().textContent()).resolves.toMatch(/photosynthesis/i);
    await context.close();
  });

  it('works with the keyboard: the skip link moves focus to the content', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${base}/subjects`);
    await page.keyboard.press('Tab');
    await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toBe('Skip to content');
    await page.keyboard.press('Enter');
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('main');
    await context.close();
  });

  // Some thirty pages, each checked twice (light and dark): longer than the default test timeout.
  it('passes axe-core with no violations on every page, in light and dark mode', async () => {
    const ids = await t.database.db.selectFrom('questions').select(['id', 'slug']).orderBy('id').limit(3).execute();
    const queued = await t.database.db.selectFrom('questions').select('id').where('status', '=', 'queued').executeTakeFirst();
    let adminSecret = '';
    const paths = [
      '/',
      '/subjects',
      '/subjects/literature',
      '/search?q=revolution',
      '/search?q=zzzzqqq',
      '/nope',
      '/q/999999/x',
      '/login',
      '/signup',
      '/login/code',
      '/reset',
      '/membership',
      ...ids.map((q) => `/q/${q.id}/${q.slug}`),
    ];
    for (const colorScheme of ['light', 'dark'] as const) {
      const context = await browser.newContext({ bypassCSP: true, colorScheme });
      const page = await context.newPage();
      for (const path of paths) {
        await page.goto(`${base}${path}`);
        const violations = await axeViolations(page);
        expect(violations, `${colorScheme} ${path}: ${JSON.stringify(violations, null, 1)}`).toEqual([]);
      }
      // Signed in: the header changes, and the log-out page.
      await page.goto(`${base}/login`);
      await page.getByLabel('Email').fill('admin@demo.scholia.test');
      await page.getByLabel('Password').fill('scholia-demo-2026');
      await page.getByRole('button', { name: 'Log in' }).click();
      if (colorScheme === 'light') {
        // Admins must set up two-factor sign-in first (the default site setting).
        await page.waitForURL(`${base}/account/2fa/setup`);
        expect(await axeViolations(page)).toEqual([]);
        await page.getByRole('button', { name: 'Show my setup code' }).click();
        expect(await axeViolations(page)).toEqual([]);
        adminSecret = (await page.locator('code.secret').textContent()) as string;
        await page.getByLabel('Code from the app').fill(totpCode(adminSecret, new Date()));
        await page.getByRole('button', { name: 'Turn on' }).click();
        await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Save your recovery codes');
        expect(await axeViolations(page)).toEqual([]);
      } else {
        await page.waitForURL(/\/login\/2fa/);
        expect(await axeViolations(page)).toEqual([]);
        // The code of the step after the one used at enrolment: each code works once.
        await page.getByLabel('Code').fill(totpCode(adminSecret, new Date(Date.now() + 30_000)));
        await page.getByRole('button', { name: 'Log in' }).click();
        await page.waitForURL(`${base}/`);
      }
      for (const path of [
        '/',
        '/logout',
        '/account',
        '/account/billing',
        '/membership',
        '/apply',
        '/editor/applications',
        '/admin/plans',
        '/admin/ads',
        '/admin/users',
        '/admin/outbox',
        '/admin/settings',
        `/q/${ids[0]?.id}/${ids[0]?.slug}`,
        '/ask',
        '/account/questions',
        '/notifications',
        '/educator',
        '/editor',
        `/editor/q/${queued?.id}`,
        '/editor/reports',
        `/report?question=${ids[0]?.id}`,
      ]) {
        await page.goto(`${base}${path}`);
        const violations = await axeViolations(page);
        expect(violations, `${colorScheme} signed in ${path}: ${JSON.stringify(violations, null, 1)}`).toEqual([]);
      }
      // A failed sign-in shows its error.
      await context.clearCookies();
      await page.goto(`${base}/login`);
      await page.getByLabel('Email').fill('jordan.lee@demo.scholia.test');
      await page.getByLabel('Password').fill('wrong-wrong');
      await page.getByRole('button', { name: 'Log in' }).click();
      expect(await axeViolations(page)).toEqual([]);
      await context.close();
    }
  }, 180_000);

  it('signs a demo account in and out with the keyboard only, without JavaScript', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${base}/subjects`);
    await page.getByRole('link', { name: 'Log in' }).click();
    await page.waitForURL(`${base}/login`);
    await page.getByLabel('Email').focus();
    await page.keyboard.type('editor@demo.scholia.test');
    await page.keyboard.press('Tab');
    await page.keyboard.type('scholia-demo-2026');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${base}/`);
    await expect(page.locator('.signed-in').textContent()).resolves.toBe('Signed in as Margaret Ellis');
    // Log out is a form in the account menu, which opens with Enter without any script.
    await page.locator('.account-menu > summary').press('Enter');
    await page.getByRole('button', { name: 'Log out' }).press('Enter');
    await page.waitForURL(`${base}/`);
    await expect(page.getByRole('link', { name: 'Log in' }).isVisible()).resolves.toBe(true);
    await context.close();
  });

  it('shows a wrong password next to the form, keeping the email typed', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${base}/login`);
    await page.getByLabel('Email').fill('maya.chen@demo.scholia.test');
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('do not match an account');
    await expect(page.getByLabel('Email').inputValue()).resolves.toBe('maya.chen@demo.scholia.test');
    await expect(page.getByLabel('Password').inputValue()).resolves.toBe('');
    await context.close();
  });

  it('meets the paywall, signs up, starts the free trial, reads the whole answer without ads and cancels (local mode)', async () => {
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    const q = await t.database.db.selectFrom('questions').select(['id', 'slug']).orderBy('id').executeTakeFirstOrThrow();
    const answer = await t.database.db.selectFrom('answers').select('body').where('question_id', '=', q.id).executeTakeFirstOrThrow();
    const lastWords = (answer.body.trim().split(/\s+/).slice(-4).join(' ') as string).replace(/[*_`]/g, '');
    const questionUrl = `${base}/q/${q.id}/${q.slug}`;
    await page.goto(questionUrl);
    await expect(page.getByRole('heading', { name: 'Read the whole expert answer' }).isVisible()).resolves.toBe(true);
    expect(await page.content()).not.toContain(lastWords);
    expect(await page.locator('[data-ad-slot]').count()).toBe(1);
    await page.getByRole('link', { name: 'Start your 48-hour free trial' }).click();
    await page.getByLabel('Name').fill('Paige Turner');
    await page.getByLabel('Email').fill('paige.turner@example.org');
    await page.getByLabel('Password').fill('paige turns every page');
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Check your email');
    const [mail] = await readOutbox(t.database.db, { to: 'paige.turner@example.org', limit: 1 });
    const link = /\/verify\?token=[A-Za-z0-9_-]{43}/.exec(mail?.text ?? '')?.[0] as string;
    await page.goto(`${base}${link}`);
    await page.getByRole('button', { name: 'Confirm' }).click();
    // The trial they asked for starts with one button, then they are back on the question they signed up from.
    await page.waitForURL(/\/membership\?start=trial&back=/);
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Start my free trial' }).click();
    await page.waitForURL(questionUrl);
    await expect(page.locator('.trial-banner').textContent()).resolves.toContain('Free trial: 48 hours left.');
    expect(await page.locator('#expert-answer').textContent()).toContain(lastWords.split(' ').slice(-1)[0]);
    expect(await page.locator('[data-ad-slot]').count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Cancel trial' }).click();
    await expect(page.locator('main').getByRole('status').textContent()).resolves.toContain('nothing will be charged');
    expect(await axeViolations(page)).toEqual([]);
    await context.close();
  });

  it('logs a member in from the paywall and brings them back to the question', async () => {
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    const q = await t.database.db.selectFrom('questions').select(['id', 'slug']).orderBy('id').executeTakeFirstOrThrow();
    await page.goto(`${base}/q/${q.id}/${q.slug}`);
    await page.getByRole('link', { name: 'Log in' }).last().click();
    await page.getByLabel('Email').fill('maya.chen@demo.scholia.test');
    await page.getByLabel('Password').fill('scholia-demo-2026');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(`${base}/q/${q.id}/${q.slug}`);
    await context.close();
  });

  it('lays the question page out for a phone without horizontal scrolling', async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
    const page = await context.newPage();
    const q = await t.database.db.selectFrom('questions').select(['id', 'slug']).orderBy('id').executeTakeFirstOrThrow();
    await page.goto(`${base}/q/${q.id}/${q.slug}`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await context.close();
  });
});
