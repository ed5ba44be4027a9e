import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import type { Config } from '../src/config.ts';
import { connect } from '../src/db/connect.ts';
import { JobRunner } from '../src/jobs/runner.ts';
import { createUser } from '../src/modules/accounts/index.ts';
import type { MailMessage } from '../src/modules/mail/index.ts';
import { grantComplimentary, startLocalTrial } from '../src/modules/membership/index.ts';
import { testConfig } from './helpers/app.ts';
import { createTestDatabase, engines, type TestDatabase } from './helpers/databases.ts';
import { makeQuestion } from './helpers/factories.ts';
import { freePort } from './helpers/processes.ts';

// /metrics: what Prometheus reads, who may read it, and that it keeps answering when the database does not.

const TOKEN = 'metrics-token-for-tests-0123456789abcdef';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a Prometheus text exposition (comments skipped), one per line. */
function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1] as string] = l[2] as string;
    const raw = m[3] as string;
    samples.push({ name: m[1] as string, labels, value: raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : Number(raw) });
  }
  return samples;
}

/** The one sample of `name` whose labels include `labels`; undefined if none, an error if several. */
function sample(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const found = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} ${JSON.stringify(labels)}`);
  return found[0]?.value;
}

const mailTo = (to: string): MailMessage => ({ to, subject: 'Hello', text: 'Body', html: '<p>Body</p>' });

async function scrape(app: FastifyInstance, opts: { remoteAddress?: string; headers?: Record<string, string> } = {}) {
  return app.inject({ method: 'GET', url: '/metrics', remoteAddress: opts.remoteAddress ?? '127.0.0.1', headers: opts.headers ?? {} });
}

describe.each(engines)('/metrics on %s', (engine) => {
  let database: TestDatabase;
  let app: FastifyInstance;
  let questionUrl: string;
  const config: Config = { ...testConfig, metrics: { token: TOKEN, allow: ['127.0.0.1', '::1'] } };

  beforeAll(async () => {
    database = await createTestDatabase(engine);
    // SMTP mode with a mail server that refuses everything: the dispatcher runs and counts its failures.
    app = await buildApp(config, {
      database,
      logger: false,
      mailTransport: {
        send: async () => {
          throw new Error('connection refused');
        },
      },
    });
    const db = database.db;
    const id = await makeQuestion(db, { title: 'Why did the Roman Republic fall?' });
    await makeQuestion(db);
    await makeQuestion(db);
    const queued = await makeQuestion(db);
    await db.updateTable('questions').set({ status: 'queued' }).where('id', '=', queued).execute();
    const hidden = await makeQuestion(db);
    await db.updateTable('questions').set({ status: 'hidden' }).where('id', '=', hidden).execute();
    const row = await db.selectFrom('questions').select('slug').where('id', '=', id).executeTakeFirstOrThrow();
    questionUrl = `/q/${id}/${row.slug}`;

    // Memberships: two running local trials, one that ran out ten days ago, one complimentary, and one person who
    // went from a trial to paying through Stripe.
    const person = async (n: number) => {
      const u = await createUser(db, { email: `person${n}@example.org`, name: `Person ${n}` });
      return { userId: u.id, email: u.email };
    };
    const now = { now: () => new Date() };
    const longAgo = { now: () => new Date(Date.now() - 10 * 86_400_000) };
    expect(await startLocalTrial(db, await person(1), 48, now)).toBe('started');
    expect(await startLocalTrial(db, await person(2), 48, now)).toBe('started');
    expect(await startLocalTrial(db, await person(3), 48, longAgo)).toBe('started');
    expect(await grantComplimentary(db, (await person(4)).userId, '2099-12-31', now)).toBeNull();
    const paying = await person(5);
    const at = new Date().toISOString();
    await db.insertInto('trial_claims').values({ identity: paying.email, user_id: paying.userId, created_at: at }).execute();
    await db
      .insertInto('memberships')
      .values({
        user_id: paying.userId,
        status: 'active',
        source: 'stripe',
        period_end: new Date(Date.now() + 30 * 86_400_000).toISOString(),
        created_at: at,
        updated_at: at,
        in_trial: 0,
      })
      .execute();

    // The mail backlog: one message given up long ago, and one queued now that the failing server refuses.
    await db
      .insertInto('outbox')
      .values({ to_address: 'gone@example.org', subject: 'x', text_body: 'x', html_body: 'x', created_at: at, attempts: 5 })
      .execute();
    await app.context.mailer.send(mailTo('soon@example.org'));
  });
  afterAll(async () => {
    await app.close();
    await database.destroy();
  });

  it('exports request durations by route pattern and status, query durations, the page cache and the site figures', async () => {
    // A visitor reads a question twice (the second time from the page cache) and follows a dead link.
    expect((await app.inject(questionUrl)).statusCode).toBe(200);
    expect((await app.inject(questionUrl)).statusCode).toBe(200);
    expect((await app.inject('/no/such/page')).statusCode).toBe(404);

    const res = await scrape(app);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toMatch(/^# TYPE scholia_http_request_duration_seconds histogram$/m);
    const s = parseExposition(res.body);

    const page = { method: 'GET', route: '/q/:id/:slug', status_code: '200' };
    expect(sample(s, 'scholia_http_request_duration_seconds_count', page)).toBe(2);
    expect(sample(s, 'scholia_http_request_duration_seconds_bucket', { ...page, le: '+Inf' })).toBe(2);
    expect(sample(s, 'scholia_http_request_duration_seconds_count', { route: 'unmatched', status_code: '404' })).toBe(1);
    // Routes are patterns, never addresses as typed; /metrics does not count itself.
    const routes = new Set(s.filter((x) => x.name.startsWith('scholia_http_request')).map((x) => x.labels.route));
    expect([...routes].filter((r) => r?.includes(questionUrl) || r === '/no/such/page' || r === '/metrics')).toEqual([]);

    expect(sample(s, 'scholia_db_query_duration_seconds_count', { kind: 'select' })).toBeGreaterThan(0);
    expect(sample(s, 'scholia_db_query_duration_seconds_count', { kind: 'insert' })).toBeGreaterThan(0);
    expect(res.body).toMatch(/^# TYPE scholia_db_query_duration_seconds histogram$/m);

    expect(sample(s, 'scholia_page_cache_hits_total')).toBeGreaterThanOrEqual(1);
    expect(sample(s, 'scholia_page_cache_misses_total')).toBeGreaterThanOrEqual(1);
    expect(sample(s, 'scholia_page_cache_entries')).toBe(1);

    expect(sample(s, 'scholia_database_up')).toBe(1);
    expect(sample(s, 'scholia_questions', { status: 'published' })).toBe(3);
    expect(sample(s, 'scholia_questions', { status: 'queued' })).toBe(1);
    expect(sample(s, 'scholia_questions', { status: 'hidden' })).toBe(1);
    expect(sample(s, 'scholia_questions', { status: 'in_review' })).toBe(0);

    expect(sample(s, 'scholia_memberships', { state: 'trialing', source: 'trial' })).toBe(2);
    expect(sample(s, 'scholia_memberships', { state: 'expired', source: 'trial' })).toBe(1);
    expect(sample(s, 'scholia_memberships', { state: 'active', source: 'complimentary' })).toBe(1);
    expect(sample(s, 'scholia_memberships', { state: 'active', source: 'stripe' })).toBe(1);
    expect(sample(s, 'scholia_memberships', { state: 'past_due', source: 'stripe' })).toBe(0);
    expect(sample(s, 'scholia_trials', { stage: 'started' })).toBe(4);
    expect(sample(s, 'scholia_trials', { stage: 'converted' })).toBe(1);

    expect(sample(s, 'scholia_mail_outbox', { state: 'queued' })).toBe(1);
    expect(sample(s, 'scholia_mail_outbox', { state: 'undeliverable' })).toBe(1);

    // Node's own figures come along.
    expect(sample(s, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(s.some((x) => x.name === 'nodejs_heap_size_used_bytes')).toBe(true);
  });

  it('counts failed queries, failed mail attempts and the runs and failures of background jobs', async () => {
    await expect(sql`select * from no_such_table`.execute(database.db)).rejects.toThrow();
    // The dispatcher was told of the queued message; its attempt fails against the refusing server.
    let s = parseExposition((await scrape(app)).body);
    for (let i = 0; i < 100 && sample(s, 'scholia_mail_send_failures_total', { outcome: 'retry' }) !== 1; i++) {
      await new Promise((r) => setTimeout(r, 20));
      s = parseExposition((await scrape(app)).body);
    }
    expect(sample(s, 'scholia_mail_send_failures_total', { outcome: 'retry' })).toBe(1);
    expect(sample(s, 'scholia_mail_send_failures_total', { outcome: 'gave_up' })).toBe(0);
    expect(sample(s, 'scholia_mail_sent_total')).toBe(0);
    expect(sample(s, 'scholia_db_query_errors_total', { kind: 'select' })).toBeGreaterThanOrEqual(1);

    const quiet = { info: () => {}, error: () => {} };
    const runner = new JobRunner(
      [
        { name: 'tidy', everyMs: 60_000, run: async () => 0 },
        {
          name: 'broken',
          everyMs: 60_000,
          run: async () => {
            throw new Error('no');
          },
        },
      ],
      quiet,
      app.context.metrics,
    );
    await runner.runNow('tidy');
    await runner.runNow('tidy');
    await runner.runNow('broken');
    s = parseExposition((await scrape(app)).body);
    expect(sample(s, 'scholia_job_runs_total', { job: 'tidy' })).toBe(2);
    expect(sample(s, 'scholia_job_failures_total', { job: 'tidy' })).toBeUndefined();
    expect(sample(s, 'scholia_job_runs_total', { job: 'broken' })).toBe(1);
    expect(sample(s, 'scholia_job_failures_total', { job: 'broken' })).toBe(1);
    expect(sample(s, 'scholia_job_duration_seconds_count', { job: 'tidy' })).toBe(2);
  });

  it('answers anyone else with the ordinary 404 page, unless they bring the token', async () => {
    const outsider = '203.0.113.9';
    const missing = await app.inject({ url: '/no/such/page', remoteAddress: outsider });
    const refused = async (res: LightMyRequestResponse) => {
      expect(res.statusCode).toBe(404);
      expect(res.headers['content-type']).toBe(missing.headers['content-type']);
      expect(res.body).toBe(missing.body);
      expect(res.body).not.toContain('scholia_');
    };
    await refused(await scrape(app, { remoteAddress: outsider }));
    await refused(await scrape(app, { remoteAddress: outsider, headers: { authorization: `Bearer ${TOKEN}x` } }));
    await refused(await scrape(app, { remoteAddress: outsider, headers: { authorization: 'Bearer ' } }));
    await refused(await scrape(app, { remoteAddress: outsider, headers: { authorization: `Basic ${TOKEN}` } }));
    // Through a proxy Scholia was not told to trust (TRUST_PROXY unset), the loopback address proves nothing.
    await refused(await scrape(app, { headers: { 'x-forwarded-for': '198.51.100.4' } }));

    const withToken = await scrape(app, { remoteAddress: outsider, headers: { authorization: `Bearer ${TOKEN}` } });
    expect(withToken.statusCode).toBe(200);
    const s = parseExposition(withToken.body);
    expect(sample(s, 'scholia_database_up')).toBe(1);
    // Neither the scrapes nor the refusals are counted under /metrics.
    expect(s.filter((x) => x.labels.route === '/metrics')).toEqual([]);
    expect((await scrape(app, { remoteAddress: '::1' })).statusCode).toBe(200);
  });
});

describe('/metrics behind a trusted proxy', () => {
  let database: TestDatabase;
  let app: FastifyInstance;
  beforeAll(async () => {
    database = await createTestDatabase('sqlite');
    app = await buildApp(
      { ...testConfig, trustProxy: ['127.0.0.1'], metrics: { token: null, allow: ['10.0.0.0/8'] } },
      { database, logger: false },
    );
  });
  afterAll(async () => {
    await app.close();
    await database.destroy();
  });

  it('judges the client address the proxy reports, not the proxy', async () => {
    expect((await scrape(app, { headers: { 'x-forwarded-for': '10.1.2.3' } })).statusCode).toBe(200);
    expect((await scrape(app, { headers: { 'x-forwarded-for': '198.51.100.4' } })).statusCode).toBe(404);
    // The proxy itself is not in METRICS_ALLOW; and with no token configured, none is accepted.
    expect((await scrape(app)).statusCode).toBe(404);
    expect((await scrape(app, { headers: { authorization: 'Bearer anything-at-all' } })).statusCode).toBe(404);
  });
});

describe('/metrics with the database down', () => {
  const apps: Array<{ app: FastifyInstance; close(): Promise<void> }> = [];
  afterAll(async () => {
    for (const a of apps) await a.close();
  });

  const expectDown = async (app: FastifyInstance) => {
    const res = await scrape(app);
    expect(res.statusCode).toBe(200);
    const s = parseExposition(res.body);
    expect(sample(s, 'scholia_database_up')).toBe(0);
    expect(sample(s, 'scholia_questions', { status: 'published' })).toBeUndefined();
    expect(sample(s, 'scholia_trials', { stage: 'started' })).toBeUndefined();
    expect(sample(s, 'scholia_mail_outbox', { state: 'queued' })).toBeUndefined();
    // What the process knows by itself is still there.
    expect(sample(s, 'scholia_page_cache_hits_total')).toBe(0);
    expect(s.some((x) => x.name === 'process_resident_memory_bytes')).toBe(true);
  };

  it('still answers on SQLite, with scholia_database_up 0 and none of the figures it could not read', async () => {
    const database = await createTestDatabase('sqlite');
    const app = await buildApp(testConfig, { database, logger: false });
    apps.push({
      app,
      async close() {
        await app.close();
        await database.destroy();
      },
    });
    await database.close();
    await expectDown(app);
  });

  it('still answers with PostgreSQL unreachable, with scholia_database_up 0', async () => {
    const database = connect({ engine: 'postgres', url: `postgres://scholia@127.0.0.1:${await freePort()}/scholia`, poolSize: 1 });
    const app = await buildApp(testConfig, { database, logger: false });
    apps.push({
      app,
      async close() {
        await app.close();
        await database.close();
      },
    });
    await expectDown(app);
  });
});
