import { createHash, timingSafeEqual } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import type { FastifyReply, FastifyRequest, onResponseHookHandler } from 'fastify';
import { Counter, collectDefaultMetrics, Gauge, Histogram, type Metric, Registry } from 'prom-client';
import type { Config } from '../config.ts';
import type { DatabaseHandle, QueryKind } from '../db/connect.ts';
import type { MembershipStatus, QuestionStatus } from '../db/database.ts';
import type { JobObserver } from '../jobs/runner.ts';
import type { PageCache } from '../lib/page-cache.ts';
import type { Clock } from '../lib/time.ts';
import { countOutboxBacklog } from '../modules/mail/index.ts';
import { countMembershipsByState, countTrials, type MembershipSource } from '../modules/membership/index.ts';
import { countQuestionsByStatus } from '../modules/questions/index.ts';

// What /metrics exports (docs/metrics.md). Two kinds of figures:
// - counters and histograms of this process (requests, queries, page cache, mail sent, jobs): Prometheus scrapes
//   each process and adds them up;
// - gauges read from the database at scrape time (questions, memberships, trials, the mail backlog): the same for
//   the whole site whichever process answers: summed across processes they would count the site several times.
// No label holds anything a person typed or may not read: routes are patterns, queries are kinds, jobs are names.

/** How long the database's figures are kept: a scrape every 15 s reads them once per process. */
export const SITE_FIGURES_KEPT_MS = 10_000;
/** A database that does not answer within this is reported down, so a scrape never hangs on it. */
const SITE_FIGURES_TIMEOUT_MS = 2_000;

/** Every route has one label value: its pattern. Requests no route matched share this one. */
export const UNMATCHED_ROUTE = 'unmatched';

const QUESTION_STATUSES = [
  'queued',
  'claimed',
  'drafted',
  'in_review',
  'published',
  'closed',
  'rejected',
  'hidden',
] as const satisfies readonly QuestionStatus[];
const MEMBERSHIP_STATES = ['trialing', 'active', 'past_due', 'canceled', 'expired'] as const satisfies readonly MembershipStatus[];
const MEMBERSHIP_SOURCES = ['trial', 'complimentary', 'stripe'] as const satisfies readonly MembershipSource[];

/** What a mail dispatcher counts (modules/mail's MailDispatcher); absent without SMTP. */
export interface MailCounts {
  readonly sent: number;
  readonly failedAttempts: number;
  readonly gaveUp: number;
}

export interface MetricsSources {
  database: DatabaseHandle;
  clock: Clock;
  pages: PageCache;
  mail?: MailCounts;
}

interface SiteFigures {
  questions: Array<{ status: QuestionStatus; count: number }>;
  memberships: Array<{ state: MembershipStatus; source: MembershipSource; count: number }>;
  trials: { started: number; converted: number };
  mail: { queued: number; undeliverable: number };
}

/** One labelled series of a HotHistogram: a count per bucket (not cumulative), the sum and the count. */
interface HotSeries {
  readonly labels: Readonly<Record<string, string>>;
  readonly counts: Float64Array;
  sum: number;
  count: number;
}

/**
 * A histogram for what every request passes through. prom-client's own checks and hashes the labels on every
 * observation, about 2.5 µs, a twentieth of what a cached visitor's page costs in all; this one looks its series up
 * by a key the caller has at hand and adds to an array. The registry reads it like one of prom-client's (`get`).
 */
class HotHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly kept = new Map<string, HotSeries>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly bounds: readonly number[],
    registry: Registry,
  ) {
    // prom-client types its registry for its own classes only; it reads name, help, type and get().
    registry.registerMetric(this as unknown as Metric);
  }

  /** The series under `key`, made with `labels()` the first time. */
  series(key: string, labels: () => Record<string, string>): HotSeries {
    let s = this.kept.get(key);
    if (!s) {
      s = { labels: labels(), counts: new Float64Array(this.bounds.length + 1), sum: 0, count: 0 };
      this.kept.set(key, s);
    }
    return s;
  }

  observe(s: HotSeries, value: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > (bounds[i] as number)) i++;
    s.counts[i] = (s.counts[i] as number) + 1;
    s.sum += value;
    s.count++;
  }

  get() {
    const values: Array<{ metricName: string; labels: Record<string, string | number>; value: number }> = [];
    for (const s of this.kept.values()) {
      let cumulative = 0;
      this.bounds.forEach((le, i) => {
        cumulative += s.counts[i] as number;
        values.push({ metricName: `${this.name}_bucket`, labels: { ...s.labels, le }, value: cumulative });
      });
      values.push({ metricName: `${this.name}_bucket`, labels: { ...s.labels, le: '+Inf' }, value: s.count });
      values.push({ metricName: `${this.name}_sum`, labels: s.labels, value: s.sum });
      values.push({ metricName: `${this.name}_count`, labels: s.labels, value: s.count });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    this.kept.clear();
  }
}

/** A counter whose value is kept elsewhere (a plain number on the object that counts): read at scrape time. */
function counterOf(registry: Registry, name: string, help: string, read: () => number): Counter {
  let seen = 0;
  return new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      const now = read();
      if (now > seen) this.inc(now - seen);
      seen = now;
    },
  });
}

let processRegistry: Registry | undefined;

/**
 * Node's own figures (CPU, memory, heap, event loop lag, GC, handles: prom-client's defaults), in one registry for
 * the process, started with its first app. They belong to the process, not to an app, and what they start (an
 * event-loop monitor, a GC observer) cannot be stopped: one set per process, whatever the number of apps the tests
 * build. Every app's /metrics shows them beside its own.
 */
function processFigures(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/**
 * The figures of one app (buildApp makes one; it travels in the RouteContext as `metrics`), in a registry of its
 * own, so several apps in one process (the tests) never share or clash.
 */
export class Metrics implements JobObserver {
  readonly registry = new Registry();
  private readonly requests: HotHistogram;
  private readonly queries: HotHistogram;
  private readonly queryErrors: Counter<'kind'>;
  private readonly jobRuns: Counter<'job'>;
  private readonly jobFailures: Counter<'job'>;
  private readonly jobDurations: Histogram<'job'>;
  private readonly stopQueries: () => void;
  private site: { at: number; figures: Promise<SiteFigures | null> } | undefined;

  constructor(private readonly sources: MetricsSources) {
    processFigures();
    const registers = [this.registry];
    this.requests = new HotHistogram(
      'scholia_http_request_duration_seconds',
      'Time to answer a request, by method, route pattern and status code (this process).',
      [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      this.registry,
    );
    this.queries = new HotHistogram(
      'scholia_db_query_duration_seconds',
      'Time a database query took, by kind: select, insert, update, delete or other (this process).',
      [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      this.registry,
    );
    this.queryErrors = new Counter({
      name: 'scholia_db_query_errors_total',
      help: 'Database queries that failed, by kind (this process).',
      labelNames: ['kind'],
      registers,
    });
    this.stopQueries = sources.database.onQuery((kind: QueryKind, ms, failed) => {
      this.queries.observe(
        this.queries.series(kind, () => ({ kind })),
        ms / 1000,
      );
      if (failed) this.queryErrors.inc({ kind });
    });

    const pages = sources.pages;
    counterOf(
      this.registry,
      'scholia_page_cache_hits_total',
      "Visitors' question pages served from the page cache (this process).",
      () => pages.hits,
    );
    counterOf(
      this.registry,
      'scholia_page_cache_misses_total',
      "Visitors' question pages the page cache did not hold at their version, so rendered (this process).",
      () => pages.misses,
    );
    new Gauge({
      name: 'scholia_page_cache_entries',
      help: 'Pages held by the page cache (this process).',
      registers,
      collect() {
        this.set(pages.size);
      },
    });
    new Gauge({
      name: 'scholia_page_cache_bytes',
      help: 'Bytes held by the page cache (this process).',
      registers,
      collect() {
        this.set(pages.usedBytes);
      },
    });

    const mail = sources.mail;
    counterOf(this.registry, 'scholia_mail_sent_total', 'Messages handed to the mail server (this process).', () => mail?.sent ?? 0);
    new Counter({
      name: 'scholia_mail_send_failures_total',
      help: 'Attempts to send a message that failed (this process): outcome="retry" will be tried again, "gave_up" will not.',
      labelNames: ['outcome'],
      registers,
      collect() {
        // Absolute values kept by the dispatcher: set by resetting, as the counts only ever grow.
        this.reset();
        if (!mail) return;
        this.inc({ outcome: 'retry' }, mail.failedAttempts - mail.gaveUp);
        this.inc({ outcome: 'gave_up' }, mail.gaveUp);
      },
    });

    this.jobRuns = new Counter({
      name: 'scholia_job_runs_total',
      help: 'Runs of each background job that ended, failed or not (this process).',
      labelNames: ['job'],
      registers,
    });
    this.jobFailures = new Counter({
      name: 'scholia_job_failures_total',
      help: 'Runs of each background job that failed (this process).',
      labelNames: ['job'],
      registers,
    });
    this.jobDurations = new Histogram({
      name: 'scholia_job_duration_seconds',
      help: 'Time each run of a background job took (this process).',
      labelNames: ['job'],
      buckets: [0.001, 0.01, 0.1, 0.5, 1, 5, 15, 60, 300],
      registers,
    });

    // From the database, for the whole site. On a failed read these report nothing rather than stale figures,
    // and scholia_database_up says why.
    const figures = () => this.siteFigures();
    new Gauge({
      name: 'scholia_database_up',
      help: 'Whether the database answered the queries for the site-wide figures (1) or not (0).',
      registers,
      async collect() {
        this.set((await figures()) ? 1 : 0);
      },
    });
    new Gauge({
      name: 'scholia_questions',
      help: 'Questions in each status (whole site).',
      labelNames: ['status'],
      registers,
      async collect() {
        const f = await figures();
        this.reset();
        if (!f) return;
        for (const status of QUESTION_STATUSES) this.set({ status }, 0);
        for (const q of f.questions) this.set({ status: q.status }, q.count);
      },
    });
    new Gauge({
      name: 'scholia_memberships',
      help: 'Memberships by state as members see it now (past its period end: expired) and by source (whole site).',
      labelNames: ['state', 'source'],
      registers,
      async collect() {
        const f = await figures();
        this.reset();
        if (!f) return;
        for (const state of MEMBERSHIP_STATES) for (const source of MEMBERSHIP_SOURCES) this.set({ state, source }, 0);
        for (const m of f.memberships) this.set({ state: m.state, source: m.source }, m.count);
      },
    });
    // Labelled even where a name each would do: a gauge without labels always shows a value, and when the database
    // does not answer these must show none rather than a 0 that looks like a count.
    new Gauge({
      name: 'scholia_trials',
      help: 'People who have started their free trial (stage="started"), and of them those who now pay: a Stripe membership past its trial, not ended (stage="converted"); whole site.',
      labelNames: ['stage'],
      registers,
      async collect() {
        const f = await figures();
        this.reset();
        if (!f) return;
        this.set({ stage: 'started' }, f.trials.started);
        this.set({ stage: 'converted' }, f.trials.converted);
      },
    });
    new Gauge({
      name: 'scholia_mail_outbox',
      help: 'Messages in the outbox waiting to be sent, now or at a retry (state="queued"), or given up after their last retry (state="undeliverable"); whole site.',
      labelNames: ['state'],
      registers,
      async collect() {
        const f = await figures();
        this.reset();
        if (!f) return;
        this.set({ state: 'queued' }, f.mail.queued);
        this.set({ state: 'undeliverable' }, f.mail.undeliverable);
      },
    });
  }

  /** The onResponse hook that times every request but those to /metrics. */
  readonly timeRequest: onResponseHookHandler = (request, reply, done) => {
    const route = request.routeOptions.url ?? UNMATCHED_ROUTE;
    if (route !== '/metrics') this.observeRequest(request.method, reply.statusCode, route, reply.elapsedTime / 1000);
    done();
  };

  /** One response, by route (as Fastify names it), method and status (also for platform/front-door.ts). */
  observeRequest(method: string, status: number, route: string, seconds: number): void {
    const series = this.requests.series(`${method} ${status} ${route}`, () => ({ method, route, status_code: String(status) }));
    this.requests.observe(series, seconds);
  }

  /** For the JobRunner that `serve` starts beside the app. */
  jobDone(job: string, ok: boolean, ms: number): void {
    this.jobRuns.inc({ job });
    if (!ok) this.jobFailures.inc({ job });
    this.jobDurations.observe({ job }, ms / 1000);
  }

  /** The exposition text (Prometheus 0.0.4). */
  async exposition(): Promise<{ contentType: string; body: string }> {
    const both = Registry.merge([this.registry, processFigures()]);
    return { contentType: this.registry.contentType, body: await both.metrics() };
  }

  /** Stops listening to the database's queries (the app's onClose). */
  close(): void {
    this.stopQueries();
  }

  /** The site-wide figures, read at most once per SITE_FIGURES_KEPT_MS; null when the database did not answer. */
  private siteFigures(): Promise<SiteFigures | null> {
    const now = performance.now();
    if (this.site && now - this.site.at < SITE_FIGURES_KEPT_MS) return this.site.figures;
    const figures = withTimeout(this.readSiteFigures(), SITE_FIGURES_TIMEOUT_MS).catch(() => null);
    this.site = { at: now, figures };
    return figures;
  }

  private async readSiteFigures(): Promise<SiteFigures> {
    const db = this.sources.database.db;
    const now = this.sources.clock.now().toISOString();
    const [questions, memberships, trials, mail] = await Promise.all([
      countQuestionsByStatus(db),
      countMembershipsByState(db, now),
      countTrials(db, now),
      countOutboxBacklog(db),
    ]);
    return { questions, memberships, trials, mail };
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * Who may read /metrics: a request with METRICS_TOKEN as its bearer token, from anywhere; else one from an address
 * in METRICS_ALLOW. request.ip is the client's address as TRUST_PROXY decides. When no proxy is trusted, a request
 * carrying X-Forwarded-For (or Forwarded) came through a proxy Scholia was not told about, whose own address (often
 * 127.0.0.1, on the same machine) says nothing about the client: it is never let in by its address.
 */
export function metricsAccess(settings: Config['metrics'], trustProxy: Config['trustProxy']): (request: FastifyRequest) => boolean {
  const allowed = new BlockList();
  for (const entry of settings.allow) {
    const [address = '', prefix] = entry.split('/');
    const family = isIP(address) === 4 ? 'ipv4' : 'ipv6';
    if (prefix === undefined) allowed.addAddress(address, family);
    else allowed.addSubnet(address, Number(prefix), family);
  }
  // Both sides hashed to the same length, so the comparison takes the same time whatever was sent.
  const expected = settings.token === null ? null : digest(settings.token);
  return (request) => {
    const auth = request.headers.authorization;
    if (expected !== null && typeof auth === 'string') {
      const sent = /^Bearer +(\S+) *$/i.exec(auth)?.[1];
      if (sent !== undefined && timingSafeEqual(digest(sent), expected)) return true;
    }
    if (trustProxy === false && (request.headers['x-forwarded-for'] !== undefined || request.headers.forwarded !== undefined)) return false;
    const ip = request.ip;
    const family = isIP(ip);
    return family !== 0 && allowed.check(ip, family === 4 ? 'ipv4' : 'ipv6');
  };
}

/**
 * GET /metrics. Anyone not allowed gets the site's ordinary 404 page, the same as for an address that does not exist:
 * a 403 would tell a scanner there is something here worth a token. Never cached, never counted in the request
 * histogram, needs no session.
 */
export function metricsHandler(metrics: Metrics, config: Pick<Config, 'metrics' | 'trustProxy'>) {
  const allowed = metricsAccess(config.metrics, config.trustProxy);
  return async (request: FastifyRequest, reply: FastifyReply) => {
    if (!allowed(request)) {
      request.log.info({ ip: request.ip }, 'metrics refused: neither an allowed address (METRICS_ALLOW) nor the token (METRICS_TOKEN)');
      reply.callNotFound();
      return reply;
    }
    const { contentType, body } = await metrics.exposition();
    return reply.header('content-type', contentType).header('cache-control', 'no-store').send(body);
  };
}
