import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueAdminSetupToken } from '../src/modules/accounts/index.ts';
import { buildTestApp, type TestApp } from './helpers/app.ts';
import { engines } from './helpers/databases.ts';
import { Client, TestClock } from './helpers/http.ts';

describe.each(engines)('the first admin on %s', (engine) => {
  let t: TestApp;
  const clock = new TestClock();

  beforeAll(async () => {
    t = await buildTestApp(engine, { clock });
  });
  afterAll(async () => {
    await t.close();
  });

  it('is made once, in the browser, from the setup link a site without an admin prints', async () => {
    const stale = (await issueAdminSetupToken(t.database.db, clock)) as string;
    const token = (await issueAdminSetupToken(t.database.db, clock)) as string;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await new Client(t.app).get(`/setup?token=${stale}`)).statusCode).toBe(410);
    const c = new Client(t.app, '203.0.113.50');
    const bad = await c.submit(`/setup?token=${token}`, '/setup', { token, name: 'Root', email: 'root@example.org', password: 'short' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('value="root@example.org"');
    const ok = await c.submit(`/setup?token=${token}`, '/setup', {
      token,
      name: 'Root',
      email: 'root@example.org',
      password: 'the very first admin',
    });
    expect(ok.statusCode).toBe(303);
    // Signed in, and sent to set up two-factor sign-in, which admins must use.
    expect((await c.get('/')).headers.location).toBe('/account/2fa/setup');
    expect((await new Client(t.app).get(`/setup?token=${token}`)).statusCode).toBe(410);
    expect(await issueAdminSetupToken(t.database.db, clock)).toBeNull();
  });

  it('expires after 10 minutes', async () => {
    const other = await buildTestApp(engine, { clock });
    try {
      const token = (await issueAdminSetupToken(other.database.db, clock)) as string;
      clock.advance(10 * 60_000 + 1);
      expect((await new Client(other.app).get(`/setup?token=${token}`)).statusCode).toBe(410);
    } finally {
      await other.close();
    }
  });
});
