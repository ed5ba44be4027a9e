import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../src/modules/accounts/index.ts';
import { addHouseAd } from '../src/modules/ads/index.ts';
import { outboxMailer } from '../src/modules/mail/index.ts';
import { sendTrialReminders } from '../src/modules/membership/membership.service.ts';
import { buildTestApp, type TestApp } from './helpers/app.ts';
import { engines } from './helpers/databases.ts';
import { makeQuestion } from './helpers/factories.ts';
import { Client, TestClock } from './helpers/http.ts';

const PW = 'membership test password';
const CANARY = 'The canary sings only for members 7f3a9c.';
const FILLER = Array.from(
  { length: 12 },
  (_, i) => `Paragraph ${i} explains one more cause of the revolution in plain words for students.`,
).join('\n\n');

describe.each(engines)('membership and the paywall on %s', (engine) => {
  let t: TestApp;
  const clock = new TestClock();
  let url: string;
  let n = 0;
  const signedIn = async (email: string) => {
    const c = new Client(t.app, `100.80.0.${++n}`);
    expect((await c.submit('/login', '/login', { email, password: PW })).statusCode).toBe(303);
    return c;
  };
  const startTrial = (c: Client) => c.submit(url, '/membership/trial', { next: url });

  beforeAll(async () => {
    t = await buildTestApp(engine, { clock });
    const id = await makeQuestion(t.database.db, {
      subject: 'History',
      title: 'What were the deeper causes of the French Revolution?',
      quickAnswer: 'Debt, a rigid society and new ideas. The quick answer is free.',
      answer: `${FILLER}\n\n${CANARY}`,
    });
    url = `/q/${id}/what-were-the-deeper-causes-of-the-french-revolution`;
    await addHouseAd(
      t.database.db,
      { placement: 'question-sidebar', headline: 'Try Scholia ad-free', body: 'Members see no ads.', linkUrl: '/membership' },
      clock,
    );
  });
  afterAll(async () => {
    await t.close();
  });

  const surfaces = () => [url, '/', '/subjects/history', '/search?q=revolution', '/membership'];

  it('never sends the gated part to a visitor, a crawler or a student without membership', async () => {
    await createUser(t.database.db, { email: 'free@example.org', name: 'Free Reader', password: PW });
    const readers = [new Client(t.app), await signedIn('free@example.org')];
    for (const c of readers) {
      for (const path of surfaces()) {
        const res = await c.get(path);
        expect(res.body, path).not.toContain('7f3a9c');
      }
    }
    const crawler = await t.app.inject({
      method: 'GET',
      url,
      headers: { 'user-agent': 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)' },
    });
    expect(crawler.body).not.toContain('7f3a9c');
    const page = await new Client(t.app).get(url);
    expect(page.body).toContain('data-ad-slot="question-sidebar"');
    expect(page.body).toContain('Paragraph 0 explains');
    expect(page.body).toContain('Start your 48-hour free trial');
    expect(page.body).toContain('Already a member?');
    expect(page.body).toContain('The quick answer is free.');
    expect(page.body).not.toContain('Paragraph 11 explains');
  });

  it('marks the gated part in JSON-LD and puts only free text in it', async () => {
    for (const c of [new Client(t.app), await signedIn('free@example.org')]) {
      const html = (await c.get(url)).body;
      const raw = /<script type="application\/ld\+json">(.*?)<\/script>/s.exec(html)?.[1] as string;
      const data = JSON.parse(raw);
      expect(data['@type']).toBe('QAPage');
      expect(data.isAccessibleForFree).toBe(false);
      expect(data.hasPart).toEqual({ '@type': 'WebPageElement', isAccessibleForFree: false, cssSelector: '.expert-answer-body' });
      expect(data.mainEntity.name).toBe('What were the deeper causes of the French Revolution?');
      // The expert answer's opening, as this reader sees it: never the part behind the paywall.
      expect(data.mainEntity.acceptedAnswer.text).toMatch(/^Paragraph 0 explains one more cause/);
      expect(raw).not.toContain('7f3a9c');
      expect(html).toContain('class="prose gated-preview expert-answer-body"');
    }
  });

  it('starts the free trial, shows everything with the time left, and cancels in one click', async () => {
    await createUser(t.database.db, { email: 'trier@example.org', name: 'Tri Er', password: PW });
    const c = await signedIn('trier@example.org');
    const before = await c.get(url);
    expect(before.body).not.toContain('7f3a9c');
    expect(before.body).toContain('action="/membership/trial"');
    const started = await startTrial(c);
    expect(started.statusCode).toBe(303);
    expect(started.headers.location).toBe(url);
    expect(before.body).toContain('data-ad-slot="question-sidebar"');
    const after = await c.get(url);
    expect(after.body).toContain(CANARY);
    expect(after.body).not.toContain('data-ad-slot');
    expect(after.body).not.toContain('Try Scholia ad-free');
    expect(after.body).not.toContain('action="/membership/trial"');
    expect(after.body).toContain('Free trial: 48 hours left.');
    const posted = await c.submit('/membership', '/membership/cancel', {});
    // Post/redirect/get: the membership page shows the result once; a refresh neither cancels again nor repeats it.
    expect(posted.statusCode).toBe(303);
    expect(posted.headers.location).toBe('/membership');
    const canceled = await c.follow(posted);
    expect(canceled.body).toContain('nothing will be charged');
    expect((await c.get('/membership')).body).not.toContain('nothing will be charged');
    const still = await c.get(url);
    expect(still.body).toContain(CANARY);
    expect(still.body).toContain('Your free trial is canceled');
  });

  it('ends access at the trial’s end, to the second', async () => {
    await createUser(t.database.db, { email: 'edge@example.org', name: 'Edge', password: PW });
    const c = await signedIn('edge@example.org');
    await startTrial(c);
    // Reading now and then, so the session (24 hours idle) stays alive across the 48 hours.
    for (let i = 0; i < 2; i++) {
      clock.advance(20 * 3600_000);
      expect((await c.get(url)).body).toContain(CANARY);
    }
    clock.advance(8 * 3600_000 - 1000);
    expect((await c.get(url)).body).toContain(CANARY);
    clock.advance(1000);
    const expired = await c.get(url);
    expect(expired.body).not.toContain('7f3a9c');
    expect(expired.body).toContain('Read the whole expert answer');
    // And no second trial.
    expect((await startTrial(c)).statusCode).toBe(409);
  });

  it('mails one reminder shortly before a trial ends, and none for a canceled trial', async () => {
    await createUser(t.database.db, { email: 'keen@example.org', name: 'Keen', password: PW });
    await createUser(t.database.db, { email: 'quitter@example.org', name: 'Quitter', password: PW });
    const k = await signedIn('keen@example.org');
    const q = await signedIn('quitter@example.org');
    await startTrial(k);
    await startTrial(q);
    await q.submit('/membership', '/membership/cancel', {});
    const send = () =>
      sendTrialReminders(t.database.db, outboxMailer(t.database.db, clock), { name: 'Scholia', url: 'http://scholia.test' }, 6, clock);
    const mails = (userEmail: string) =>
      t.database.db.selectFrom('outbox').select(['subject', 'text_body']).where('to_address', '=', userEmail).execute();
    clock.advance(41 * 3600_000); // 7 hours left: too early
    expect(await send()).toBe(0);
    clock.advance(2 * 3600_000); // 5 hours left
    await send();
    await send(); // twice: still one mail
    const got = await mails('keen@example.org');
    expect(got).toHaveLength(1);
    expect(got[0]?.subject).toBe('Your Scholia free trial ends in 5 hours');
    expect(got[0]?.text_body).toContain('nothing will be charged');
    expect(await mails('quitter@example.org')).toEqual([]);
    clock.advance(6 * 3600_000);
  });

  it('gives one trial per person, Gmail aliases included', async () => {
    await createUser(t.database.db, { email: 'ana.bee@gmail.com', name: 'Ana', password: PW });
    await createUser(t.database.db, { email: 'anabee+school@googlemail.com', name: 'Ana again', password: PW });
    expect((await startTrial(await signedIn('ana.bee@gmail.com'))).statusCode).toBe(303);
    const second = await startTrial(await signedIn('anabee+school@googlemail.com'));
    expect(second.statusCode).toBe(409);
    expect(second.body).toContain('already had its free trial');
    // A refusal, in the error style, and no button to start what cannot start; the next step instead.
    expect(second.body).toMatch(/<p class="form-error" role="alert">This account \(or this email address\) has already had its free trial/);
    expect(second.body).not.toContain('action="/membership/trial"');
    expect(second.body).toContain('You have had your free trial.');
  });

  it('twenty simultaneous starts by one person give one trial', async () => {
    const user = await createUser(t.database.db, { email: 'racer@example.org', name: 'Racer', password: PW });
    const c = await signedIn('racer@example.org');
    const page = await c.get(url);
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] as string;
    const results = await Promise.all(Array.from({ length: 20 }, () => c.post('/membership/trial', { _csrf: token, next: url })));
    const codes = results.map((r) => r.statusCode);
    expect(codes.filter((s) => s === 303).length).toBeGreaterThanOrEqual(1);
    expect(codes.every((s) => s === 303 || s === 409)).toBe(true);
    const claims = await t.database.db.selectFrom('trial_claims').select('identity').where('user_id', '=', user.id).execute();
    expect(claims).toHaveLength(1);
    const memberships = await t.database.db.selectFrom('memberships').selectAll().where('user_id', '=', user.id).execute();
    expect(memberships).toHaveLength(1);
  });
});

describe.each(engines)('plans and complimentary memberships on %s', (engine) => {
  let t: TestApp;
  const clock = new TestClock();
  let admin: Client;

  beforeAll(async () => {
    t = await buildTestApp(engine, { clock });
    await createUser(t.database.db, { email: 'plans-admin@example.org', name: 'Pat Admin', role: 'admin', password: PW });
    admin = new Client(t.app, '100.90.0.1');
    await admin.submit('/login', '/login', { email: 'plans-admin@example.org', password: PW });
    const { enrolTwoFactor } = await import('./helpers/two-factor.ts');
    await enrolTwoFactor(admin, clock.now());
  });
  afterAll(async () => {
    await t.close();
  });

  it('admins add plans with checked fields; /membership lists the offered ones', async () => {
    const bad = await admin.submit('/admin/plans', '/admin/plans', {
      name: 'Monthly',
      interval: 'month',
      price: 'nine',
      currency: 'dollars',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Write the price like 9.99.');
    expect(bad.body).toContain('value="Monthly"');
    expect(
      (await admin.submit('/admin/plans', '/admin/plans', { name: 'Monthly', interval: 'month', price: '9.99', currency: 'usd' }))
        .statusCode,
    ).toBe(303);
    expect(
      (await admin.submit('/admin/plans', '/admin/plans', { name: 'Yearly', interval: 'year', price: '79', currency: 'EUR' })).statusCode,
    ).toBe(303);
    const plans = await admin.get('/admin/plans');
    expect(plans.body).toContain('Monthly');
    expect(plans.body).toContain('Yearly');
    // Local mode takes no payment, so /membership shows no price it could not take (Stripe mode lists the plans).
    const membership = await new Client(t.app).get('/membership');
    expect(membership.body).toMatch(/<meta name="description" content="Members read every expert answer and study guide without ads\./);
    expect(membership.body).not.toContain('$9.99');
    expect(membership.body).not.toContain('€79.00');
    expect(membership.body).toContain('This site takes no payment');
    const student = new Client(t.app, '100.90.0.2');
    await createUser(t.database.db, { email: 'plain@example.org', name: 'Plain', password: PW });
    await student.submit('/login', '/login', { email: 'plain@example.org', password: PW });
    expect((await student.get('/admin/plans')).statusCode).toBe(403);
  });

  it('admins add house ads, with the link checked', async () => {
    const bad = await admin.submit('/admin/ads', '/admin/ads', {
      placement: 'question-sidebar',
      headline: 'Click',
      body: '',
      linkUrl: 'javascript:alert(1)',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Link to a page of this site');
    const ok = await admin.follow(
      await admin.submit('/admin/ads', '/admin/ads', {
        placement: 'question-sidebar',
        headline: 'Summer reading guides',
        body: 'New guides every week.',
        linkUrl: '/membership',
      }),
    );
    expect(ok.body).toContain('Summer reading guides</strong> → /membership · showing');
    const id = await makeQuestion(t.database.db, { title: 'Where do the ads appear on a page?' });
    const visitor = await new Client(t.app).get(`/q/${id}/where-do-the-ads-appear-on-a-page`);
    expect(visitor.body).toMatch(/data-ad-slot="question-sidebar".*Summer reading guides/s);
  });

  it('admins give a membership until a date; it shows on the billing page and ends then', async () => {
    const u = await createUser(t.database.db, { email: 'gift@example.org', name: 'Gift', password: PW });
    const end = new Date(clock.now().getTime() + 3 * 86_400_000).toISOString().slice(0, 10);
    const res = await admin.submit('/admin/users', `/admin/users/${u.id}/membership`, { until: end });
    expect(res.statusCode).toBe(303);
    const c = new Client(t.app, '100.90.0.3');
    await c.submit('/login', '/login', { email: 'gift@example.org', password: PW });
    const billing = await c.get('/account/billing');
    expect(billing.body).toContain('Status: <strong>active</strong> (given by the site)');
    expect((await admin.submit('/admin/users', `/admin/users/${u.id}/membership`, { until: '2000-01-01' })).statusCode).toBe(400);
  });
});
