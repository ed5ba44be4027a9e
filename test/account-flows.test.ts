import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../src/modules/accounts/index.ts';
import { buildTestApp, type TestApp } from './helpers/app.ts';
import { engines } from './helpers/databases.ts';
import { Client, TestClock } from './helpers/http.ts';
import { enrolTwoFactor } from './helpers/two-factor.ts';

const ADMIN_PASSWORD = 'admin password for tests';

const decodeEntities = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

describe.each(engines)('signing up, codes, links and resets on %s (mail in the outbox)', (engine) => {
  let t: TestApp;
  const clock = new TestClock();
  let n = 0;
  const client = () => new Client(t.app, `192.0.2.${++n}`);
  let admin: Client;

  /** The newest mail to an address, read the way an admin reads it: on /admin/outbox. */
  async function latestMail(to: string): Promise<{ subject: string; text: string } | undefined> {
    const page = await admin.get(`/admin/outbox?to=${encodeURIComponent(to)}`);
    expect(page.statusCode).toBe(200);
    const m = /<article class="card"><h2>([^<]*)<\/h2>.*?<pre class="mail-text">([^<]*)<\/pre>/s.exec(page.body);
    return m ? { subject: decodeEntities(m[1] as string), text: decodeEntities(m[2] as string) } : undefined;
  }
  async function mailCount(to: string): Promise<number> {
    return ((await admin.get(`/admin/outbox?to=${encodeURIComponent(to)}`)).body.match(/<article class="card">/g) ?? []).length;
  }
  const linkIn = (text: string, path: string) => {
    const m = new RegExp(`http://scholia\\.test${path.replace('/', '\\/')}\\?token=([A-Za-z0-9_-]{43})`).exec(text);
    if (!m) throw new Error(`no ${path} link in: ${text}`);
    return `${path}?token=${m[1]}`;
  };

  beforeAll(async () => {
    t = await buildTestApp(engine, { clock });
    await createUser(t.database.db, { email: 'admin@example.org', name: 'Ada Admin', role: 'admin', password: ADMIN_PASSWORD });
    admin = new Client(t.app, '10.0.0.1');
    expect((await admin.submit('/login', '/login', { email: 'admin@example.org', password: ADMIN_PASSWORD })).statusCode).toBe(303);
    await enrolTwoFactor(admin, clock.now());
  });
  afterAll(async () => {
    await t.close();
  });

  it('signs up, confirms the address by a link that needs a button press, and signs in', async () => {
    const c = client();
    // Post/redirect/get: the page the sign-up lands on says to check the mail.
    const res = await c.follow(
      await c.submit('/signup', '/signup', {
        name: 'Sam Student',
        email: 'Sam@Example.org',
        password: 'purple monkey dishwasher',
      }),
    );
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Check your email');
    const mail = await latestMail('sam@example.org');
    expect(mail?.subject).toBe('Confirm your email for Scholia');
    const link = linkIn(mail?.text ?? '', '/verify');

    // Opening the link (as a mail scanner would) spends nothing.
    const page = await c.get(link);
    expect(page.statusCode).toBe(200);
    expect((await c.get(link)).statusCode).toBe(200);
    const confirmed = await c.submit(link, '/verify', { token: link.split('=')[1] as string });
    expect(confirmed.statusCode).toBe(303);
    expect((await c.get('/')).body).toContain('Signed in as </span>Sam Student');
    // Used once, the link is dead.
    expect((await client().get(link)).statusCode).toBe(410);
    // And the password chosen at sign-up works.
    expect((await client().submit('/login', '/login', { email: 'sam@example.org', password: 'purple monkey dishwasher' })).statusCode).toBe(
      303,
    );
  });

  it('lands on the page the student signed up from, and never on another site', async () => {
    for (const [asked, landed] of [
      ['/q/7/a-question', '/q/7/a-question'],
      ['//evil.example/x', '/'],
      ['https://evil.example/', '/'],
    ] as const) {
      const c = client();
      const email = `next${landed.length}${asked.length}@example.org`;
      const form = await c.get(`/signup?next=${encodeURIComponent(asked)}`);
      expect(form.body.includes('name="next"')).toBe(landed !== '/');
      await c.submit(`/signup?next=${encodeURIComponent(asked)}`, '/signup', {
        name: 'Nick Next',
        email,
        password: 'a sturdy long passphrase',
        next: asked,
      });
      const link = linkIn((await latestMail(email))?.text ?? '', '/verify');
      const confirmed = await c.submit(link, '/verify', { token: link.split('=')[1] as string });
      expect(confirmed.headers.location).toBe(landed);
    }
  });

  it('keeps what was typed and says what is wrong, field by field', async () => {
    const res = await client().submit('/signup', '/signup', { name: '', email: 'not-an-email', password: 'password1' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('value="not-an-email"');
    expect(res.body).toContain('id="signup-name-error"');
    expect(res.body).toContain('Enter an email address');
    expect(res.body).toContain('one of the most common');
    expect(res.body).not.toContain('password1');
  });

  it('answers a sign-up for a taken address exactly like a new one, and tells the owner by mail', async () => {
    await createUser(t.database.db, { email: 'taken@example.org', name: 'Tara Taken', password: 'the original password' });
    const [tc, fc] = [client(), client()];
    const takenPost = await tc.submit('/signup', '/signup', {
      name: 'Someone',
      email: 'taken@example.org',
      password: 'another fine password',
    });
    const freshPost = await fc.submit('/signup', '/signup', {
      name: 'Someone',
      email: 'fresh@example.org',
      password: 'another fine password',
    });
    // The same redirect, and the same page behind it.
    expect(takenPost.headers.location).toBe(freshPost.headers.location);
    const [taken, fresh] = [await tc.follow(takenPost), await fc.follow(freshPost)];
    const strip = (html: string) => html.replace(/taken@example\.org|fresh@example\.org/g, 'X').replace(/name="_csrf" value="[^"]*"/g, '');
    expect(taken.statusCode).toBe(fresh.statusCode);
    expect(strip(taken.body)).toBe(strip(fresh.body));
    expect((await latestMail('taken@example.org'))?.subject).toBe('You already have a Scholia account');
    // The original password still works; the one typed at the second sign-up does not.
    expect((await client().submit('/login', '/login', { email: 'taken@example.org', password: 'the original password' })).statusCode).toBe(
      303,
    );
    expect((await client().submit('/login', '/login', { email: 'taken@example.org', password: 'another fine password' })).statusCode).toBe(
      401,
    );
  });

  it('gives a sign-up squatter nothing: only the password confirmed by the address owner counts', async () => {
    await client().submit('/signup', '/signup', { name: 'Mallory', email: 'victim@example.org', password: 'mallory owns this' });
    await client().submit('/signup', '/signup', { name: 'Victor Victim', email: 'victim@example.org', password: 'victor is the owner' });
    const link = linkIn((await latestMail('victim@example.org'))?.text ?? '', '/verify');
    const v = client();
    await v.submit(link, '/verify', { token: link.split('=')[1] as string });
    expect((await v.get('/')).body).toContain('Victor Victim');
    expect((await client().submit('/login', '/login', { email: 'victim@example.org', password: 'mallory owns this' })).statusCode).toBe(
      401,
    );
  });

  it('signs in with an emailed 6-digit code, once, and says the same for unknown addresses', async () => {
    await createUser(t.database.db, { email: 'coder@example.org', name: 'Cody Coder', password: 'cody password 1' });
    const c = client();
    const u = client();
    const sentPost = await c.submit('/login/code', '/login/code', { email: 'coder@example.org' });
    const unknownPost = await u.submit('/login/code', '/login/code', { email: 'ghost@example.org' });
    expect(sentPost.headers.location).toBe(unknownPost.headers.location);
    const [sent, unknown] = [await c.follow(sentPost), await u.follow(unknownPost)];
    expect(sent.statusCode).toBe(200);
    expect(unknown.statusCode).toBe(200);
    expect(sent.body).toContain('Enter your code');
    expect(unknown.body).toContain('Enter your code');
    expect(await mailCount('ghost@example.org')).toBe(0);
    const mail = await latestMail('coder@example.org');
    const code = /sign-in code is (\d{6})/.exec(mail?.subject ?? '')?.[1] as string;
    expect(code).toMatch(/^\d{6}$/);

    const wrong = await c.submit('/login/code', '/login/code/verify', {
      email: 'coder@example.org',
      code: code === '000000' ? '111111' : '000000',
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).toContain('That code is not right');
    const ok = await c.submit('/login/code', '/login/code/verify', { email: 'coder@example.org', code });
    expect(ok.statusCode).toBe(303);
    expect((await c.get('/')).body).toContain('Cody Coder');
    // Spent.
    const again = await client().submit('/login/code', '/login/code/verify', { email: 'coder@example.org', code });
    expect(again.statusCode).toBe(401);
  });

  it('expires codes and links after 10 minutes', async () => {
    await createUser(t.database.db, { email: 'late@example.org', name: 'Lee Late', password: 'lee password 12' });
    await client().submit('/login/code', '/login/code', { email: 'late@example.org' });
    const mail = await latestMail('late@example.org');
    const code = /sign-in code is (\d{6})/.exec(mail?.subject ?? '')?.[1] as string;
    const link = linkIn(mail?.text ?? '', '/login/link');
    clock.advance(10 * 60_000 + 1000);
    expect((await client().submit('/login/code', '/login/code/verify', { email: 'late@example.org', code })).statusCode).toBe(401);
    expect((await client().get(link)).statusCode).toBe(410);
  });

  it('signs in with the emailed link after a button press', async () => {
    await createUser(t.database.db, { email: 'linker@example.org', name: 'Lin Linker', password: 'lin password 12' });
    await client().submit('/login/code', '/login/code', { email: 'linker@example.org' });
    const link = linkIn((await latestMail('linker@example.org'))?.text ?? '', '/login/link');
    const c = client();
    const res = await c.submit(link, '/login/link', { token: link.split('=')[1] as string });
    expect(res.statusCode).toBe(303);
    expect((await c.get('/')).body).toContain('Lin Linker');
  });

  it('resets a password by link, ending every other session', async () => {
    await createUser(t.database.db, { email: 'forgot@example.org', name: 'Fay Forgot', password: 'old password 123' });
    const other = client();
    await other.submit('/login', '/login', { email: 'forgot@example.org', password: 'old password 123' });
    expect((await other.get('/')).body).toContain('Fay Forgot');

    const c = client();
    const nobody = client();
    const known = await c.submit('/reset', '/reset', { email: 'forgot@example.org' });
    const unknown = await nobody.submit('/reset', '/reset', { email: 'nobody-here@example.org' });
    // The same redirect for an address with an account and one without, to the same page.
    expect(known.headers.location).toBe(unknown.headers.location);
    expect((await c.follow(known)).body).toContain('Check your email');
    expect((await nobody.follow(unknown)).body).toContain('Check your email');
    const link = linkIn((await latestMail('forgot@example.org'))?.text ?? '', '/reset/confirm');
    const weak = await c.submit(link, '/reset/confirm', { token: link.split('=')[1] as string, password: 'qwertyuiop' });
    expect(weak.statusCode).toBe(400);
    expect(weak.body).toContain('most common');
    const done = await c.submit(link, '/reset/confirm', { token: link.split('=')[1] as string, password: 'brand new password 9' });
    expect(done.statusCode).toBe(303);
    expect((await c.get('/')).body).toContain('Fay Forgot');
    expect((await other.get('/')).body).toContain('href="/login"');
    expect((await client().submit('/login', '/login', { email: 'forgot@example.org', password: 'old password 123' })).statusCode).toBe(401);
    expect((await c.get(link)).statusCode).toBe(410);
  });

  it('limits how many codes one address gets in an hour', async () => {
    await createUser(t.database.db, { email: 'spam@example.org', name: 'Sam Spam', password: 'sam password 12' });
    const statuses: number[] = [];
    // What the browser shows after each request: the code page, or the limit (429, no redirect).
    const shown = async () => {
      const c = client();
      return (await c.follow(await c.submit('/login/code', '/login/code', { email: 'spam@example.org' }))).statusCode;
    };
    for (let i = 0; i < 6; i++) statuses.push(await shown());
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    expect(await mailCount('spam@example.org')).toBe(5);
    clock.advance(3600_000);
    expect(await shown()).toBe(200);
  });

  it('changes the email only after the new address confirms, telling the old one', async () => {
    await createUser(t.database.db, { email: 'mover@example.org', name: 'Mo Mover', password: 'mover password 1' });
    const c = client();
    await c.submit('/login', '/login', { email: 'mover@example.org', password: 'mover password 1' });
    const wrong = await c.submit('/account', '/account/email', { email: 'moved@example.org', password: 'nope nope nope' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('value="moved@example.org"');
    expect(wrong.body).toContain('That is not your password.');
    const sent = await c.follow(await c.submit('/account', '/account/email', { email: 'Moved@Example.org', password: 'mover password 1' }));
    expect(sent.body).toContain('We sent a link to moved@example.org');
    expect((await latestMail('mover@example.org'))?.subject).toBe('Your Scholia email is about to change');
    // Not changed yet.
    expect((await c.get('/account')).body).toContain('<strong>mover@example.org</strong>');
    const link = linkIn((await latestMail('moved@example.org'))?.text ?? '', '/account/email/confirm');
    expect((await c.submit(link, '/account/email/confirm', { token: link.split('=')[1] as string })).statusCode).toBe(303);
    expect((await c.get('/account')).body).toContain('<strong>moved@example.org</strong>');
    expect((await client().submit('/login', '/login', { email: 'moved@example.org', password: 'mover password 1' })).statusCode).toBe(303);
    expect((await client().get(link)).statusCode).toBe(410);
  });

  it('shows the outbox to admins only', async () => {
    const student = client();
    await createUser(t.database.db, { email: 'nosy@example.org', name: 'Nosy', password: 'nosy password 12' });
    await student.submit('/login', '/login', { email: 'nosy@example.org', password: 'nosy password 12' });
    expect((await student.get('/admin/outbox')).statusCode).toBe(403);
    const visitor = await client().get('/admin/outbox');
    expect(visitor.statusCode).toBe(303);
    expect(visitor.headers.location).toBe('/login?next=%2Fadmin%2Foutbox');
  });
});
