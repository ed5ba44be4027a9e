import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { seedDemo } from '../../src/demo/seed.ts';
import { testConfig } from '../helpers/app.ts';
import { axeViolations, launchChromium, signInDemo } from '../helpers/browser.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.ts';
import { chromiumPath } from '../helpers/environment.ts';
import { MailCatcher } from '../helpers/smtp.ts';

const ANSWER = `The Berlin Wall fell because pressure had been building for months and then a mistake released it at once.

Through 1989 East Germans left by the thousands through Hungary, which had opened its border with Austria. At home, the Monday demonstrations in Leipzig grew from a few thousand people to hundreds of thousands, and the government no longer dared to use force against them.

On 9 November the party spokesman Günter Schabowski announced new travel rules at a press conference. Asked when they took effect, he said "immediately", although the rules were meant to start the next day. Crowds gathered at the checkpoints that night, and the guards, without orders, opened the gates.

So the sudden night was the end of a long process: mass emigration, peaceful protest and a regime that had lost the will to resist.`;

describe.skipIf(!chromiumPath)('asking and answering in Chromium: a student, an educator and an editor at once', () => {
  let database: TestDatabase;
  let app: Awaited<ReturnType<typeof buildApp>>;
  let base: string;
  let browser: Browser;
  const smtp = new MailCatcher();

  beforeAll(async () => {
    const smtpUrl = await smtp.start();
    database = await createTestDatabase('sqlite');
    await seedDemo(database.db);
    const probe = await buildApp(testConfig, { database, logger: false });
    await probe.listen({ port: 0, host: '127.0.0.1' });
    const port = (probe.server.address() as AddressInfo).port;
    await probe.close();
    base = `http://127.0.0.1:${port}`;
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

  const signIn = (email: string): Promise<Page> => signInDemo(browser, base, email);

  it('ask -> claim -> answer with the drafted quick answer -> approve -> the student is told and reads it', async () => {
    const [student, educator, editor] = await Promise.all([
      signIn('jordan.lee@demo.scholia.test'),
      signIn('amara.okafor@demo.scholia.test'),
      signIn('editor@demo.scholia.test'),
    ]);

    // The student asks; similar answered questions show while typing (the island) and the question is posted.
    await student.getByRole('link', { name: 'Ask', exact: true }).click();
    await expect(student.getByText(/You have asked \d+ of your 20 questions this month/).isVisible()).resolves.toBe(true);
    expect(await axeViolations(student)).toEqual([]);
    await student.getByLabel('Your question').fill('What made the Berlin Wall open on the night of 9 November?');
    await student.getByLabel('Details (optional)').fill('We watched a documentary and I still do not see why that night.');
    await student.getByLabel('Subject').selectOption('history');
    // While typing, the island offers similar answered questions; a reload keeps what was typed.
    await student.getByLabel('Your question').pressSequentially(' ');
    await student.reload();
    await expect(student.getByLabel('Your question').inputValue()).resolves.toContain('What made the Berlin Wall open on the night');
    await expect(student.getByLabel('Details (optional)').inputValue()).resolves.toContain('documentary');
    await student.getByRole('button', { name: 'Continue' }).click();
    await expect(student.getByRole('heading', { name: 'Is it already answered?' }).isVisible()).resolves.toBe(true);
    expect(await axeViolations(student)).toEqual([]);
    await student.getByRole('button', { name: 'Post my question' }).click();
    await student.waitForURL(/\/account\/questions/);
    await expect(student.getByText('Waiting for an educator').first().isVisible()).resolves.toBe(true);

    // The educator claims it from the queue, writes the answer, leaves the quick answer to the draft.
    await educator.locator('.account-menu > summary').click();
    await educator.getByRole('link', { name: 'Educator queue' }).click();
    expect(await axeViolations(educator)).toEqual([]);
    await educator.getByRole('button', { name: /^Claim “What made the Berlin Wall open/ }).click();
    await educator.getByLabel('Expert answer').fill(ANSWER);
    await educator.getByLabel('Sources (optional)').fill('Mary Elise Sarotte, The Collapse (2014)');
    await educator.getByRole('button', { name: 'Preview' }).click();
    await expect(educator.getByText('Drafted from your answer:').isVisible()).resolves.toBe(true);
    expect(await axeViolations(educator)).toEqual([]);
    await educator.getByRole('button', { name: 'Save draft' }).click();
    await expect(educator.getByText('The quick answer was drafted from your answer').isVisible()).resolves.toBe(true);
    const quick = await educator.getByLabel('Quick answer').inputValue();
    expect(quick.length).toBeGreaterThan(40);
    await educator.getByRole('button', { name: 'Submit for review' }).click();
    await expect(educator.getByText('Sent for editorial review').isVisible()).resolves.toBe(true);

    // The student was told it is being answered.
    await student.goto(`${base}/notifications`);
    await expect(student.getByText(/An educator is answering your question/).isVisible()).resolves.toBe(true);

    // The editor approves.
    await editor.locator('.account-menu > summary').click();
    await editor.getByRole('link', { name: 'Review', exact: true }).click();
    await editor.getByRole('link', { name: 'What made the Berlin Wall open on the night of 9 November?' }).click();
    expect(await axeViolations(editor)).toEqual([]);
    await editor.getByRole('button', { name: 'Approve and publish' }).click();
    await expect(editor.getByText('Approved and published').isVisible()).resolves.toBe(true);

    // The student: the bell, the notice, the email on loopback SMTP, and the answer itself.
    await student.goto(`${base}/`);
    await expect(student.locator('.bell .badge').textContent()).resolves.toMatch(/^2/);
    const mail = await smtp.waitFor('jordan.lee@demo.scholia.test', 0, (m) => m.subject.includes('has an expert answer'));
    expect(mail.text).toContain(`${base}/q/`);
    await student.goto(`${base}/notifications`);
    await student.getByRole('link', { name: /has an expert answer/ }).click();
    await expect(student.getByText('Approved by Scholia Editorial').isVisible()).resolves.toBe(true);
    await expect(student.locator('#expert-answer').textContent()).resolves.toContain('lost the will to resist');
    await expect(student.locator('.quick-answer, #quick-answer').first().textContent()).resolves.toContain(quick.slice(0, 30));
    expect(await axeViolations(student)).toEqual([]);
    // Three browsers through the whole lifecycle take 15-20 s here; the limit only guards against a hang.
  }, 90_000);
});
