import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../src/db/connect.ts';
import { migrateToLatest } from '../src/db/migrator.ts';
import { createUser } from '../src/modules/accounts/index.ts';
import { readOutbox } from '../src/modules/mail/index.ts';
import { effectiveStatus, getMembership } from '../src/modules/membership/index.ts';
import { buildTestApp, type TestApp, testConfig } from './helpers/app.ts';
import { engines } from './helpers/databases.ts';
import { makeQuestion } from './helpers/factories.ts';
import { FakeStripe, WEBHOOK_SECRET } from './helpers/fake-stripe.ts';
import { Client, TestClock } from './helpers/http.ts';
import { permutations, SUBSCRIPTION_EVENTS, spreadSample } from './helpers/orderings.ts';

const PW = 'billing test password';
const CANARY = 'Only members hear this billing canary 41c9e2.';
const FILLER = Array.from({ length: 12 }, (_, i) => `Part ${i} of the answer walks through one more step of the reasoning.`).join('\n\n');
const SECRET_KEY = 'sk_test_scholia';

function stripeConfig(fake: FakeStripe) {
  const u = new URL(fake.url);
  return {
    stripe: {
      secretKey: SECRET_KEY,
      webhookSecret: WEBHOOK_SECRET,
      api: { host: u.hostname, port: Number(u.port), protocol: 'http' as const },
    },
  };
}

describe.each(engines)('Stripe mode on %s', (engine) => {
  let t: TestApp;
  let fake: FakeStripe;
  const clock = new TestClock();
  let url: string;
  let n = 0;
  let people = 0;

  const signedIn = async (email: string) => {
    const c = new Client(t.app, `100.81.${Math.floor(++n / 200)}.${n % 200}`);
    expect((await c.submit('/login', '/login', { email, password: PW })).statusCode).toBe(303);
    return c;
  };
  const person = async (email = `payer${++people}@example.org`) => {
    const user = await createUser(t.database.db, { email, name: `Payer ${people}`, password: PW });
    return { user, c: await signedIn(email) };
  };
  /** Starts Checkout from the paywall; the id of the session Stripe was asked for. */
  const checkout = async (c: Client) => {
    const res = await c.submit(url, '/membership/trial', { next: url });
    expect(res.statusCode, res.body).toBe(303);
    const id = /\/pay\/(cs_test_\w+)$/.exec(res.headers.location as string)?.[1];
    expect(id).toBeTruthy();
    return id as string;
  };
  const deliver = (payload: string, signature?: string) =>
    t.app.inject({
      method: 'POST',
      url: '/webhooks/stripe',
      payload,
      headers: {
        'content-type': 'application/json; charset=utf-8',
        ...(signature === undefined ? { 'stripe-signature': FakeStripe.sign(payload, Math.floor(clock.now().getTime() / 1000)) } : {}),
        ...(signature ? { 'stripe-signature': signature } : {}),
      },
    });
  const statusOf = async (userId: number) => effectiveStatus(await getMembership(t.database.db, userId), clock.now().getTime());

  beforeAll(async () => {
    fake = await new FakeStripe(() => clock.now().getTime()).start();
    // The minute jobs would run the daily reconcile on their own during the long tests; this file runs it by hand.
    t = await buildTestApp(engine, { clock, config: stripeConfig(fake) });
    const id = await makeQuestion(t.database.db, {
      subject: 'Science',
      title: 'How does a catalyst speed up a reaction?',
      quickAnswer: 'It offers a path with a lower activation energy. The quick answer is free.',
      answer: `${FILLER}\n\n${CANARY}`,
    });
    url = `/q/${id}/how-does-a-catalyst-speed-up-a-reaction`;
    const admin = await createUser(t.database.db, { email: 'plans-admin@example.org', name: 'Plans Admin', password: PW, role: 'admin' });
    expect(admin.role).toBe('admin');
    await t.database.db
      .insertInto('plans')
      .values({ name: 'Monthly', interval: 'month', price_minor: 999, currency: 'usd', stripe_price_id: 'price_monthly0001', active: 1 })
      .execute();
  });
  afterAll(async () => {
    await t?.close();
    await fake?.stop();
  });

  it('states the card trial’s terms on the paywall and sends the student to Checkout with the trial and the card', async () => {
    const page = await new Client(t.app).get(url);
    expect(page.body).toContain('Start your 48-hour free trial');
    expect(page.body).toContain('A card is needed');
    expect(page.body).toContain('unless you cancel before the trial ends');
    const { user, c } = await person();
    const id = await checkout(c);
    const session = fake.sessions.get(id) as Record<string, unknown>;
    expect(session.trial_end).toBe(Math.floor(clock.now().getTime() / 1000) + 48 * 3600);
    expect(session.payment_method_collection).toBe('always');
    expect(session.price).toBe('price_monthly0001');
    expect(session.client_reference_id).toBe(String(user.id));
    expect(fake.customers.get(session.customer as string)?.email).toBe(user.email);
    // Until Stripe says so, nothing has started.
    expect((await c.get(url)).body).not.toContain('41c9e2');
  });

  it('starts the trial on the return page, mails its terms once, and shows everything without ads', async () => {
    const { user, c } = await person();
    const id = await checkout(c);
    const sub = fake.completeCheckout(id, 'fp_welcome');
    const welcome = await c.get(`/membership/welcome?session_id=${id}`);
    expect(welcome.statusCode).toBe(200);
    expect(welcome.body).toContain('Your free trial has started');
    expect(welcome.body).toContain('The trial ends and the first charge is made on');
    expect(welcome.body).toContain('Monthly plan at $9.99 a month');
    const page = await c.get(url);
    expect(page.body).toContain(CANARY);
    expect(page.body).not.toContain('data-ad-slot');
    expect(page.body).toContain('Free trial: 48 hours left.');
    // The webhook arriving later (twice) changes nothing and sends no second mail.
    const event = fake.event('checkout.session.completed', fake.objectFor('checkout.session.completed', sub));
    expect((await deliver(event)).json()).toEqual({ received: true, result: 'applied' });
    expect((await deliver(event)).json()).toEqual({ received: true, result: 'duplicate' });
    const mails = await readOutbox(t.database.db, { to: user.email, limit: 10 });
    expect(mails.filter((m) => m.subject.includes('free trial has started'))).toHaveLength(1);
    expect(mails[0]?.text).toContain('$9.99 a month');
    // Somebody else's checkout session is not theirs to finish.
    const other = await person();
    expect((await other.c.get(`/membership/welcome?session_id=${id}`)).statusCode).toBe(404);
  });

  it('cancels and resumes through Stripe from the banner, and opens the billing portal', async () => {
    const { user, c } = await person();
    const sub = fake.completeCheckout(await checkout(c), 'fp_banner');
    await deliver(fake.event('customer.subscription.created', fake.objectFor('customer.subscription.created', sub)));
    const canceled = await c.follow(await c.submit(url, '/membership/cancel', {}));
    expect(canceled.body).toContain('Your trial is canceled');
    expect(fake.subscriptions.get(sub.id)?.cancel_at_period_end).toBe(true);
    expect(await statusOf(user.id)).toBe('canceled');
    expect((await c.get(url)).body).toContain(CANARY);
    expect((await c.get(url)).body).toContain('Your free trial is canceled');
    await c.submit(url, '/membership/resume', {});
    expect(fake.subscriptions.get(sub.id)?.cancel_at_period_end).toBe(false);
    expect(await statusOf(user.id)).toBe('trialing');
    const portal = await c.submit('/account/billing', '/account/billing/portal', {});
    expect(portal.statusCode).toBe(303);
    expect(portal.headers.location).toBe(`${fake.url}/portal/${sub.customer}`);
  });

  it('gives one trial per card: a second account with the same card gets none and is charged nothing', async () => {
    const first = await person();
    fake.completeCheckout(await checkout(first.c), 'fp_shared_card');
    await first.c.get(`/membership/welcome?session_id=${[...fake.sessions.keys()].at(-1)}`);
    expect(await statusOf(first.user.id)).toBe('trialing');
    const second = await person();
    const id = await checkout(second.c);
    const sub = fake.completeCheckout(id, 'fp_shared_card');
    const welcome = await second.c.get(`/membership/welcome?session_id=${id}`);
    expect(welcome.statusCode).toBe(409);
    expect(welcome.body).toContain('has had a free trial before');
    expect(fake.subscriptions.get(sub.id)?.status).toBe('canceled');
    expect((await second.c.get(url)).body).not.toContain('41c9e2');
    // Late events about the refused subscription change nothing.
    for (const type of ['customer.subscription.created', 'invoice.paid', 'customer.subscription.deleted'])
      await deliver(fake.event(type, fake.objectFor(type, sub)));
    expect(await statusOf(second.user.id)).toBe('expired');
    expect((await second.c.get('/account/billing')).body).toContain('did not start a trial');
  });

  it('keeps one trial when Checkout is finished in two tabs: the second subscription is ended at once', async () => {
    const { user, c } = await person();
    // Both tabs reach Checkout before either is finished.
    const [first, second] = [await checkout(c), await checkout(c)];
    const firstSub = fake.completeCheckout(first, 'fp_two_tabs');
    expect((await c.get(`/membership/welcome?session_id=${first}`)).body).toContain('Your free trial has started');
    const secondSub = fake.completeCheckout(second, 'fp_two_tabs');
    await c.get(`/membership/welcome?session_id=${second}`);
    for (const type of ['customer.subscription.created', 'checkout.session.completed'])
      await deliver(fake.event(type, fake.objectFor(type, secondSub)));
    // The membership follows the first; the second is canceled with nothing charged.
    expect(fake.subscriptions.get(firstSub.id)?.status).toBe('trialing');
    expect(fake.subscriptions.get(secondSub.id)?.status).toBe('canceled');
    expect(await statusOf(user.id)).toBe('trialing');
    expect((await getMembership(t.database.db, user.id))?.subscriptionId).toBe(firstSub.id);
    const mails = await readOutbox(t.database.db, { to: user.email, limit: 10 });
    expect(mails.filter((m) => m.subject.includes('free trial has started'))).toHaveLength(1);
  });

  it('offers no second trial to an address that had one: Checkout goes straight to the plan', async () => {
    const { c } = await person('Repeat.Reader+again@gmail.com');
    // The same Gmail inbox, written differently, had a trial under another account.
    await t.database.db
      .insertInto('trial_claims')
      .values({ identity: 'email:repeatreader@gmail.com', user_id: null, created_at: clock.now().toISOString() })
      .execute();
    const id = await checkout(c);
    expect((fake.sessions.get(id) as Record<string, unknown>).trial_end).toBeNull();
  });

  it('refuses forged, stale and future-dated webhooks and changes nothing', async () => {
    const { user, c } = await person();
    const sub = fake.completeCheckout(await checkout(c), 'fp_forged');
    const payload = fake.event('customer.subscription.created', fake.objectFor('customer.subscription.created', sub));
    const now = Math.floor(clock.now().getTime() / 1000);
    const refused = [
      FakeStripe.sign(payload, now, 'whsec_someone_else'),
      FakeStripe.sign(payload, now - 600),
      FakeStripe.sign(payload, now + 600),
      't=abc,v1=deadbeef',
      '',
    ];
    for (const signature of refused) {
      const res = await deliver(payload, signature);
      expect(res.statusCode, signature).toBe(400);
      expect(res.body).not.toContain('at ');
    }
    const tampered = payload.replace(sub.customer, 'cus_someone_else');
    expect((await deliver(tampered, FakeStripe.sign(payload, now))).statusCode).toBe(400);
    expect(await statusOf(user.id)).toBe('none');
    // Within five minutes either way is fine (clocks differ a little).
    expect((await deliver(payload, FakeStripe.sign(payload, now - 120))).statusCode).toBe(200);
    expect(await statusOf(user.id)).toBe('trialing');
  });

  it('answers 400 to a signed webhook whose body is not a Stripe event, changes nothing, and still takes unknown well-formed types', async () => {
    const { user, c } = await person();
    const sub = fake.completeCheckout(await checkout(c), 'fp_malformed');
    const type = 'customer.subscription.created';
    const object = fake.objectFor(type, sub);
    const recorded = async () =>
      Number(
        (
          await t.database.db
            .selectFrom('billing_events')
            .select((eb) => eb.fn.countAll<string | number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = await recorded();
    // Each is signed with the right secret at the right time: only its shape is wrong.
    const malformed: Record<string, string> = {
      'no data': JSON.stringify({ id: 'evt_malformed_1', object: 'event', type }),
      'data without object': JSON.stringify({ id: 'evt_malformed_2', object: 'event', type, data: {} }),
      'data.object a string': JSON.stringify({ id: 'evt_malformed_3', object: 'event', type, data: { object: sub.id } }),
      'data.object null': JSON.stringify({ id: 'evt_malformed_4', object: 'event', type, data: { object: null } }),
      'data.object a list': JSON.stringify({ id: 'evt_malformed_5', object: 'event', type, data: { object: [object] } }),
      'no id': JSON.stringify({ object: 'event', type, data: { object } }),
      'a numeric id': JSON.stringify({ id: 6, object: 'event', type, data: { object } }),
      'no type': JSON.stringify({ id: 'evt_malformed_7', object: 'event', data: { object } }),
      'customer a number': fake.event(type, { ...object, customer: 42 }, 'evt_malformed_8'),
      'customer an object without an id': fake.event(type, { ...object, customer: {} }, 'evt_malformed_9'),
      'customer an empty string': fake.event(type, { ...object, customer: '' }, 'evt_malformed_10'),
      'no customer': fake.event(type, { ...object, customer: undefined }, 'evt_malformed_11'),
      'not JSON': `{"id": "evt_malformed_12", "type": "${type}", "data": `,
      'JSON null': 'null',
      'a JSON list': '[]',
      'a JSON string': '"evt_malformed_13"',
    };
    const answers = [];
    for (const [what, payload] of Object.entries(malformed)) answers.push([what, await deliver(payload)] as const);
    // All at once, so a failure names every case that was not refused.
    expect(Object.fromEntries(answers.map(([what, res]) => [what, res.statusCode]))).toEqual(
      Object.fromEntries(answers.map(([what]) => [what, 400])),
    );
    for (const [what, res] of answers) {
      expect(res.headers['content-type'], what).toMatch(/^application\/json/);
      // Told apart from a bad signature, which would send whoever looks at Stripe's dashboard to the wrong secret.
      expect(res.json().error, what).toBe('The signed body is not an event Scholia can read.');
      // Nothing of the parser's reason (or a stack) is sent back.
      expect(res.body, what).not.toContain('at ');
    }
    expect(await recorded()).toBe(before);
    expect(await statusOf(user.id)).toBe('none');

    // Types Scholia does not act on are acknowledged as before, whatever their object holds.
    const unknown = [
      fake.event('charge.refunded', { id: 'ch_malformed_1', object: 'charge', customer: sub.customer }),
      fake.event('product.created', { id: 'prod_malformed_1', object: 'product' }),
      fake.event('charge.updated', { id: 'ch_malformed_2', object: 'charge', customer: 42 }),
    ];
    for (const payload of unknown) {
      const res = await deliver(payload);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toEqual({ received: true, result: 'ignored' });
    }
    expect(await recorded()).toBe(before + unknown.length);
    expect(await statusOf(user.id)).toBe('none');
    // The same subscription, well formed, takes effect: the refusals above were about shape alone.
    expect((await deliver(fake.event(type, object))).statusCode).toBe(200);
    expect(await statusOf(user.id)).toBe('trialing');
  });

  it('reaches Stripe’s final state whatever the order of the six events (a fixed sample of the 720 orderings)', async () => {
    // Every ordering is folded through the pure reducer in billing-reducer.test.ts; this sample shows the webhook
    // path drives that reducer: in order, reversed, and ten between, each event type arriving first twice.
    const orderings = spreadSample(permutations(SUBSCRIPTION_EVENTS), 12);
    expect(orderings[0]).toEqual([...SUBSCRIPTION_EVENTS]);
    expect(orderings.at(-1)).toEqual([...SUBSCRIPTION_EVENTS].reverse());
    expect(new Set(orderings.map((o) => o[0])).size).toBe(SUBSCRIPTION_EVENTS.length);
    // Where each subscription ends up in Stripe, and the membership that must follow.
    const finals = [
      ['active', 'active'],
      ['past_due', 'past_due'],
      ['canceled', 'expired'],
      ['cancel_at_period_end', 'canceled'],
      ['trialing', 'trialing'],
    ] as const;
    let i = 0;
    for (const order of orderings) {
      const [state, expected] = finals[i++ % finals.length] as (typeof finals)[number];
      const user = await createUser(t.database.db, { email: `order${i}@example.org`, name: `Order ${i}`, password: PW });
      const customer = await fakeCustomerFor(user.id, user.email);
      const sub = fake.completeCheckout(customer.session, `fp_order_${i}`);
      // Each payload is what Stripe would have sent at its moment (so it is stale by delivery); then Stripe
      // moves on to the final state, and the events arrive in this ordering.
      const at = (type: string) => fake.event(type, fake.objectFor(type, sub));
      const sent: Record<string, string> = {};
      sent['checkout.session.completed'] = at('checkout.session.completed');
      sent['customer.subscription.created'] = at('customer.subscription.created');
      fake.setState(sub.id, 'active');
      sent['customer.subscription.updated'] = at('customer.subscription.updated');
      sent['invoice.paid'] = at('invoice.paid');
      fake.setState(sub.id, 'past_due');
      sent['invoice.payment_failed'] = at('invoice.payment_failed');
      fake.setState(sub.id, 'canceled');
      sent['customer.subscription.deleted'] = at('customer.subscription.deleted');
      const s = fake.subscriptions.get(sub.id) as NonNullable<ReturnType<typeof fake.subscriptions.get>>;
      Object.assign(s, { status: 'trialing', ended_at: null });
      fake.setState(sub.id, state);
      const results = [];
      for (const type of order) results.push((await deliver(sent[type] as string)).statusCode);
      expect(results.every((s) => s === 200)).toBe(true);
      expect(await statusOf(user.id), `${order.join(' > ')} into ${state}`).toBe(expected);
    }
  });

  /** A customer and a finished-to-be checkout for a person, made the way the paywall makes them. */
  const fakeCustomerFor = async (userId: number, email: string) => {
    const { startCheckout } = await import('../src/modules/membership/billing.service.ts');
    const res = await startCheckout(
      {
        db: t.database.db,
        billing: (await import('../src/modules/membership/stripe-billing.ts')).stripeBilling(stripeConfig(fake).stripe),
        clock,
        mailer: { kind: 'outbox', send: async () => {} },
        site: { name: 'Scholia', url: 'http://scholia.test' },
        trialHours: 48,
        reminderHours: 6,
      },
      { userId, email, name: 'Order' },
      null,
    );
    const session = 'url' in res ? (/\/pay\/(cs_test_\w+)$/.exec(res.url)?.[1] as string) : '';
    expect(session).not.toBe('');
    return { session };
  };

  it('keeps access to the second at the end of a paid period, and a failed payment keeps it while Stripe retries', async () => {
    const { user, c } = await person();
    const sub = fake.completeCheckout(await checkout(c), 'fp_boundary');
    fake.setState(sub.id, 'past_due');
    await deliver(fake.event('invoice.payment_failed', fake.objectFor('invoice.payment_failed', sub)));
    expect(await statusOf(user.id)).toBe('past_due');
    expect((await c.get(url)).body).toContain(CANARY);
    expect((await c.get('/account/billing')).body).toContain('Your last payment failed');
    const end = (sub.items.data[0]?.current_period_end as number) * 1000;
    clock.advance(end - clock.now().getTime() - 1000);
    expect(await statusOf(user.id)).toBe('past_due');
    clock.advance(1000);
    expect(await statusOf(user.id)).toBe('expired');
    clock.advance(-(end - Date.UTC(2026, 10, 26, 12, 0, 0)));
  });

  it('answers 503 (Stripe retries later) and starts nothing when Stripe cannot be reached', async () => {
    const { user, c } = await person();
    const sub = fake.completeCheckout(await checkout(c), 'fp_down');
    fake.down = true;
    try {
      const res = await deliver(fake.event('customer.subscription.created', fake.objectFor('customer.subscription.created', sub)));
      expect(res.statusCode).toBe(503);
      const other = await person();
      const started = await other.c.submit(url, '/membership/trial', { next: url });
      expect(started.statusCode).toBe(503);
      expect(started.body).toContain('Payments are unavailable just now');
    } finally {
      fake.down = false;
    }
    expect(await statusOf(user.id)).toBe('none');
  });

  it('runs the daily reconcile once a day across processes', async () => {
    const { reconcileDaily } = await import('../src/modules/membership/billing.service.ts');
    const { stripeBilling } = await import('../src/modules/membership/stripe-billing.ts');
    const deps = {
      db: t.database.db,
      billing: stripeBilling(stripeConfig(fake).stripe),
      clock,
      mailer: { kind: 'outbox' as const, send: async () => {} },
      site: { name: 'Scholia', url: 'http://scholia.test' },
      trialHours: 48,
      reminderHours: 6,
    };
    const { user, c } = await person();
    const sub = fake.completeCheckout(await checkout(c), 'fp_daily');
    // No webhook ever arrives; the daily run finds the subscription.
    const [a, b] = await Promise.all([reconcileDaily(deps), reconcileDaily(deps)]);
    expect([a, b].filter((r) => r !== null)).toHaveLength(1);
    expect(await statusOf(user.id)).toBe('trialing');
    fake.setState(sub.id, 'canceled');
    expect(await reconcileDaily(deps)).toBeNull();
    clock.advance(24 * 3600_000 + 1000);
    expect((await reconcileDaily(deps))?.failed).toBe(0);
    expect(await statusOf(user.id)).toBe('expired');
    clock.advance(-(24 * 3600_000 + 1000));
  });
});

describe('scholia billing reconcile', () => {
  it('brings memberships in line with Stripe from the command line', async () => {
    const clock = new TestClock(Date.now());
    const fake = await new FakeStripe(() => Date.now()).start();
    const dir = mkdtempSync(path.join(tmpdir(), 'scholia-billing-'));
    const file = path.join(dir, 'scholia.db');
    const handle = connect({ engine: 'sqlite', file });
    await migrateToLatest(handle);
    const t = await buildTestApp('sqlite', {
      clock,
      config: stripeConfig(fake),
      database: Object.assign(handle, { destroy: () => handle.close() }),
    });
    try {
      await t.database.db
        .insertInto('plans')
        .values({ name: 'Yearly', interval: 'year', price_minor: 6000, currency: 'usd', stripe_price_id: 'price_yearly00001', active: 1 })
        .execute();
      const user = await createUser(t.database.db, { email: 'cli-payer@example.org', name: 'Cli Payer', password: PW });
      const c = new Client(t.app, '100.82.0.1');
      await c.submit('/login', '/login', { email: user.email, password: PW });
      const q = await makeQuestion(t.database.db, { subject: 'Math', title: 'What is a prime number exactly?' });
      const res = await c.submit(`/q/${q}/what-is-a-prime-number-exactly`, '/membership/trial', { next: '/' });
      const session = /\/pay\/(cs_test_\w+)$/.exec(res.headers.location as string)?.[1] as string;
      fake.completeCheckout(session, 'fp_cli');
      expect(effectiveStatus(await getMembership(t.database.db, user.id), Date.now())).toBe('none');
      const env = {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        LOG_LEVEL: 'warn',
        DATABASE_URL: `sqlite:${file}`,
        STRIPE_SECRET_KEY: SECRET_KEY,
        STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
        STRIPE_API_URL: fake.url,
      };
      const run = promisify(execFile);
      const out = await run(process.execPath, [path.join(import.meta.dirname, '..', 'bin/scholia.js'), 'billing', 'reconcile'], {
        env,
        timeout: 60_000,
      });
      expect(out.stdout).toContain('Reconciled 1 customers with Stripe');
      expect(effectiveStatus(await getMembership(t.database.db, user.id), Date.now())).toBe('trialing');
      const refused = await run(process.execPath, [path.join(import.meta.dirname, '..', 'bin/scholia.js'), 'billing', 'reconcile'], {
        env: { ...env, STRIPE_SECRET_KEY: '', STRIPE_WEBHOOK_SECRET: '' },
      }).catch((e: { code: number; stderr: string }) => e);
      expect((refused as { code: number }).code).toBe(2);
      expect((refused as { stderr: string }).stderr).toContain('needs Stripe mode');
    } finally {
      await t.close();
      await fake.stop();
    }
  });

  it('refuses half a Stripe setup and too short a trial at start', async () => {
    const { loadConfig } = await import('../src/config.ts');
    expect(() => loadConfig({ STRIPE_SECRET_KEY: 'sk_test_x' })).toThrow(/STRIPE_WEBHOOK_SECRET/);
    expect(() => loadConfig({ STRIPE_WEBHOOK_SECRET: 'whsec_x' })).toThrow(/STRIPE_SECRET_KEY/);
    expect(() => loadConfig({ STRIPE_SECRET_KEY: 'pk_test_x', STRIPE_WEBHOOK_SECRET: 'whsec_x' })).toThrow(/secret or restricted key/);
    expect(() => loadConfig({ STRIPE_SECRET_KEY: 'sk_test_x', STRIPE_WEBHOOK_SECRET: 'whsec_x', TRIAL_HOURS: '24' })).toThrow(
      /TRIAL_HOURS/,
    );
    expect(loadConfig({}).stripe).toBeNull();
    expect(testConfig.stripe).toBeNull();
  });
});
