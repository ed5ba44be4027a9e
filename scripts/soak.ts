/**
 * `npm run soak -- --minutes N [--questions Q --concurrency C --rps R --ask-every S]`
 *
 * Runs the real server (`scholia serve`, SQLite, production settings) for N minutes under mixed traffic and prints,
 * every minute, its memory (resident, and the heap still live after a full collection), the requests done, the
 * errors and the minute's latency percentiles; at the end a summary says whether memory stayed flat.
 *
 * The traffic: visitors reading random question pages and searching; a member (the demo's Jordan Lee) and a
 * signed-in non-member (Maya Chen) reading question pages; now and then the member asks a question through the real
 * form, CSRF token and all. At most C requests at once, at most R a second (0: as fast as the server answers).
 *
 * The database is the benchmarks' kind (the real `generate` command, seed 1) with the demo loaded on top for the
 * accounts, in bench-data/soak: the soak's asked questions never land in the database `npm run bench` measures.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { DEMO_PASSWORD } from '../src/demo/seed.ts';
import {
  BenchError,
  ensureQuestions,
  freePort,
  log,
  openReadonly,
  percentile,
  positiveInt,
  ROOT,
  sleep,
  startChild,
  stopChild,
  waitHealthy,
} from './bench-common.ts';

const HOST = '127.0.0.1';
const SAMPLE_SIZE = 5000;
const MEMBER = { email: 'jordan.lee@demo.scholia.test', name: 'Jordan Lee' };
const SIGNED_IN = { email: 'maya.chen@demo.scholia.test', name: 'Maya Chen' };
const REQUEST_TIMEOUT_MS = 30_000;
/** The minute memory growth is measured from: the first is warm-up (JIT, SQLite's page cache, the page cache filling). */
const BASELINE_MINUTE = 2;

// ---------------------------------------------------------------------------------------------------------------
// The server child, stopped however the soak ends.

let interrupted = false;
let stopRequested: (() => void) | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    process.stderr.write(`\n${signal}: stopping the load; the summary of the whole minutes follows.\n`);
    stopRequested?.();
  });
}

function runToEnd(args: string[], env: Record<string, string>, what: string): Promise<void> {
  const child = startChild(args, env);
  return new Promise((resolve, reject) =>
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new BenchError(`${what} exited with ${code}`)))),
  );
}

interface Memory {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  cpuMicros: number;
}

/** The server's memory, asked over IPC of scripts/soak-probe.ts; `gc` collects first. */
function serverMemory(child: ChildProcess, gc: boolean): Promise<Memory> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.off('message', onMessage);
      reject(new BenchError('the server did not report its memory within 10 s'));
    }, 10_000);
    const onMessage = (m: { type?: string } & Memory) => {
      if (m?.type !== 'memory') return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(m);
    };
    child.on('message', onMessage);
    child.send({ type: 'memory', gc });
  });
}

/**
 * The file-backed part of the server's resident memory, from /proc (0 where there is none): mostly SQLite's
 * memory-mapped database file on the read connection, pages the kernel drops under pressure, so not a leak.
 */
function rssFileMb(pid: number | undefined): number {
  try {
    const kb = /^RssFile:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? 0 : Number(kb) / 1024;
  } catch {
    return 0;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Clients.

/** Cookies and form tokens over fetch, as a browser keeps them. */
class Session {
  private readonly jar = new Map<string, string>();
  constructor(private readonly base: string) {}

  private remember(res: Response): void {
    for (const c of res.headers.getSetCookie()) {
      const [pair = ''] = c.split(';');
      const eq = pair.indexOf('=');
      const value = pair.slice(eq + 1).trim();
      if (value === '') this.jar.delete(pair.slice(0, eq).trim());
      else this.jar.set(pair.slice(0, eq).trim(), value);
    }
  }

  cookie(): string {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async get(url: string): Promise<{ status: number; body: string }> {
    const res = await fetch(this.base + url, {
      headers: this.jar.size > 0 ? { cookie: this.cookie() } : {},
      redirect: 'manual',
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    this.remember(res);
    return { status: res.status, body: await res.text() };
  }

  async post(url: string, form: Record<string, string>): Promise<{ status: number; body: string }> {
    const res = await fetch(this.base + url, {
      method: 'POST',
      headers: { cookie: this.cookie(), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
      redirect: 'manual',
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    this.remember(res);
    return { status: res.status, body: await res.text() };
  }

  async token(url: string): Promise<string> {
    const page = await this.get(url);
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
    if (page.status !== 200 || !token) throw new Error(`GET ${url} answered ${page.status} without a form token`);
    return token;
  }

  async signIn(email: string): Promise<void> {
    const res = await this.post('/login', { _csrf: await this.token('/login'), email, password: DEMO_PASSWORD });
    if (res.status !== 303) throw new BenchError(`signing ${email} in answered ${res.status}`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The traffic.

type Kind = 'visitor page' | 'member page' | 'signed-in page' | 'search' | 'ask';

interface Bucket {
  requests: number;
  errors: number;
  latencies: number[];
  firstErrors: string[];
}

const newBucket = (): Bucket => ({ requests: 0, errors: 0, latencies: [], firstErrors: [] });

interface Traffic {
  paths: readonly string[];
  words: readonly string[];
  visitor: Session;
  member: Session;
  signedIn: Session;
}

let asked = 0;

/** One request of the mix; returns what went wrong, or null. */
async function request(kind: Kind, t: Traffic): Promise<string | null> {
  const anyPath = () => t.paths[Math.floor(Math.random() * t.paths.length)] as string;
  switch (kind) {
    case 'visitor page': {
      const url = anyPath();
      const res = await t.visitor.get(url);
      return res.status === 200 ? null : `GET ${url} answered ${res.status}`;
    }
    case 'member page':
    case 'signed-in page': {
      const [session, who] = kind === 'member page' ? [t.member, MEMBER] : [t.signedIn, SIGNED_IN];
      const url = anyPath();
      const res = await session.get(url);
      if (res.status !== 200) return `GET ${url} as ${who.name} answered ${res.status}`;
      return res.body.includes(who.name) ? null : `GET ${url} as ${who.name} came back signed out`;
    }
    case 'search': {
      const q = [0, 1].map(() => t.words[Math.floor(Math.random() * t.words.length)]).join(' ');
      const res = await t.visitor.get(`/search?q=${encodeURIComponent(q)}`);
      return res.status === 200 ? null : `GET /search?q=${q} answered ${res.status}`;
    }
    case 'ask': {
      // The form as a person fills it: the page (its token), then the post straight past the confirm step.
      const token = await t.member.token('/ask');
      const n = ++asked;
      const res = await t.member.post('/ask', {
        _csrf: token,
        title: `Soak question ${n}: how do ${t.words[n % t.words.length]} and ${t.words[(n * 7) % t.words.length]} relate?`,
        details: 'Asked by the soak test through the real form.',
        subject: 'science',
        topics: 'soak',
        step: 'post',
      });
      return res.status === 303 ? null : `POST /ask answered ${res.status}`;
    }
  }
}

/** Visitors most, members and signed-in readers next, a search now and then. */
function drawKind(): Exclude<Kind, 'ask'> {
  const r = Math.random();
  if (r < 0.55) return 'visitor page';
  if (r < 0.75) return 'member page';
  if (r < 0.85) return 'signed-in page';
  return 'search';
}

// ---------------------------------------------------------------------------------------------------------------
// Figures.

const mb = (bytes: number) => bytes / 1024 / 1024;

interface Row {
  minute: number;
  requests: number;
  errors: number;
  p50: number;
  p95: number;
  p99: number;
  rssMb: number;
  /** Of rssMb, file-backed pages (the memory-mapped database). */
  rssFileMb: number;
  heapMb: number;
  externalMb: number;
  cpuPct: number;
}

const HEADER = [
  '| minute | requests | req/s | errors | p50 ms | p95 ms | p99 ms | RSS MB | of it file-backed MB | live heap MB | external MB | server CPU % |',
  '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
].join('\n');

function rowLine(r: Row): string {
  return `| ${r.minute} | ${r.requests} | ${(r.requests / 60).toFixed(0)} | ${r.errors} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.rssMb.toFixed(0)} | ${r.rssFileMb.toFixed(0)} | ${r.heapMb.toFixed(1)} | ${r.externalMb.toFixed(0)} | ${r.cpuPct.toFixed(0)} |`;
}

/** Least-squares slope of y over x. */
function slope(points: Array<[number, number]>): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const num = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const den = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

function growth(name: string, from: number, to: number): string {
  const d = to - from;
  return `${name} ${from.toFixed(1)} → ${to.toFixed(1)} MB (${d >= 0 ? '+' : ''}${d.toFixed(1)} MB, ${d >= 0 ? '+' : ''}${((d / from) * 100).toFixed(1)}%)`;
}

// ---------------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      minutes: { type: 'string' },
      questions: { type: 'string' },
      concurrency: { type: 'string' },
      rps: { type: 'string' },
      'ask-every': { type: 'string' },
    },
  });
  const minutes = positiveInt(values.minutes, 'minutes', 10);
  const questions = positiveInt(values.questions, 'questions', 20_000);
  const concurrency = positiveInt(values.concurrency, 'concurrency', 8);
  const rps = values.rps === '0' ? 0 : positiveInt(values.rps, 'rps', 100);
  const askEverySeconds = positiveInt(values['ask-every'], 'ask-every', 20);

  const dataDir = path.join('bench-data', 'soak');
  const dbFile = path.join(ROOT, dataDir, 'scholia.db');
  await ensureQuestions(dataDir, dbFile, questions, { start: (args, env) => startChild(args, env) });
  log('Loading the demo accounts (seed --demo; adds nothing when they are there)…');
  await runToEnd(['--import', 'tsx', 'src/cli.ts', 'seed', '--demo'], { DATA_DIR: dataDir, LOG_LEVEL: 'warn' }, 'seed --demo');

  const db = openReadonly(dbFile);
  if (!db) throw new BenchError(`no database at ${dbFile}`);
  const rows = db
    .prepare("select id, slug, title from questions where status = 'published' order by random() limit ?")
    .all(SAMPLE_SIZE) as Array<{ id: number; slug: string; title: string }>;
  db.close();
  if (rows.length === 0) throw new BenchError('no published questions to request');
  const paths = rows.map((r) => `/q/${r.id}/${r.slug}`);
  const words = [...new Set(rows.flatMap((r) => r.title.toLowerCase().match(/\p{L}{5,}/gu) ?? []))];

  const port = await freePort(HOST);
  const base = `http://${HOST}:${port}`;
  log(`Starting Scholia on ${base}…`);
  const probe = pathToFileURL(path.join(ROOT, 'scripts', 'soak-probe.ts')).href;
  const server = startChild(
    ['--expose-gc', '--import', 'tsx', '--import', probe, 'src/cli.ts', 'serve'],
    {
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST,
      LOG_LEVEL: 'warn',
      SITE_URL: base,
      NODE_ENV: 'production',
      // The member asks far more than a month's allowance over a long soak.
      QUESTIONS_PER_MONTH: '10000',
    },
    true,
  );
  await waitHealthy(base, server, 'the server', 120_000);

  const traffic: Traffic = { paths, words, visitor: new Session(base), member: new Session(base), signedIn: new Session(base) };
  await traffic.member.signIn(MEMBER.email);
  await traffic.signedIn.signIn(SIGNED_IN.email);
  for (const kind of ['visitor page', 'member page', 'signed-in page', 'search', 'ask'] as const) {
    const problem = await request(kind, traffic);
    if (problem) throw new BenchError(`before the soak: ${problem}`);
  }

  const cpus = os.cpus();
  const machine = `${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${cpus.length} cores, ${(os.totalmem() / 1024 ** 3).toFixed(0)} GB RAM, ${os.platform()} ${os.release()}`;
  process.stdout.write(
    `\nSoak: ${minutes} min, ${rows.length} published question pages + search, ${concurrency} at once, ` +
      `${rps === 0 ? 'no rate cap' : `at most ${rps} req/s`}, a question asked every ${askEverySeconds} s\n` +
      `Machine: ${machine}; Node ${process.version}\nStarted ${new Date().toISOString()}\n\n${HEADER}\n`,
  );

  let before = await serverMemory(server, true);
  let beforeAt = Date.now();
  const startRss = mb(before.rss);
  const startHeap = mb(before.heapUsed);

  let bucket = newBucket();
  const all: Record<Kind, number[]> = { 'visitor page': [], 'member page': [], 'signed-in page': [], search: [], ask: [] };
  let totalErrors = 0;
  const errorKinds = new Map<string, number>();
  let stopping = false;
  const stopped = new Promise<void>((resolve) => {
    stopRequested = () => {
      stopping = true;
      resolve();
    };
  });

  // A shared schedule keeps the rate under the cap however many workers wait on it.
  const interval = rps === 0 ? 0 : 1000 / rps;
  let nextSlot = Date.now();
  const takeSlot = async () => {
    if (interval === 0) return;
    const at = Math.max(nextSlot, Date.now());
    nextSlot = at + interval;
    const wait = at - Date.now();
    if (wait > 0) await sleep(wait);
  };

  const timed = async (kind: Kind) => {
    const started = performance.now();
    let problem: string | null;
    try {
      problem = await request(kind, traffic);
    } catch (err) {
      problem = `${kind}: ${err instanceof Error ? err.message : String(err)}`;
    }
    const ms = performance.now() - started;
    // Requests cut short by the end of the soak are not the server's doing.
    if (stopping) return;
    bucket.requests++;
    bucket.latencies.push(ms);
    all[kind].push(ms);
    if (problem) {
      bucket.errors++;
      totalErrors++;
      const key = problem.replace(/\/q\/\d+\/\S+/, '/q/…').replace(/q=\S+/, 'q=…');
      errorKinds.set(key, (errorKinds.get(key) ?? 0) + 1);
      if (bucket.firstErrors.length < 3) bucket.firstErrors.push(problem);
    }
  };

  const worker = async () => {
    while (!stopping) {
      await takeSlot();
      if (stopping) break;
      await timed(drawKind());
    }
  };
  const asker = async () => {
    while (!stopping) {
      await Promise.race([sleep(askEverySeconds * 1000), stopped]);
      if (!stopping) await timed('ask');
    }
  };
  const load = [...Array.from({ length: concurrency }, worker), asker()];

  const table: Row[] = [];
  const startedAt = Date.now();
  for (let minute = 1; minute <= minutes && !stopping; minute++) {
    await Promise.race([sleep(startedAt + minute * 60_000 - Date.now()), stopped]);
    // Interrupted: the minute is not whole (and Ctrl-C reached the server too), so it gets no row.
    if (stopping) break;
    if (server.exitCode !== null || server.signalCode !== null)
      throw new BenchError(`the server exited (${server.exitCode ?? server.signalCode})`);
    const done = bucket;
    bucket = newBucket();
    const now = await serverMemory(server, true);
    const nowAt = Date.now();
    const sorted = done.latencies.sort((a, b) => a - b);
    const row: Row = {
      minute,
      requests: done.requests,
      errors: done.errors,
      p50: percentile(sorted, 50),
      p95: percentile(sorted, 95),
      p99: percentile(sorted, 99),
      rssMb: mb(now.rss),
      rssFileMb: rssFileMb(server.pid),
      heapMb: mb(now.heapUsed),
      externalMb: mb(now.external),
      cpuPct: ((now.cpuMicros - before.cpuMicros) / 1000 / (nowAt - beforeAt)) * 100,
    };
    before = now;
    beforeAt = nowAt;
    table.push(row);
    process.stdout.write(`${rowLine(row)}\n`);
    for (const e of done.firstErrors) log(`  minute ${minute} error: ${e}`);
  }
  stopRequested?.();
  await Promise.all(load);
  await stopChild(server);

  // Summary.
  const lines: string[] = ['', `Finished ${new Date().toISOString()} after ${table.length} min.`];
  const total = Object.values(all).reduce((s, l) => s + l.length, 0);
  lines.push(
    `Requests: ${total}, errors: ${totalErrors}${totalErrors > 0 ? ` (${[...errorKinds].map(([k, n]) => `${n}× ${k}`).join('; ')})` : ''}.`,
  );
  lines.push('', '| request | count | p50 ms | p95 ms | p99 ms |', '| --- | ---: | ---: | ---: | ---: |');
  for (const [kind, list] of Object.entries(all)) {
    const s = list.sort((a, b) => a - b);
    if (s.length > 0)
      lines.push(
        `| ${kind} | ${s.length} | ${percentile(s, 50).toFixed(1)} | ${percentile(s, 95).toFixed(1)} | ${percentile(s, 99).toFixed(1)} |`,
      );
  }
  lines.push(
    '',
    `Memory at start (after sign-in, one request of each kind): RSS ${startRss.toFixed(0)} MB, live heap ${startHeap.toFixed(1)} MB.`,
  );
  const at = (minute: number) => table.find((r) => r.minute === minute);
  const last = table.at(-1);
  const from = at(BASELINE_MINUTE);
  // The caches (rendered pages, previews, related lists, SQLite's pages) fill for as long as new pages keep being
  // met, which with thousands of pages takes longer than two minutes: the verdict is on the second half of the run.
  const judged = last ? at(Math.max(BASELINE_MINUTE, Math.floor(last.minute / 2))) : undefined;
  const anon = (r: Row) => r.rssMb - r.rssFileMb;
  const change = (a: Row, b: Row) =>
    `${growth('RSS', a.rssMb, b.rssMb)}; ${growth('RSS less file-backed pages', anon(a), anon(b))}; ` +
    `${growth('live heap', a.heapMb, b.heapMb)}; ${growth('external', a.externalMb, b.externalMb)}`;
  if (from && judged && last && last.minute > judged.minute) {
    lines.push(`From minute ${from.minute} to minute ${last.minute}: ${change(from, last)}.`);
    if (judged.minute > from.minute) lines.push(`Second half, minute ${judged.minute} to ${last.minute}: ${change(judged, last)}.`);
    const half = table.filter((r) => r.minute >= judged.minute);
    const heapSlope = slope(half.map((r) => [r.minute, r.heapMb]));
    const anonSlope = slope(half.map((r) => [r.minute, anon(r)]));
    lines.push(
      `Trend over the second half (least squares): live heap ${(heapSlope * 10).toFixed(2)} MB per 10 min, RSS less file-backed pages ${(anonSlope * 10).toFixed(1)} MB per 10 min.`,
    );
    // A leak shows as live heap that keeps rising; RSS also moves with the allocator, the caches and the mapped
    // database file, which is why the file-backed pages are left out of it here.
    const heapGrowth = last.heapMb - judged.heapMb;
    const anonGrowth = anon(last) - anon(judged);
    const flat = heapGrowth <= Math.max(2, judged.heapMb * 0.05) && anonGrowth <= Math.max(20, anon(judged) * 0.1);
    lines.push(
      flat
        ? `Memory looks flat: over the second half, live heap within max(2 MB, 5%) and RSS less file-backed pages within max(20 MB, 10%).`
        : `Memory GROWS over the second half: live heap ${heapGrowth >= 0 ? '+' : ''}${heapGrowth.toFixed(1)} MB, RSS less file-backed pages ${anonGrowth >= 0 ? '+' : ''}${anonGrowth.toFixed(0)} MB. Either the caches were still filling (a run shorter than about 20 minutes) or something leaks: run longer, and look at a heap snapshot.`,
    );
  } else {
    lines.push(`Too short to judge memory: run at least ${BASELINE_MINUTE + 1} minutes.`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    log(`soak: ${err instanceof BenchError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
