import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../src/demo/seed.ts';
import { axeViolations, type DemoSite, signInDemo, startDemoSite } from '../helpers/browser.ts';
import { chromiumPath } from '../helpers/environment.ts';
import { totpCode } from '../helpers/two-factor.ts';

/** Whether the page scrolls sideways, and the header controls on show that do not sit wholly inside the viewport. */
async function overflow(page: Page): Promise<{ scrollWidth: number; outside: string[] }> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const outside = [...document.querySelectorAll('.site-header a, .site-header button, .site-header input, .site-header summary')]
      .filter((el) => {
        // A control inside a closed menu is not on show (checked when its menu is opened).
        if (!el.checkVisibility()) return false;
        const r = el.getBoundingClientRect();
        return r.left < 0 || r.right > width + 0.5;
      })
      .map((el) => (el.textContent || el.getAttribute('aria-label') || el.tagName).trim());
    return { scrollWidth: document.documentElement.scrollWidth, outside };
  });
}

/** The menus a reader can open at this width: the phone's Menu (below 40rem) and a signed-in person's account menu. */
async function visibleMenus(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('.site-header details.menu')]
      .filter((d) => d.checkVisibility())
      .map((d) => [...d.classList].find((c) => c !== 'menu') as string),
  );
}

/**
 * Opens a header menu from the keyboard (its button focused, Enter) and returns what it offers, each link or button
 * checked to be on show and wholly on screen.
 */
async function openWithKeyboard(page: Page, menu: string): Promise<string[]> {
  const summary = page.locator(`.site-header details.${menu} > summary`);
  await summary.focus();
  await page.keyboard.press('Enter');
  await expect(page.locator(`.site-header details.${menu}`).getAttribute('open')).resolves.not.toBeNull();
  const width = page.viewportSize()?.width as number;
  const items = page.locator(`.site-header details.${menu} .menu-panel`).locator('a, button');
  const labels: string[] = [];
  for (const item of await items.all()) {
    const label = ((await item.textContent()) ?? '').trim();
    expect(await item.isVisible(), `${menu}: ${label} on show`).toBe(true);
    const box = await item.boundingBox();
    expect(box && box.x >= 0 && box.x + box.width <= width + 0.5, `${menu}: ${label} on screen at ${width}`).toBe(true);
    labels.push(label);
  }
  return labels;
}

describe.skipIf(!chromiumPath)('the header and its menus on phones and desktops, in Chromium', () => {
  let site: DemoSite;
  let base: string;
  let browser: Browser;
  let questionPath: string;
  let adminSecret = '';

  beforeAll(async () => {
    site = await startDemoSite();
    ({ base, browser } = site);
    const home = await (await fetch(`${base}/`)).text();
    questionPath = /href="(\/q\/\d+\/[^"]+)"/.exec(home)?.[1] as string;
  });
  afterAll(async () => {
    await site?.close();
  });

  /** The demo admin, who must set up two-factor sign-in first (the site's default), as a person would. */
  async function signInAdmin(): Promise<Page> {
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    await page.goto(`${base}/login`);
    await page.getByLabel('Email').fill('admin@demo.scholia.test');
    await page.getByLabel('Password').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(`${base}/account/2fa/setup`);
    await page.getByRole('button', { name: 'Show my setup code' }).click();
    adminSecret = (await page.locator('code.secret').textContent()) as string;
    await page.getByLabel('Code from the app').fill(totpCode(adminSecret, new Date()));
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.getByRole('heading', { name: 'Save your recovery codes' }).waitFor();
    await page.goto(`${base}/`);
    return page;
  }

  const visitor = async () => (await browser.newContext({ bypassCSP: true })).newPage();
  const roles: Array<[string, () => Promise<Page>, string[]]> = [
    ['visitor', visitor, []],
    ['student', () => signInDemo(browser, base, 'jordan.lee@demo.scholia.test'), ['My questions', 'Account settings', 'Membership']],
    ['educator', () => signInDemo(browser, base, 'priya.natarajan@demo.scholia.test'), ['Educator queue', 'Your images']],
    ['editor', () => signInDemo(browser, base, 'editor@demo.scholia.test'), ['Educator queue', 'Review', 'Reports', 'Guides editor']],
    ['admin', signInAdmin, ['Review', 'Guides editor', 'Your images', 'Admin dashboard']],
  ];

  for (const [role, open, staffLinks] of roles) {
    it(`keeps every header control on screen for the ${role} at 320, 390 and 1280 px, menus opened from the keyboard`, async () => {
      const page = await open();
      for (const width of [320, 390, 1280]) {
        await page.setViewportSize({ width, height: 800 });
        for (const path of ['/', questionPath, '/membership']) {
          await page.goto(base + path);
          const { scrollWidth, outside } = await overflow(page);
          expect(outside, `${role} ${width} ${path}`).toEqual([]);
          expect(scrollWidth, `${role} ${width} ${path}`).toBeLessThanOrEqual(width);
        }
        await page.goto(`${base}/`);
        const menus = await visibleMenus(page);
        // On phones the main links fold into Menu; a signed-in person always has the account menu.
        expect(menus, `${role} ${width}`).toEqual([...(width < 640 ? ['nav-menu'] : []), ...(role === 'visitor' ? [] : ['account-menu'])]);
        for (const menu of menus) {
          const labels = await openWithKeyboard(page, menu);
          if (menu === 'nav-menu') {
            expect(labels).toEqual(expect.arrayContaining(['Subjects', 'Guides']));
            if (role === 'visitor') expect(labels).toContain('Log in');
          } else {
            expect(labels).toEqual(expect.arrayContaining([...staffLinks, 'Log out']));
            if (role === 'student') expect(labels).not.toContain('Educator queue');
            if (role !== 'admin') expect(labels).not.toContain('Admin dashboard');
          }
          const { scrollWidth, outside } = await overflow(page);
          expect(outside, `${role} ${width} ${menu} open`).toEqual([]);
          expect(scrollWidth, `${role} ${width} ${menu} open`).toBeLessThanOrEqual(width);
          // Escape closes it (public/menu.js) and gives the focus back to its button.
          await page.keyboard.press('Escape');
          await expect(page.locator(`.site-header details.${menu}`).getAttribute('open')).resolves.toBeNull();
          await expect(page.evaluate(() => document.activeElement?.tagName)).resolves.toBe('SUMMARY');
        }
      }
      if (role !== 'visitor') {
        // A click elsewhere on the page closes the account menu too.
        await page.locator('.account-menu > summary').click();
        await page.locator('main h1').click();
        await expect(page.locator('.account-menu').getAttribute('open')).resolves.toBeNull();
      }
      if (role === 'visitor') {
        // The free trial is offered from every page's header; it leads to making an account, then the trial.
        await page.getByRole('link', { name: 'Start free trial' }).click();
        await page.waitForURL(/\/signup\?next=%2Fmembership%3Fstart%3Dtrial$/);
      }
      await page.context().close();
    }, 120_000);
  }

  it('has no accessibility violations with the menus open, in light and dark', async () => {
    const pages: Array<[string, Page]> = [
      ['visitor', await visitor()],
      ['editor', await signInDemo(browser, base, 'editor@demo.scholia.test')],
    ];
    for (const [role, page] of pages) {
      for (const colorScheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme });
        for (const width of [390, 1280]) {
          await page.setViewportSize({ width, height: 800 });
          await page.goto(`${base}/`);
          expect(await axeViolations(page), `${role} ${colorScheme} ${width} closed`).toEqual([]);
          for (const menu of await visibleMenus(page)) {
            await openWithKeyboard(page, menu);
            expect(await axeViolations(page), `${role} ${colorScheme} ${width} ${menu}`).toEqual([]);
            await page.keyboard.press('Escape');
          }
        }
      }
      await page.context().close();
    }
  }, 120_000);

  it('opens the menus and logs out without JavaScript, from the keyboard', async () => {
    const signedIn = await signInDemo(browser, base, 'jordan.lee@demo.scholia.test');
    const context: BrowserContext = await browser.newContext({
      javaScriptEnabled: false,
      storageState: await signedIn.context().storageState(),
    });
    await signedIn.context().close();
    const page = await context.newPage();
    for (const width of [320, 1280]) {
      await page.setViewportSize({ width, height: 800 });
      await page.goto(`${base}/`);
      for (const menu of await visibleMenus(page)) {
        expect(await openWithKeyboard(page, menu), `${width} ${menu}`).not.toEqual([]);
        // Without the script, Enter on the button closes it again.
        await page.locator(`.site-header details.${menu} > summary`).press('Enter');
        await expect(page.locator(`.site-header details.${menu}`).getAttribute('open')).resolves.toBeNull();
      }
    }
    // Log out is a form in the account menu: one press, and the visitor's header is back.
    await openWithKeyboard(page, 'account-menu');
    await page.getByRole('button', { name: 'Log out' }).press('Enter');
    await page.waitForURL(`${base}/`);
    await expect(page.locator('.account-menu').count()).resolves.toBe(0);
    await expect(page.getByRole('link', { name: 'Start free trial' }).isVisible()).resolves.toBe(true);

    // A visitor's phone Menu without JavaScript: the main links and Log in.
    const phone = await (await browser.newContext({ javaScriptEnabled: false, viewport: { width: 320, height: 700 } })).newPage();
    await phone.goto(`${base}/subjects`);
    const labels = await openWithKeyboard(phone, 'nav-menu');
    expect(labels).toEqual(['Subjects', 'Guides', 'Log in']);
    await phone.getByRole('link', { name: 'Log in' }).press('Enter');
    await phone.waitForURL(`${base}/login`);
    await phone.context().close();
    await context.close();
  }, 60_000);
});
