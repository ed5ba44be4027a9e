import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../src/modules/accounts/index.ts';
import { readOutbox } from '../src/modules/mail/index.ts';
import { buildTestApp, type TestApp } from './helpers/app.ts';
import { engines } from './helpers/databases.ts';
import { makeQuestion } from './helpers/factories.ts';
import { Client, TestClock } from './helpers/http.ts';

// A visitor who asks for the free trial (the header's button, the paywall's) makes an account, confirms the
// address from the email, and lands on a page that starts the trial they asked for with one button, then goes
// back to what they were reading. Opening that page starts nothing: only its form (a POST with a token) does.

const CANARY = 'Only members read this closing line 5e1d.';
const FILLER = Array.from({ length: 12 }, (_, i) => `Paragraph ${i} sets out one more step of the argument, slowly and in order.`).join(
  '\n\n',
);

const unescapeHtml = (s: string) =>
  s
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'");

/** The value of the first hidden input of this name on a page. */
const hidden = (html: string, name: string) => {
  const m = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  return m ? unescapeHtml(m[1] as string) : undefined;
};

describe.each(engines)('the free trial kept across sign-up and verification on %s', (engine) => {
  let t: TestApp;
  const clock = new TestClock();
  let questionPath: string;
  let n = 0;
  const visitor = () => new Client(t.app, `198.51.100.${++n}`);

  /** Signs up through the form at `signupPath` and confirms the address by the emailed link; the 303 after confirming. */
  async function signUpAndVerify(c: Client, signupPath: string, email: string) {
    const form = await c.get(signupPath);
    expect(form.statusCode).toBe(200);
    const next = hidden(form.body, 'next');
    const sent = await c.submit(signupPath, '/signup', {
      name: 'Tess Trial',
      email,
      password: 'tess tries everything once',
      ...(next ? { next } : {}),
    });
    expect(sent.statusCode).toBe(303);
    const [mail] = await readOutbox(t.database.db, { to: email, limit: 1 });
    const link = /\/verify\?token=[A-Za-z0-9_-]{43}/.exec(mail?.text ?? '')?.[0];
    expect(link, 'the verification link').toBeDefined();
    const confirmed = await c.submit(link as string, '/verify', { token: (link as string).split('=')[1] as string });
    expect(confirmed.statusCode).toBe(303);
    return confirmed;
  }

  beforeAll(async () => {
    t = await buildTestApp(engine, { clock });
    const id = await makeQuestion(t.database.db, {
      subject: 'Math',
      title: 'How do you prove that the square root of two is irrational?',
      answer: `${FILLER}\n\n${CANARY}`,
    });
    questionPath = `/q/${id}/how-do-you-prove-that-the-square-root-of-two-is-irrational`;
  });
  afterAll(async () => {
    await t.close();
  });

  it('leads from the paywall through sign-up and the emailed link to one button, then back to the answer', async () => {
    const c = visitor();
    const page = await c.get(questionPath);
    expect(page.body).not.toContain(CANARY);
    // The paywall's trial button names the trial and the page to come back to.
    const signupPath = unescapeHtml(
      /<a class="button" href="(\/signup\?next=[^"]+)">Start your 48-hour free trial/.exec(page.body)?.[1] ?? '',
    );
    expect(decodeURIComponent(signupPath.slice('/signup?next='.length))).toBe(
      `/membership?start=trial&back=${encodeURIComponent(questionPath)}`,
    );
    // The sign-up page says what comes next, and keeps where it leads.
    const form = await c.get(signupPath);
    expect(form.body).toContain('Your free trial is two steps away');

    const confirmed = await signUpAndVerify(c, signupPath, 'tess@example.org');
    const offerPath = confirmed.headers.location as string;
    expect(offerPath).toBe(`/membership?start=trial&back=${encodeURIComponent(questionPath)}`);

    // The page it lands on offers the trial with one button; opening it (twice) started nothing.
    const offer = await c.get(offerPath);
    expect(offer.statusCode).toBe(200);
    expect(offer.body).toContain('<h1>Start your free trial</h1>');
    expect(offer.body).toMatch(
      /<form method="post" action="\/membership\/trial"[^>]*>.*?<button type="submit" class="button">Start my free trial<\/button>/s,
    );
    expect(hidden(offer.body.slice(offer.body.indexOf('trial-offer')), 'next')).toBe(questionPath);
    await c.get(offerPath);
    expect((await c.get(questionPath)).body).not.toContain(CANARY);
    const row = await t.database.db.selectFrom('users').select('id').where('email', '=', 'tess@example.org').executeTakeFirstOrThrow();
    expect(await t.database.db.selectFrom('memberships').selectAll().where('user_id', '=', row.id).execute()).toEqual([]);

    // The one button: the trial starts and the reader is back on the answer, whole.
    const started = await c.submit(offerPath, '/membership/trial', { next: questionPath });
    expect(started.statusCode).toBe(303);
    expect(started.headers.location).toBe(questionPath);
    const answer = await c.get(questionPath);
    expect(answer.body).toContain(CANARY);
    expect(answer.body).toContain('Free trial: 48 hours left.');

    // Back on the offer's address as a member: no second button, the membership as it is.
    const after = await c.get(offerPath);
    expect(after.body).toContain('<h1>Membership</h1>');
    expect(after.body).not.toContain('Start my free trial');
    expect(after.body).toMatch(/You are a member \(trialing\) until <time datetime="[^"]+Z"/);
  });

  it('leads from the header through sign-up to the trial, and back to the membership page once it runs', async () => {
    const c = visitor();
    const home = await c.get('/');
    const signupPath = unescapeHtml(/<a class="nav-cta" href="([^"]+)">Start free trial<\/a>/.exec(home.body)?.[1] ?? '');
    expect(signupPath).toBe(`/signup?next=${encodeURIComponent('/membership?start=trial')}`);
    const confirmed = await signUpAndVerify(c, signupPath, 'hal@example.org');
    expect(confirmed.headers.location).toBe('/membership?start=trial');
    const offer = await c.get('/membership?start=trial');
    expect(offer.body).toContain('Start my free trial');
    expect(hidden(offer.body.slice(offer.body.indexOf('trial-offer')), 'next')).toBe('/membership');
    const started = await c.submit('/membership?start=trial', '/membership/trial', { next: '/membership' });
    expect(started.headers.location).toBe('/membership');
    expect((await c.get('/membership')).body).toContain('Free trial: 48 hours left.');
  });

  it('offers no second trial to someone who had one, and nothing but the usual page to a visitor', async () => {
    await createUser(t.database.db, { email: 'had@example.org', name: 'Had One', role: 'student', password: 'had one already, thanks' });
    const logIn = async () => {
      const c = visitor();
      expect((await c.submit('/login', '/login', { email: 'had@example.org', password: 'had one already, thanks' })).statusCode).toBe(303);
      return c;
    };
    expect((await (await logIn()).submit('/membership', '/membership/trial', { next: '/membership' })).statusCode).toBe(303);
    // The trial ran out; back another day.
    clock.advance(49 * 3600_000);
    const c = await logIn();
    const page = await c.get('/membership?start=trial');
    expect(page.body).toContain('<h1>Membership</h1>');
    expect(page.body).not.toContain('Start my free trial');
    expect(page.body).toContain('You have had your free trial.');

    const v = await visitor().get('/membership?start=trial');
    expect(v.statusCode).toBe(200);
    expect(v.body).not.toContain('Start my free trial');
    expect(v.body).toContain(`href="/signup?next=${encodeURIComponent('/membership?start=trial')}"`);
  });

  it('goes back only to a page of this site, and never in a loop to the offer', async () => {
    const c = visitor();
    await signUpAndVerify(c, '/signup', 'back@example.org');
    for (const [back, expected] of [
      ['https://evil.example/', '/membership'],
      ['//evil.example', '/membership'],
      ['/membership?start=trial', '/membership'],
      ['/subjects/math', '/subjects/math'],
    ]) {
      const page = await c.get(`/membership?start=trial&back=${encodeURIComponent(back as string)}`);
      expect(hidden(page.body.slice(page.body.indexOf('trial-offer')), 'next'), back).toBe(expected);
    }
  });
});
