import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../src/modules/accounts/index.ts';
import { buildTestApp, type TestApp } from './helpers/app.ts';
import { engines } from './helpers/databases.ts';
import { Client, TestClock } from './helpers/http.ts';
import { enrolTwoFactor, totpCode } from './helpers/two-factor.ts';

const PW = 'two factor test password';

describe.each(engines)('two-factor sign-in on %s', (engine) => {
  let t: TestApp;
  const clock = new TestClock();
  let n = 0;
  const client = () => new Client(t.app, `198.51.100.${100 + ++n}`);
  /** Waits for the next 30-second step, so a fresh code exists (each code works once). */
  const nextStep = () => clock.advance(30_000);

  beforeAll(async () => {
    t = await buildTestApp(engine, { clock });
  });
  afterAll(async () => {
    await t.close();
  });

  async function studentWithTwoFactor(email: string) {
    await createUser(t.database.db, { email, name: email.split('@')[0] as string, password: PW });
    const c = client();
    await c.submit('/login', '/login', { email, password: PW });
    return enrolTwoFactor(c, clock.now());
  }

  it('asks for the code after the password, and signs in only with a right one', async () => {
    const { secret } = await studentWithTwoFactor('tf1@example.org');
    nextStep();
    const c = client();
    const first = await c.submit('/login', '/login', { email: 'tf1@example.org', password: PW });
    expect(first.statusCode).toBe(303);
    expect(first.headers.location).toBe('/login/2fa?next=%2F');
    expect(c.cookies.has('scholia_session')).toBe(false);
    const wrong = await c.submit('/login/2fa', '/login/2fa', { code: '000000' === totpCode(secret, clock.now()) ? '111111' : '000000' });
    expect(wrong.statusCode).toBe(401);
    const ok = await c.submit('/login/2fa', '/login/2fa', { code: totpCode(secret, clock.now()) });
    expect(ok.statusCode).toBe(303);
    expect((await c.get('/')).body).toContain('Signed in as');
  });

  it('refuses a code already used (no replay within its 30 seconds)', async () => {
    const { secret } = await studentWithTwoFactor('tf2@example.org');
    nextStep();
    const code = totpCode(secret, clock.now());
    const a = client();
    await a.submit('/login', '/login', { email: 'tf2@example.org', password: PW });
    expect((await a.submit('/login/2fa', '/login/2fa', { code })).statusCode).toBe(303);
    const b = client();
    await b.submit('/login', '/login', { email: 'tf2@example.org', password: PW });
    expect((await b.submit('/login/2fa', '/login/2fa', { code })).statusCode).toBe(401);
  });

  it('takes each recovery code once', async () => {
    const { recoveryCodes } = await studentWithTwoFactor('tf3@example.org');
    const a = client();
    await a.submit('/login', '/login', { email: 'tf3@example.org', password: PW });
    expect((await a.submit('/login/2fa', '/login/2fa', { code: (recoveryCodes[0] as string).toUpperCase() })).statusCode).toBe(303);
    const b = client();
    await b.submit('/login', '/login', { email: 'tf3@example.org', password: PW });
    expect((await b.submit('/login/2fa', '/login/2fa', { code: recoveryCodes[0] as string })).statusCode).toBe(401);
    expect((await a.get('/account')).body).toContain('9 unused recovery codes left');
  });

  it('locks after repeated wrong codes', async () => {
    await studentWithTwoFactor('tf4@example.org');
    const c = client();
    await c.submit('/login', '/login', { email: 'tf4@example.org', password: PW });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await c.submit('/login/2fa', '/login/2fa', { code: '12345a' })).statusCode);
    expect(statuses).toEqual([401, 401, 401, 401, 429]);
    clock.advance(60_000);
  });

  it('is turned off only with the password and a code, and then sign-in asks for neither code', async () => {
    const { secret } = await studentWithTwoFactor('tf5@example.org');
    nextStep();
    const c = client();
    await c.submit('/login', '/login', { email: 'tf5@example.org', password: PW });
    await c.submit('/login/2fa', '/login/2fa', { code: totpCode(secret, clock.now()) });
    nextStep();
    const wrong = await c.submit('/account', '/account/2fa/disable', { password: 'not the password', code: totpCode(secret, clock.now()) });
    expect(wrong.headers.location).toBe('/account?two_factor=wrong');
    nextStep();
    const off = await c.submit('/account', '/account/2fa/disable', { password: PW, code: totpCode(secret, clock.now()) });
    expect(off.headers.location).toBe('/account?two_factor=off');
    const again = await client().submit('/login', '/login', { email: 'tf5@example.org', password: PW });
    expect(again.headers.location).toBe('/');
  });

  it('holds admins to it by default, and admins choose the roles that must use it', async () => {
    await createUser(t.database.db, { email: 'boss@example.org', name: 'Boss', role: 'admin', password: PW });
    await createUser(t.database.db, { email: 'ed@example.org', name: 'Ed', role: 'editor', password: PW });
    const admin = client();
    await admin.submit('/login', '/login', { email: 'boss@example.org', password: PW });
    for (const url of ['/', '/admin/users', '/account']) {
      const res = await admin.get(url);
      expect(res.statusCode, url).toBe(303);
      expect(res.headers.location).toBe('/account/2fa/setup');
    }
    await enrolTwoFactor(admin, clock.now());
    expect((await admin.get('/admin/users')).statusCode).toBe(200);

    const editor = client();
    await editor.submit('/login', '/login', { email: 'ed@example.org', password: PW });
    expect((await editor.get('/admin/users')).statusCode).toBe(200);
    expect((await editor.get('/admin/settings')).statusCode).toBe(403);
    // A form without its CSRF token changes nothing.
    expect((await admin.post('/admin/settings', { require: 'student' })).statusCode).toBe(303);
    expect((await admin.get('/admin/settings')).body).not.toMatch(/value="student" checked/);
    // Tick admin and editor (the field repeats).
    const page = await admin.get('/admin/settings');
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] as string;
    await t.app.inject({
      method: 'POST',
      url: '/admin/settings',
      payload: `_csrf=${encodeURIComponent(token)}&require=admin&require=editor`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: [...admin.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
      remoteAddress: '198.51.100.250',
    });
    expect((await admin.get('/admin/settings')).body).toMatch(/id="require-editor" name="require" value="editor" checked/);
    const gated = await editor.get('/admin/users');
    expect(gated.headers.location).toBe('/account/2fa/setup');
  });
});
