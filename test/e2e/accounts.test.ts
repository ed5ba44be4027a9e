import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { testConfig } from '../helpers/app.ts';
import { axeViolations, launchChromium } from '../helpers/browser.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.ts';
import { chromiumPath } from '../helpers/environment.ts';
import { MailCatcher } from '../helpers/smtp.ts';

describe.skipIf(!chromiumPath)('accounts in Chromium, with mail caught by a real SMTP server on loopback', () => {
  let database: TestDatabase;
  let app: Awaited<ReturnType<typeof buildApp>>;
  let base: string;
  let browser: Browser;
  const smtp = new MailCatcher();

  beforeAll(async () => {
    const smtpUrl = await smtp.start();
    database = await createTestDatabase('sqlite');
    // The site's links must point at this server, so its URL is known only after listening: listen first on a
    // throwaway app to find a port, then build the real one with that SITE_URL.
    const probe = await buildApp(testConfig, { database, logger: false });
    await probe.listen({ port: 0, host: '127.0.0.1' });
    const port = (probe.server.address() as AddressInfo).port;
    await probe.close();
    base = `http://127.0.0.1:${port}`;
    // Real SMTP: queued in the outbox by the request, sent moments later by the mail dispatcher.
    app = await buildApp({ ...testConfig, siteUrl: base, smtpUrl }, { database, logger: false });
    await app.listen({ port, host: '127.0.0.1' });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await database?.destroy();
    await smtp.close();
  });

  it('sign up -> verify -> sign out -> sign in with the emailed code -> sign in with the password', async () => {
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    const email = 'riley.reader@example.org';

    await page.goto(`${base}/login`);
    await page.getByRole('link', { name: 'Create an account' }).click();
    expect(await axeViolations(page)).toEqual([]);
    await page.getByLabel('Name').fill('Riley Reader');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('password');
    await page.getByRole('button', { name: 'Create account' }).click();
    // Rejected, with the name and email kept and the reason next to the field.
    await expect(page.getByText('one of the most common ones').isVisible()).resolves.toBe(true);
    await expect(page.getByLabel('Name').inputValue()).resolves.toBe('Riley Reader');
    expect(await axeViolations(page)).toEqual([]);
    await page.getByLabel('Password').fill('riley reads many books');
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Check your email');

    const verify = await smtp.waitFor(email);
    expect(verify.subject).toBe('Confirm your email for Scholia');
    const verifyLink = /(http:\/\/127\.0\.0\.1:\d+\/verify\?token=[A-Za-z0-9_-]{43})/.exec(verify.text)?.[1] as string;
    await page.goto(verifyLink);
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.waitForURL(`${base}/`);
    await expect(page.locator('.signed-in').textContent()).resolves.toBe('Signed in as Riley Reader');

    await page.locator('.account-menu > summary').click();
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(`${base}/`);

    const before = smtp.mails.length;
    await page.goto(`${base}/login`);
    await page.getByRole('link', { name: 'Email me a code instead' }).click();
    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: 'Email me a code' }).click();
    const codeMail = await smtp.waitFor(email, before);
    const code = /sign-in code is (\d{6})/.exec(codeMail.subject)?.[1] as string;
    expect(await axeViolations(page)).toEqual([]);
    await page.getByLabel('Code').fill(code);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(`${base}/`);
    await expect(page.locator('.signed-in').textContent()).resolves.toBe('Signed in as Riley Reader');

    await page.goto(`${base}/logout`);
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.goto(`${base}/login`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('riley reads many books');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(`${base}/`);
    await expect(page.locator('.signed-in').textContent()).resolves.toBe('Signed in as Riley Reader');
    await context.close();
  });
});
