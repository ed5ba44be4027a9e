import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../src/modules/accounts/index.ts';
import { buildTestApp, type TestApp } from './helpers/app.ts';
import { engines } from './helpers/databases.ts';
import { Client } from './helpers/http.ts';

// Without SMTP_URL a newcomer must still be able to finish signing up: every mail is printed for whoever runs the
// server, with its links (and sign-in codes), besides being kept at /admin/outbox.
describe.each(engines)('mail printed without a mail server on %s', (engine) => {
  let t: TestApp;
  const printed: string[] = [];

  beforeAll(async () => {
    t = await buildTestApp(engine, { mailPrint: (text) => void printed.push(text) });
  });
  afterAll(async () => {
    await t.close();
  });

  it('prints the verification mail of a sign-up with its link, and the link finishes the sign-up', async () => {
    const c = new Client(t.app, '10.9.0.1');
    expect(
      (await c.submit('/signup', '/signup', { name: 'Nina Newcomer', email: 'nina@example.org', password: 'violet harbour lantern' }))
        .statusCode,
    ).toBe(303);
    const block = printed.find((p) => p.includes('To:      nina@example.org'));
    expect(block).toBeDefined();
    expect(block).toContain('Mail not sent (SMTP_URL is not set); kept at /admin/outbox');
    expect(block).toContain('Subject: Confirm your email for Scholia');
    const link = /^ {2}(http:\/\/scholia\.test\/verify\?token=\S+)$/m.exec(block ?? '')?.[1];
    expect(link).toBeDefined();
    const path = (link as string).replace('http://scholia.test', '');
    const confirmed = await c.submit(path, '/verify', { token: path.split('=')[1] as string });
    expect(confirmed.statusCode).toBe(303);
    expect((await c.get('/')).body).toContain('Signed in as </span>Nina Newcomer');
  });

  it('prints a sign-in code', async () => {
    await createUser(t.database.db, { email: 'codey@example.org', name: 'Codey', password: 'amber meadow compass' });
    const c = new Client(t.app, '10.9.0.2');
    await c.submit('/login/code', '/login/code', { email: 'codey@example.org' });
    const block = printed.find((p) => p.includes('To:      codey@example.org'));
    expect(block).toMatch(/Codes: {3}\d{6}/);
  });
});
