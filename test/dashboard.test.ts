import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../src/modules/accounts/index.ts';
import {
  type AskingDeps,
  actorFor,
  approve,
  askQuestion,
  checkAnswer,
  checkAsk,
  claim,
  saveAnswer,
} from '../src/modules/asking/asking.service.ts';
import { cancelTrial, startLocalTrial } from '../src/modules/membership/membership.service.ts';
import { buildTestApp, type TestApp } from './helpers/app.ts';
import { engines } from './helpers/databases.ts';
import { makeQuestion } from './helpers/factories.ts';
import { FakeStripe, WEBHOOK_SECRET } from './helpers/fake-stripe.ts';
import { Client, TestClock } from './helpers/http.ts';
import { enrolTwoFactor } from './helpers/two-factor.ts';

const PW = 'dashboard test password';
const ANSWER = Array.from(
  { length: 6 },
  (_, i) => `Step ${i + 1} of the answer explains one more part of what happened and why it mattered.`,
).join('\n\n');

/** The value shown for a figure of the dashboard (its <dt> term, then the first <dd>). */
function figure(html: string, term: string): string | undefined {
  const escaped = term.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`<dt>${escaped}</dt><dd>([^<]*)</dd>`).exec(html)?.[1];
}

/** A clock tests set to an instant. */
function setClock(clock: TestClock, iso: string): void {
  clock.advance(Date.parse(iso) - clock.now().getTime());
}

describe.each(engines)('the admin dashboard on %s', (engine) => {
  let t: TestApp;
  const clock = new TestClock(Date.parse('2026-10-01T00:00:00Z'));
  let admin: Client;
  let n = 0;

  const signIn = async (email: string) => {
    const c = new Client(t.app, `198.51.100.${++n}`);
    expect((await c.submit('/login', '/login', { email, password: PW })).statusCode).toBe(303);
    return c;
  };

  beforeAll(async () => {
    t = await buildTestApp(engine, { clock, config: { answerTargetHours: 24, questionsPerMonth: 100, trialHours: 48 } });
    const db = t.database.db;
    // A published question a search can find, and the subject asked questions go to.
    await makeQuestion(db, { subject: 'History', title: 'What caused the Great Fire of London in 1666?' });
    const student = await createUser(db, { email: 'student@example.org', name: 'Sam Student', password: PW });
    const educator = await createUser(db, {
      email: 'educator@example.org',
      name: 'Edna Educator',
      password: PW,
      role: 'educator',
      subjects: ['history'],
    });
    const editor = await createUser(db, { email: 'editor@example.org', name: 'Edie Editor', password: PW, role: 'editor' });
    await createUser(db, { email: 'admin@example.org', name: 'Ada Admin', password: PW, role: 'admin' });
    const deps: AskingDeps = {
      db,
      clock,
      mailer: t.app.context.mailer,
      site: { name: 'Scholia', url: 'http://scholia.test' },
      questionsPerMonth: 100,
      answerTargetHours: 24,
    };
    const educatorActor = await actorFor(db, { userId: educator.id, role: 'educator' });
    const editorActor = await actorFor(db, { userId: editor.id, role: 'editor' });
    let q = 0;
    const ask = async (atIso: string) => {
      setClock(clock, atIso);
      const checked = await checkAsk(db, {
        title: `Why did event number ${++q} happen in history?`,
        details: '',
        subject: 'history',
        topics: '',
      });
      if (!('ask' in checked)) throw new Error(JSON.stringify(checked.issues));
      const asked = await askQuestion(deps, student.id, checked.ask);
      if (!('id' in asked)) throw new Error('no allowance');
      return asked.id;
    };
    const publish = async (id: number, atIso: string) => {
      setClock(clock, atIso);
      const checked = checkAnswer({ body: ANSWER, quickAnswer: '', sources: 'A Historian, A Book (1999)' });
      if (!('answer' in checked)) throw new Error(JSON.stringify(checked.issues));
      expect(await claim(deps, educatorActor, id)).toBe('done');
      expect(await saveAnswer(deps, educatorActor, id, checked.answer, true)).toBe('done');
      expect(await approve(deps, editorActor, id, null)).toBe('done');
    };
    // Answer times: 10 h (only in 90 days), 2 h (not in the last 7), 4 h, 30 h (past the 24-hour target), 6 h.
    await publish(await ask('2026-10-10T08:00:00Z'), '2026-10-10T18:00:00Z');
    await publish(await ask('2026-11-18T08:00:00Z'), '2026-11-18T10:00:00Z');
    await publish(await ask('2026-11-21T08:00:00Z'), '2026-11-21T12:00:00Z');
    const late = await ask('2026-11-22T08:00:00Z');
    await publish(late, '2026-11-23T14:00:00Z');
    await publish(await ask('2026-11-24T08:00:00Z'), '2026-11-24T14:00:00Z');

    // Trials: one started on the 20th (ended on the 22nd), one on the 25th, canceled on the 26th.
    const first = await createUser(db, { email: 'trial1@example.org', name: 'Tri One', password: PW });
    const second = await createUser(db, { email: 'trial2@example.org', name: 'Tri Two', password: PW });
    setClock(clock, '2026-11-20T09:00:00Z');
    expect(await startLocalTrial(db, { userId: first.id, email: first.email }, 48, clock)).toBe('started');

    // Waiting: asked on the 25th at 06:00 (due the 26th at 06:00, past it by noon), and on the 26th.
    await ask('2026-11-25T06:00:00Z');
    setClock(clock, '2026-11-25T07:00:00Z');
    expect(await startLocalTrial(db, { userId: second.id, email: second.email }, 48, clock)).toBe('started');
    setClock(clock, '2026-11-26T09:00:00Z');
    await cancelTrial(db, second.id, clock);
    await ask('2026-11-26T10:00:00Z');
    setClock(clock, '2026-11-26T12:00:00Z');

    admin = await signIn('admin@example.org');
    // Admins must use two-factor sign-in (the default setting).
    await enrolTwoFactor(admin, clock.now());
  });
  afterAll(async () => {
    await t?.close();
  });

  it('counts questions, answer times against the target and the overdue ones, for the default 30 days', async () => {
    const page = await admin.get('/admin');
    expect(page.statusCode).toBe(200);
    const html = page.body;
    expect(html).toContain('Days are UTC days');
    expect(figure(html, 'Questions asked')).toBe('6');
    expect(figure(html, 'Questions answered')).toBe('4');
    // 2, 4, 6 and 30 hours: half within 4 h, nine in ten within 30 h.
    expect(figure(html, 'Median answer time')).toBe('4 h');
    expect(figure(html, '90th percentile answer time')).toBe('30 h');
    expect(figure(html, 'Answered within the target')).toBe('75%');
    expect(html).toContain('3 of 4; the target is 24 h');
    expect(figure(html, 'Waiting past the target now')).toBe('1');
    // Trials: two started; the first ended in the range; the second runs, canceled.
    expect(figure(html, 'Trials started')).toBe('2');
    expect(figure(html, 'Trials ended')).toBe('1');
    expect(figure(html, 'Members now')).toBe('1');
    expect(figure(html, 'Canceled, still running')).toBe('1');
    expect(html).toContain('1 trial, 0 paid memberships');
    expect(html).toContain('This site takes no payments (Stripe is not set up)');
    // No search has been made yet.
    expect(html).toContain('Every search in this range found something.');
    // Charts are images with a name and a description, and their figures are a table too.
    expect(html).toMatch(/<svg role="img" aria-labelledby="chart-questions-title" aria-describedby="chart-questions-desc"/);
    expect(html).toContain('<title id="chart-questions-title">Questions asked and answered per day</title>');
    expect(html).toContain('<th scope="row">2026-11-23</th>');
    // The way to the other admin pages.
    for (const href of ['/admin/users', '/admin/settings', '/admin/plans', '/admin/ads', '/admin/search', '/admin/outbox'])
      expect(html).toContain(`href="${href}"`);
  });

  it('switches between 7, 30 and 90 days, and shows 30 days for a range it does not know', async () => {
    const week = (await admin.get('/admin?range=7')).body;
    expect(figure(week, 'Questions asked')).toBe('5');
    expect(figure(week, 'Questions answered')).toBe('3');
    expect(figure(week, 'Median answer time')).toBe('6 h');
    expect(figure(week, '90th percentile answer time')).toBe('30 h');
    expect(week).toContain('href="/admin?range=7" aria-current="page"');
    const quarter = (await admin.get('/admin?range=90')).body;
    expect(figure(quarter, 'Questions asked')).toBe('7');
    expect(figure(quarter, 'Questions answered')).toBe('5');
    expect(figure(quarter, 'Median answer time')).toBe('6 h');
    for (const bad of ['abc', '31', '-7', '1e1']) {
      const res = await admin.get(`/admin?range=${bad}`);
      expect(res.statusCode, bad).toBe(200);
      expect(res.body).toContain(`There is no range “${bad}”: showing the last 30 days`);
      expect(figure(res.body, 'Questions asked')).toBe('6');
    }
  });

  it('lists searches that found nothing (not those that found something), with a link to add a synonym', async () => {
    const visitor = new Client(t.app);
    for (const q of ['zxqvbnm', 'ZXQVBNM  ', 'great fire london', '=HYPERLINK("x")']) {
      const res = await visitor.get(`/search?q=${encodeURIComponent(q)}`);
      expect(res.statusCode, q).toBe(200);
    }
    const rows = await t.database.db.selectFrom('search_misses').selectAll().orderBy('query').execute();
    expect(rows.map((r) => [r.day, r.query, Number(r.misses)])).toEqual([
      ['2026-11-26', '=hyperlink("x")', 1],
      ['2026-11-26', 'zxqvbnm', 2],
    ]);
    const html = (await admin.get('/admin')).body;
    expect(html).toMatch(/<th scope="row" class="dash-query">zxqvbnm<\/th><td>2<\/td>/);
    expect(html).not.toContain('great fire london');
    expect(html).toContain('href="/admin/search?add=zxqvbnm"');
    // The link starts a new line of the synonym table with the search on it.
    const synonyms = await admin.get('/admin/search?add=zxqvbnm');
    expect(synonyms.statusCode).toBe(200);
    expect(synonyms.body).toMatch(/\nzxqvbnm, <\/textarea>/);
  });

  it('downloads each series as CSV with the figures of the page', async () => {
    const asked = await admin.get('/admin/dashboard.csv?series=asked&range=30');
    expect(asked.statusCode).toBe(200);
    expect(asked.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(asked.headers['content-disposition']).toBe('attachment; filename="dashboard-asked-30d-2026-11-26.csv"');
    const lines = asked.body.split('\r\n');
    expect(lines).toHaveLength(32); // header, 30 days, and the empty string after the last line break
    expect(lines[0]).toBe('day,asked');
    expect(lines[1]).toBe('2026-10-28,0');
    expect(lines[30]).toBe('2026-11-26,1');
    expect(lines.filter((l) => l.endsWith(',1')).map((l) => l.slice(0, 10))).toEqual([
      '2026-11-18',
      '2026-11-21',
      '2026-11-22',
      '2026-11-24',
      '2026-11-25',
      '2026-11-26',
    ]);
    const times = (await admin.get('/admin/dashboard.csv?series=answer-time&range=7')).body.split('\r\n');
    expect(times[0]).toBe('day,median_hours,p90_hours');
    expect(times).toContain('2026-11-23,30,30');
    expect(times).toContain('2026-11-21,4,4');
    expect(times).toContain('2026-11-22,,');
    const trials = (await admin.get('/admin/dashboard.csv?series=trials&range=7')).body;
    expect(trials).toContain('2026-11-20,1\r\n');
    const cancels = (await admin.get('/admin/dashboard.csv?series=cancellations&range=7')).body;
    expect(cancels).toContain('day,free_trials_canceled,stripe_memberships_ended\r\n');
    expect(cancels).toContain('2026-11-26,1,0\r\n');
    // A search is text anyone typed: quoted as CSV needs, and kept from running as a spreadsheet formula.
    const misses = await admin.get('/admin/dashboard.csv?series=zero-result-searches');
    expect(misses.body).toBe('query,searches\r\nzxqvbnm,2\r\n"\'=hyperlink(""x"")",1\r\n');
    const bad = await admin.get('/admin/dashboard.csv?series=nothing&range=7');
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('There is no such series');
    expect((await admin.get('/admin/dashboard.csv?range=abc&series=asked')).statusCode).toBe(200);
  });

  it('is for admins only: a visitor signs in first, students, educators and editors are refused', async () => {
    const visitor = await new Client(t.app).get('/admin');
    expect(visitor.statusCode).toBe(303);
    expect(visitor.headers.location).toBe('/login?next=%2Fadmin');
    for (const email of ['student@example.org', 'educator@example.org', 'editor@example.org']) {
      const c = await signIn(email);
      const page = await c.get('/admin');
      expect(page.statusCode, email).toBe(403);
      expect(page.body).toContain('Only admins see the dashboard');
      expect((await c.get('/admin/dashboard.csv?series=asked')).statusCode, email).toBe(403);
    }
  });

  it('still answers a search when counting it fails', async () => {
    await sql`drop table search_misses`.execute(t.database.db);
    const res = await new Client(t.app).get('/search?q=qwzxplk');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('qwzxplk');
  });
});

function stripeConfig(fake: FakeStripe) {
  const u = new URL(fake.url);
  return {
    stripe: {
      secretKey: 'sk_test_scholia',
      webhookSecret: WEBHOOK_SECRET,
      api: { host: u.hostname, port: Number(u.port), protocol: 'http' as const },
    },
  };
}

describe.each(engines)('the admin dashboard in Stripe mode on %s', (engine) => {
  let t: TestApp;
  let fake: FakeStripe;
  const clock = new TestClock(Date.parse('2026-11-01T10:00:00Z'));
  let n = 0;
  let url: string;

  const signIn = async (email: string) => {
    const c = new Client(t.app, `198.51.101.${++n}`);
    expect((await c.submit('/login', '/login', { email, password: PW })).statusCode).toBe(303);
    return c;
  };
  const deliver = (payload: string) =>
    t.app.inject({
      method: 'POST',
      url: '/webhooks/stripe',
      payload,
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'stripe-signature': FakeStripe.sign(payload, Math.floor(clock.now().getTime() / 1000)),
      },
    });
  /** A person who starts a card trial through the paywall and Checkout; their subscription at the fake Stripe. */
  const cardTrial = async (email: string, card: string) => {
    await createUser(t.database.db, { email, name: email, password: PW });
    const c = await signIn(email);
    const res = await c.submit(url, '/membership/trial', { next: url });
    const id = /\/pay\/(cs_test_\w+)$/.exec(res.headers.location as string)?.[1] as string;
    const sub = fake.completeCheckout(id, card);
    expect((await c.get(`/membership/welcome?session_id=${id}`)).body).toContain('Your free trial has started');
    return sub;
  };

  beforeAll(async () => {
    fake = await new FakeStripe(() => clock.now().getTime()).start();
    t = await buildTestApp(engine, { clock, config: stripeConfig(fake) });
    const id = await makeQuestion(t.database.db, { subject: 'Science', title: 'How does a catalyst speed up a reaction?' });
    url = `/q/${id}/how-does-a-catalyst-speed-up-a-reaction`;
    await t.database.db
      .insertInto('plans')
      .values({ name: 'Monthly', interval: 'month', price_minor: 999, currency: 'usd', stripe_price_id: 'price_monthly0001', active: 1 })
      .execute();
    await createUser(t.database.db, { email: 'admin@example.org', name: 'Ada Admin', password: PW, role: 'admin' });
  });
  afterAll(async () => {
    await t?.close();
    await fake?.stop();
  });

  it('shows trial-to-paid conversion and the revenue implied by paying memberships, labelled as such', async () => {
    const payer = await cardTrial('payer@example.org', 'fp_payer');
    const leaver = await cardTrial('leaver@example.org', 'fp_leaver');
    // Both trials (48 hours) end; one pays, the other ends unpaid.
    clock.advance(49 * 3_600_000);
    fake.setState(payer.id, 'active');
    expect((await deliver(fake.event('invoice.paid', fake.objectFor('invoice.paid', payer)))).statusCode).toBe(200);
    fake.setState(leaver.id, 'canceled');
    expect(
      (await deliver(fake.event('customer.subscription.deleted', fake.objectFor('customer.subscription.deleted', leaver)))).statusCode,
    ).toBe(200);

    const admin = await signIn('admin@example.org');
    await enrolTwoFactor(admin, clock.now());
    const html = (await admin.get('/admin')).body;
    expect(figure(html, 'Trials started')).toBe('2');
    expect(figure(html, 'Trial to paid')).toBe('50%');
    expect(html).toContain('paying now: 1 of the 2 people whose trial ended in the range');
    expect(figure(html, 'Members now')).toBe('1');
    expect(html).toContain('Implied, not recorded:');
    expect(html).toMatch(/<th scope="row">Monthly<\/th><td>1<\/td><td>\$9\.99 a month<\/td><td>\$9\.99<\/td>/);
    expect(html).toContain('Implied monthly revenue: <strong>$9.99</strong>');
    // The trial that ended unpaid is a Stripe membership that ended on that day.
    const cancels = (await admin.get('/admin/dashboard.csv?series=cancellations&range=7')).body;
    expect(cancels).toContain('2026-11-03,0,1\r\n');
  });
});
