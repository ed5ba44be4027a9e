import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../src/modules/accounts/index.ts';
import { buildTestApp, type TestApp } from './helpers/app.ts';
import { engines } from './helpers/databases.ts';
import { makeQuestion } from './helpers/factories.ts';
import { Client, TestClock } from './helpers/http.ts';

const PASSWORD = 'correct horse battery';

describe.each(engines)('signing in with a password on %s', (engine) => {
  let t: TestApp;
  const clock = new TestClock();
  let questionUrl: string;
  let n = 0;
  /** Each test signs in from its own address, so lockouts in one test do not leak into another. */
  const client = () => new Client(t.app, `198.51.100.${++n}`);

  beforeAll(async () => {
    t = await buildTestApp(engine, { clock });
    await createUser(t.database.db, { email: 'ana@example.org', name: 'Ana Student', password: PASSWORD });
    await createUser(t.database.db, { email: 'locked@example.org', name: 'Lou Locked', password: PASSWORD });
    await createUser(t.database.db, { email: 'idle@example.org', name: 'Ida Idle', password: PASSWORD });
    const id = await makeQuestion(t.database.db, { title: 'Why did the Berlin Wall fall in 1989?' });
    questionUrl = `/q/${id}/why-did-the-berlin-wall-fall-in-1989`;
  });
  afterAll(async () => {
    await t.close();
  });

  it('signs in, shows the name on every page, and signs out', async () => {
    const c = client();
    const res = await c.submit('/login?next=/subjects', '/login', { email: 'ANA@example.org ', password: PASSWORD, next: '/subjects' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/subjects');
    const setCookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((h) => h.startsWith('scholia_session='));
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    expect(setCookie).not.toMatch(/Secure/); // the test site is served over http
    for (const url of ['/', '/subjects', questionUrl]) {
      const page = await c.get(url);
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('Signed in as </span>Ana Student');
    }
    // The visitor's cached copy of the question page is not what a signed-in reader gets, nor the reverse.
    const visitor = await new Client(t.app).get(questionUrl);
    expect(visitor.body).toContain('href="/login"');
    expect(visitor.body).not.toContain('Ana Student');

    const out = await c.submit('/logout', '/logout', {});
    expect(out.statusCode).toBe(303);
    expect((await c.get('/')).body).toContain('href="/login"');
  });

  it('gives the same answer for an unknown email and a wrong password, and keeps the typed email', async () => {
    const unknown = await client().submit('/login', '/login', { email: 'nobody@example.org', password: 'whatever123' });
    const wrong = await client().submit('/login', '/login', { email: 'ana@example.org', password: 'whatever123' });
    expect(unknown.statusCode).toBe(401);
    expect(wrong.statusCode).toBe(401);
    const message = (body: string) => /<p class="form-error" role="alert" id="login-error">([^<]+)</.exec(body)?.[1];
    expect(message(unknown.body)).toBe(message(wrong.body));
    expect(unknown.body).toContain('value="nobody@example.org"');
    expect(unknown.body).not.toContain('whatever123');
  });

  it('refuses a sign-in without a valid CSRF token and signs nobody in', async () => {
    const c = client();
    await c.get('/login');
    const noToken = await c.post('/login', { email: 'ana@example.org', password: PASSWORD });
    expect(noToken.statusCode).toBe(403);
    expect(noToken.body).toContain('value="ana@example.org"');
    const forged = await c.post('/login', { _csrf: 'forged-token', email: 'ana@example.org', password: PASSWORD });
    expect(forged.statusCode).toBe(403);
    expect(c.cookies.has('scholia_session')).toBe(false);
    // A logout forged from another site is refused too.
    const signedIn = client();
    await signedIn.submit('/login', '/login', { email: 'ana@example.org', password: PASSWORD });
    const forgedOut = await signedIn.post('/logout', {});
    expect(forgedOut.statusCode).toBe(403);
    expect((await signedIn.get('/')).body).toContain('Ana Student');
  });

  it('issues a new session id at sign-in, so a planted id is worth nothing (session fixation)', async () => {
    const planted = 'B'.repeat(43);
    const victim = client();
    victim.cookies.set('scholia_session', planted);
    await victim.submit('/login', '/login', { email: 'ana@example.org', password: PASSWORD });
    const first = victim.cookies.get('scholia_session') as string;
    expect(first).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(first).not.toBe(planted);

    // Signing in again over a live session replaces it; the old id stops working.
    const copy = client();
    copy.cookies.set('scholia_session', first);
    expect((await copy.get('/')).body).toContain('Ana Student');
    await victim.submit('/logout', '/login', { email: 'ana@example.org', password: PASSWORD });
    expect(victim.cookies.get('scholia_session')).not.toBe(first);
    expect((await victim.get('/')).body).toContain('Ana Student');
    expect((await copy.get('/')).body).toContain('href="/login"');
  });

  it('locks an account after 5 failures, before checking any password, and lets it in once the lock expires', async () => {
    const tries = Array.from({ length: 5 }, (_, i) => i);
    const statuses: number[] = [];
    for (const _ of tries)
      statuses.push((await client().submit('/login', '/login', { email: 'locked@example.org', password: 'wrong-password' })).statusCode);
    expect(statuses).toEqual([401, 401, 401, 401, 429]);
    const during = await client().submit('/login', '/login', { email: 'locked@example.org', password: PASSWORD });
    expect(during.statusCode).toBe(429);
    expect(during.headers['retry-after']).toBe('30');
    expect(during.body).toContain('Try again in 1 minute');
    clock.advance(31_000);
    const after = await client().submit('/login', '/login', { email: 'locked@example.org', password: PASSWORD });
    expect(after.statusCode).toBe(303);
  });

  it('doubles the lock with each further failure', async () => {
    await createUser(t.database.db, { email: `grow${engine}@example.org`, name: 'Grow', password: PASSWORD });
    const c = client();
    const retry: string[] = [];
    for (let i = 0; i < 7; i++) {
      const res = await c.submit('/login', '/login', { email: `grow${engine}@example.org`, password: 'wrong-password' });
      if (res.statusCode === 429) retry.push(res.headers['retry-after'] as string);
      clock.advance(Number(res.headers['retry-after'] ?? 0) * 1000 + 1000);
    }
    expect(retry).toEqual(['30', '60', '120']);
  });

  it('locks an address that fails across many accounts', async () => {
    const c = client();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push((await c.submit('/login', '/login', { email: `spray${i}@example.org`, password: 'guess-123' })).statusCode);
    expect(statuses.slice(0, 4)).toEqual([401, 401, 401, 401]);
    expect(statuses[4]).toBe(429);
    // Even the right password waits while the address is locked.
    expect((await c.submit('/login', '/login', { email: 'ana@example.org', password: PASSWORD })).statusCode).toBe(429);
    clock.advance(31_000);
  });

  it('ends a session after the idle timeout and at its absolute end', async () => {
    const c = client();
    await c.submit('/login', '/login', { email: 'idle@example.org', password: PASSWORD });
    clock.advance(23 * 3600_000);
    expect((await c.get('/')).body).toContain('Ida Idle');
    clock.advance(23 * 3600_000); // used 23 h ago: still within the 24 h idle timeout
    expect((await c.get('/')).body).toContain('Ida Idle');
    clock.advance(24 * 3600_000 + 1000);
    expect((await c.get('/')).body).toContain('href="/login"');

    const d = client();
    await d.submit('/login', '/login', { email: 'idle@example.org', password: PASSWORD });
    for (let i = 0; i < 37; i++) {
      // Active every 20 hours (never idle), for 30.8 days in all.
      clock.advance(20 * 3600_000);
      const page = await d.get('/');
      // Alive while under 30 days from sign-in.
      if (i < 35) expect(page.body, `after ${(i + 1) * 20} h`).toContain('Ida Idle');
    }
    expect((await d.get('/')).body).toContain('href="/login"');
  });

  it('treats a tampered or unknown session cookie as a visitor', async () => {
    const c = client();
    c.cookies.set('scholia_session', 'A'.repeat(43));
    const res = await c.get('/');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('href="/login"');
    c.cookies.set('scholia_session', '<script>');
    expect((await c.get('/')).statusCode).toBe(200);
  });

  it.each([
    ['//evil.example/x', '/'],
    ['https://evil.example', '/'],
    ['/\\evil.example', '/'],
    ['/subjects/math?after=x', '/subjects/math?after=x'],
  ])('sends a signed-in reader only to same-site pages (next=%s)', async (next, expected) => {
    const res = await client().submit('/login', '/login', { email: 'ana@example.org', password: PASSWORD, next });
    expect(res.headers.location).toBe(expected);
  });
});
