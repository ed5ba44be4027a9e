/**
 * `npm run bench [-- --questions N --duration S --connections C --print-only --cpu-prof DIR]`
 *
 * Measures how fast the real Scholia server serves question pages to visitors, against a ceiling: the same bytes
 * served from memory by a bare Fastify route on the same machine (scripts/bench-ceiling.ts). The ratio of the two
 * is the figure the product targets are set in (see docs/benchmarks.md), because it stays meaningful from one
 * machine to another where raw requests per second do not.
 *
 * Steps: make or reuse a synthetic database (the real `generate` command), start the real server (the real
 * `serve` command, production settings), load-test random canonical question URLs, fetch 200 of those pages,
 * swap the server for the ceiling app, load-test it the same way, print the table and record it in
 * docs/benchmarks.md.
 *
 * Every request says `Accept-Encoding: br, gzip`, as browsers do, so Scholia sends its pages compressed (brotli);
 * the ceiling serves the very bytes and headers Scholia sent for each page, compressed page included, so both
 * sides of the ratio send the same response.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import type { CeilingPage } from './bench-ceiling.ts';
import {
  BenchError,
  children,
  ensureQuestions,
  freePort,
  log,
  openReadonly,
  positiveInt,
  startChild,
  stopChild,
  waitHealthy,
} from './bench-common.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const HOST = '127.0.0.1';
const SAMPLE_SIZE = 5000;
const CEILING_PAGES = 200;
const WARMUP_SECONDS = 3;
const HEALTH_TIMEOUT_MS = 60_000;
const DOCS_FILE = path.join(ROOT, 'docs', 'benchmarks.md');
/** What browsers send; every load test and every page fetched for the ceiling says it. */
const ACCEPT_ENCODING = 'br, gzip';
// Per connection or per response, so the ceiling leaves these to its own server rather than copying Scholia's.
const OWN_HEADERS = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding', 'content-length']);

// ---------------------------------------------------------------------------------------------------------------
// autocannon ships no type declarations. Rather than add a dependency for them, this is the small part of its API
// the benchmark uses (checked against autocannon 8).

interface RawRequest {
  path: string;
  [key: string]: unknown;
}

interface AutocannonOptions {
  url: string;
  connections: number;
  duration: number;
  /** Seconds before a request counts as timed out. */
  timeout?: number;
  headers?: Record<string, string>;
  /** Each entry is built before every request it sends when it has setupRequest, so the path can vary. */
  requests?: Array<{ setupRequest?: (request: RawRequest, context: object) => RawRequest }>;
}

interface AutocannonResult {
  requests: { mean: number; total: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  /** Connection errors and timeouts (a timeout counts in both). */
  errors: number;
  timeouts: number;
}

type Autocannon = (options: AutocannonOptions, done: (err: Error | null, result: AutocannonResult) => void) => { stop(): void };

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

// ---------------------------------------------------------------------------------------------------------------
// Child processes: every one is killed when the benchmark ends, however it ends.

let stopLoad: (() => void) | undefined;

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    process.stderr.write(`\n${signal}: stopping the load test and the servers…\n`);
    stopLoad?.();
    // A generate child killed mid-batch loses only that batch's transaction; the next run completes it.
    void Promise.all([...children].map(stopChild)).finally(() => process.exit(130));
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers.

/** A GET whose body is kept as sent (fetch would decode a compressed one), with its status and headers. */
function rawGet(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers: { 'accept-encoding': ACCEPT_ENCODING, ...headers }, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const kept: Record<string, string> = {};
        for (const [name, value] of Object.entries(res.headers)) {
          if (value !== undefined && !OWN_HEADERS.has(name)) kept[name] = Array.isArray(value) ? value.join(', ') : value;
        }
        resolve({ status: res.statusCode ?? 0, headers: kept, body: Buffer.concat(chunks) });
      });
    });
    req.on('timeout', () => req.destroy(new BenchError(`GET ${url} took over 10 s`)));
    req.on('error', reject);
    req.end();
  });
}

/** The most memory the process ever had resident (VmHWM), in MB. */
function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmHWM:\s+(\d+)\s+kB$/m.exec(status)?.[1];
  if (kb === undefined) throw new BenchError(`no VmHWM in /proc/${pid}/status`);
  return Number(kb) / 1024;
}

// ---------------------------------------------------------------------------------------------------------------
// The database.

function ensureBenchQuestions(dataDir: string, dbFile: string, wanted: number): Promise<number> {
  return ensureQuestions(dataDir, dbFile, wanted, { start: startChild });
}

const MEMBER_EMAIL = 'bench-member@example.org';
const MEMBER_PASSWORD = 'bench member passphrase';

/**
 * A member for the benchmark, signed in the way a person signs in (the login form, its CSRF token): the account is
 * made with the real `user create` command, then given a complimentary membership. Returns the Cookie header.
 */
async function signInMember(base: string, dbFile: string): Promise<string> {
  const exists = (() => {
    const db = openReadonly(dbFile);
    try {
      return db?.prepare('select id from users where email = ?').get(MEMBER_EMAIL) !== undefined;
    } finally {
      db?.close();
    }
  })();
  if (!exists) {
    const child = startChild(
      ['--import', 'tsx', 'src/cli.ts', 'user', 'create', '--email', MEMBER_EMAIL, '--name', 'Bench Member', '--password', MEMBER_PASSWORD],
      { DATABASE_URL: `sqlite:${dbFile}` },
    );
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    if (code !== 0) throw new BenchError(`user create exited with ${code}`);
  }
  const db = new Database(dbFile);
  try {
    const { id } = db.prepare('select id from users where email = ?').get(MEMBER_EMAIL) as { id: number };
    const now = new Date().toISOString();
    db.prepare(
      `insert into memberships (user_id, status, source, period_end, cancel_at_period_end, created_at, updated_at)
       values (?, 'active', 'complimentary', '2099-01-01T00:00:00.000Z', 0, ?, ?)
       on conflict (user_id) do update set status = 'active', source = 'complimentary', period_end = '2099-01-01T00:00:00.000Z'`,
    ).run(id, now, now);
  } finally {
    db.close();
  }
  const jar = new Map<string, string>();
  const remember = (res: Response) => {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const [name, ...value] = (pair as string).split('=');
      jar.set(name as string, value.join('='));
    }
  };
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const form = await fetch(`${base}/login`);
  remember(form);
  const token = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1];
  if (!token) throw new BenchError('no CSRF token on /login');
  const res = await fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookie() },
    body: new URLSearchParams({ _csrf: token, email: MEMBER_EMAIL, password: MEMBER_PASSWORD }).toString(),
  });
  remember(res);
  if (res.status !== 303) throw new BenchError(`signing the benchmark member in answered ${res.status}`);
  return cookie();
}

function sampleQuestionPaths(dbFile: string): string[] {
  const db = openReadonly(dbFile);
  if (!db) throw new BenchError(`no database at ${dbFile}`);
  try {
    const rows = db
      .prepare("select id, slug from questions where status = 'published' order by random() limit ?")
      .all(SAMPLE_SIZE) as Array<{ id: number; slug: string }>;
    // The canonical address (questionPath in src/modules/questions/question.ts): any other gets a 301.
    return rows.map((r) => `/q/${r.id}/${r.slug}`);
  } finally {
    db.close();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Load testing.

interface Measure {
  reqPerSec: number;
  p50: number;
  p99: number;
  requests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  peakRssMb: number;
}

function runLoad(
  url: string,
  paths: readonly string[],
  seconds: number,
  connections: number,
  headers: Record<string, string> = {},
): Promise<AutocannonResult> {
  return new Promise((resolve, reject) => {
    // Each request draws its own path, so the server cannot lean on one hot row or one cached render.
    const setupRequest = (request: RawRequest): RawRequest => {
      request.path = paths[Math.floor(Math.random() * paths.length)] as string;
      return request;
    };
    // autocannon ends on its own after `seconds`; the guard only keeps a stuck run from hanging the benchmark.
    const guard = setTimeout(() => instance.stop(), (seconds + 30) * 1000);
    const instance = autocannon(
      { url, connections, duration: seconds, timeout: 10, headers, requests: [{ setupRequest }] },
      (err, result) => {
        clearTimeout(guard);
        stopLoad = undefined;
        if (err) reject(err);
        else resolve(result);
      },
    );
    stopLoad = () => instance.stop();
  });
}

/** Requests each path once, `connections` at a time. */
async function requestEach(base: string, paths: readonly string[], connections: number, headers: Record<string, string>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < paths.length && !interrupted) {
      const p = paths[next++] as string;
      const res = await fetch(`${base}${p}`, { headers });
      await res.arrayBuffer();
      if (res.status !== 200) throw new BenchError(`GET ${p} answered ${res.status} in the warm pass`);
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
}

/** Set from --cold: measure without the warm pass. */
let warmPass = true;

async function measure(
  base: string,
  pid: number,
  paths: readonly string[],
  seconds: number,
  connections: number,
  headers: Record<string, string> = {},
): Promise<Measure> {
  const sent = { 'accept-encoding': ACCEPT_ENCODING, ...headers };
  // Every sampled page once, so what is measured is pages as a site serves them once its cache holds them (the
  // product's bar), not the first rendering of 5,000 pages, which a 10-second run would otherwise mostly be. The
  // "rendered per request" row measures rendering. --cold leaves this out, as the runs before 2026-12-04 did.
  if (warmPass) {
    const started = performance.now();
    await requestEach(base, paths, connections, sent);
    log(`  warm pass: each of the ${paths.length} pages requested once, in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  // Warm-up (JIT, SQLite page cache, connection set-up), not counted.
  await runLoad(base, paths, WARMUP_SECONDS, connections, sent);
  if (interrupted) throw new BenchError('interrupted');
  const r = await runLoad(base, paths, seconds, connections, sent);
  if (interrupted) throw new BenchError('interrupted');
  return {
    reqPerSec: r.requests.mean,
    p50: r.latency.p50,
    p99: r.latency.p99,
    requests: r.requests.total,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    peakRssMb: peakRssMb(pid),
  };
}

function describe(m: Measure): string {
  return `${m.reqPerSec.toFixed(0)} req/s, p50 ${m.p50} ms, p99 ${m.p99} ms, ${m.requests} requests, ${m.non2xx} non-2xx, ${m.errors} errors (${m.timeouts} timeouts), peak RSS ${m.peakRssMb.toFixed(0)} MB`;
}

// ---------------------------------------------------------------------------------------------------------------
// Report.

interface Report {
  date: string;
  machine: string;
  node: string;
  questions: number;
  duration: number;
  connections: number;
  command: string;
  scholia: Measure;
  scholiaUncached: Measure;
  /** A signed-in member: the session, membership and notification lookups, the whole answer, rendered per request. */
  scholiaMember: Measure;
  ceiling: Measure;
}

function table(r: Report): string {
  const row = (name: string, m: Measure) =>
    `| ${name} | ${m.reqPerSec.toFixed(0)} | ${m.p50} | ${m.p99} | ${m.peakRssMb.toFixed(0)} | ${m.non2xx + m.errors} |`;
  return [
    '| | req/s | p50 ms | p99 ms | peak RSS MB | non-2xx + errors |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    row('Scholia question page (visitor, default settings)', r.scholia),
    row('Scholia question page, rendered per request (PAGE_CACHE_MB=0)', r.scholiaUncached),
    row("Scholia question page, signed-in member (the members' shared page, their header per request)", r.scholiaMember),
    row('ceiling (bare Fastify, bytes from memory)', r.ceiling),
    '',
    `**Ratio req/s (Scholia visitor / ceiling): ${(r.scholia.reqPerSec / r.ceiling.reqPerSec).toFixed(3)}**; ` +
      `rendered per request / ceiling: ${(r.scholiaUncached.reqPerSec / r.ceiling.reqPerSec).toFixed(3)}; ` +
      `**member / ceiling: ${(r.scholiaMember.reqPerSec / r.ceiling.reqPerSec).toFixed(3)}**`,
  ].join('\n');
}

function section(r: Report, key: string): string {
  return [
    `<!-- ${key} -->`,
    `## ${r.date.slice(0, 10)}: ${r.questions} questions, ${r.duration} s, ${r.connections} connections`,
    '',
    `- Machine: ${r.machine}; Node ${r.node}. The load generator runs on the same machine and shares its cores.`,
    `- Run at ${r.date}: \`${r.command}\``,
    '',
    table(r),
    '',
  ].join('\n');
}

const DOCS_HEADER = `# Benchmarks

Recorded by \`npm run bench\` (scripts/bench.ts); each run adds or updates a dated section below.

## What is measured

- **Scholia question page (visitor):** the real server (\`scholia serve\`, \`LOG_LEVEL=warn\`, SQLite) over a
  database of synthetic questions made by \`scholia generate --seed 1\`. Each request asks for a random one of
  ${SAMPLE_SIZE} published questions, sampled at random, at its canonical address \`/q/:id/:slug\` (so no request
  is a redirect), as an anonymous visitor. With default settings visitors' pages are cached in memory
  (\`PAGE_CACHE_MB\`, 256 MB, which holds the whole sample) and every request checks that nothing was committed
  since the page was confirmed (SQLite's data_version), so an edit shows at once; the second Scholia row turns the cache off and renders every page per
  request, the path members' pages will take.
- **Ceiling (bare Fastify, bytes from memory):** ${CEILING_PAGES} of those pages, fetched from the real server,
  served byte for byte from memory at the same paths by a bare Fastify route (no logger, no plugins, the headers
  Scholia sent with each page): the most any page can reach with Fastify on this machine.
- Both are load-tested by autocannon on 127.0.0.1 with the same duration and connections, after a pass that
  requests every sampled page once (Scholia only; \`--cold\` leaves it out) and a ${WARMUP_SECONDS} s warm-up,
  neither counted. Figures: mean requests per second, latency p50 and p99, and the
  server process's peak resident memory (VmHWM).
- Every request sends \`Accept-Encoding: ${ACCEPT_ENCODING}\`, as browsers do: Scholia answers with brotli (a
  visitor's cached page keeps its compressed copy; other pages are compressed per response), and the ceiling serves
  the bytes and headers Scholia sent, compressed body and \`Content-Encoding\` included.

## Targets

The figure that counts is the **ratio** req/s(Scholia) / req/s(ceiling), which carries from one machine to another
where raw req/s do not. Visitors' pages must eventually reach **at least 0.6** of the ceiling (at this foundation
stage the bar is **at least 0.2**); members' pages at least 0.2.
`;

function recordInDocs(r: Report): void {
  // One section per date and settings: a re-run the same day with the same settings replaces its section.
  const key = `bench ${r.date.slice(0, 10)} questions=${r.questions} duration=${r.duration} connections=${r.connections}${warmPass ? ' warm' : ''}`;
  const text = section(r, key);
  mkdirSync(path.dirname(DOCS_FILE), { recursive: true });
  let doc = existsSync(DOCS_FILE) ? readFileSync(DOCS_FILE, 'utf8') : DOCS_HEADER;
  const marker = `<!-- ${key} -->`;
  const start = doc.indexOf(marker);
  if (start >= 0) {
    const next = doc.indexOf('<!-- bench ', start + marker.length);
    doc = doc.slice(0, start) + text + (next >= 0 ? `\n${doc.slice(next)}` : '');
  } else {
    doc = `${doc.trimEnd()}\n\n${text}`;
  }
  writeFileSync(DOCS_FILE, doc);
}

// ---------------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      questions: { type: 'string' },
      duration: { type: 'string' },
      connections: { type: 'string' },
      // For trying the script out: print the table but leave docs/benchmarks.md alone.
      'print-only': { type: 'boolean' },
      // Without the pass that requests every sampled page once before measuring (how runs before 2026-12-04 measured).
      cold: { type: 'boolean' },
      // For finding where the time goes: each Scholia server writes a V8 CPU profile (.cpuprofile) into this
      // directory when it stops. Profiling slows the server, so figures from such a run are not recorded.
      'cpu-prof': { type: 'string' },
    },
  });
  warmPass = values.cold !== true;
  const questions = positiveInt(values.questions, 'questions', 100_000);
  const duration = positiveInt(values.duration, 'duration', 20);
  const connections = positiveInt(values.connections, 'connections', 50);

  // One directory per size, so a small trial database never stands in for the real one.
  const dataDir = path.join('bench-data', questions === 100_000 ? '100k' : String(questions));
  const dbFile = path.join(ROOT, dataDir, 'scholia.db');
  const count = await ensureBenchQuestions(dataDir, dbFile, questions);

  const paths = sampleQuestionPaths(dbFile);
  if (paths.length === 0) throw new BenchError('no published questions to request');

  // 1. The real server, twice: as configured by default (visitors' pages cached, each request checking the
  // question's version in the database), then with the page cache off, so every page is rendered per request as
  // members' pages will be.
  const startScholia = async (extraEnv: Record<string, string>) => {
    const port = await freePort(HOST);
    const base = `http://${HOST}:${port}`;
    log(`Starting Scholia on ${base} ${JSON.stringify(extraEnv)}…`);
    const profile = values['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(values['cpu-prof'])}`] : [];
    const server = startChild([...profile, '--import', 'tsx', 'src/cli.ts', 'serve'], {
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST,
      LOG_LEVEL: 'warn',
      SITE_URL: base,
      NODE_ENV: 'production',
      ...extraEnv,
    });
    await waitHealthy(base, server, 'Scholia', HEALTH_TIMEOUT_MS);
    const probe = await rawGet(`${base}${paths[0]}`);
    if (probe.status !== 200) throw new BenchError(`GET ${paths[0]} answered ${probe.status}, not 200`);
    // The figures are for compressed pages, as browsers get them; a server sending them uncompressed (COMPRESSION=off
    // in the environment) would measure something else.
    if (probe.headers['content-encoding'] !== 'br')
      throw new BenchError(`GET ${paths[0]} was not sent with brotli; is COMPRESSION=off set?`);
    return { server, base };
  };

  const uncachedRun = await startScholia({ PAGE_CACHE_MB: '0' });
  log(`Load-testing Scholia, page cache off: ${paths.length} question URLs, ${duration} s, ${connections} connections…`);
  const scholiaUncached = await measure(uncachedRun.base, uncachedRun.server.pid as number, paths, duration, connections);
  log(`  ${describe(scholiaUncached)}`);
  await stopChild(uncachedRun.server);

  const { server, base } = await startScholia({});
  log(`Load-testing Scholia: ${paths.length} question URLs, ${duration} s, ${connections} connections…`);
  const scholia = await measure(base, server.pid as number, paths, duration, connections);
  log(`  ${describe(scholia)}`);
  const cookie = await signInMember(base, dbFile);
  const memberPage = await (await fetch(`${base}${paths[0]}`, { headers: { cookie } })).text();
  if (memberPage.includes('Read the whole expert answer') || !memberPage.includes('Bench Member'))
    throw new BenchError('the benchmark member does not get the whole answer; check the membership row');
  log(`Load-testing Scholia as a signed-in member: ${paths.length} question URLs, ${duration} s, ${connections} connections…`);
  const scholiaMember = await measure(base, server.pid as number, paths, duration, connections, { cookie });
  log(`  ${describe(scholiaMember)}`);

  // 2. The pages the ceiling will serve, exactly as Scholia sent them to a browser: compressed, with its headers.
  const ceilingPages: CeilingPage[] = [];
  for (const p of paths.slice(0, CEILING_PAGES)) {
    const res = await rawGet(`${base}${p}`);
    if (res.status !== 200) throw new BenchError(`GET ${p} answered ${res.status}, not 200`);
    ceilingPages.push({ path: p, headers: res.headers, body: res.body.toString('base64') });
  }
  await stopChild(server);
  const pagesFile = path.join(ROOT, 'bench-data', 'ceiling-pages.json');
  writeFileSync(pagesFile, JSON.stringify(ceilingPages));

  // 3. The ceiling, on a fresh port so no lingering connection to the old server can reach it.
  const ceilingPort = await freePort(HOST);
  const ceilingBase = `http://${HOST}:${ceilingPort}`;
  log(`Starting the ceiling app on ${ceilingBase}…`);
  const ceilingServer = startChild(['--import', 'tsx', 'scripts/bench-ceiling.ts', pagesFile], {
    PORT: String(ceilingPort),
    HOST,
    NODE_ENV: 'production',
  });
  await waitHealthy(ceilingBase, ceilingServer, 'the ceiling app', HEALTH_TIMEOUT_MS);
  log(`Load-testing the ceiling: ${ceilingPages.length} pages, ${duration} s, ${connections} connections…`);
  const ceiling = await measure(
    ceilingBase,
    ceilingServer.pid as number,
    ceilingPages.map((p) => p.path),
    duration,
    connections,
  );
  log(`  ${describe(ceiling)}`);
  await stopChild(ceilingServer);

  const cpus = os.cpus();
  const report: Report = {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    machine: `${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${cpus.length} cores, ${os.platform()} ${os.release()}`,
    node: process.version,
    questions: count,
    duration,
    connections,
    command: `npm run bench -- --questions ${questions} --duration ${duration} --connections ${connections}${warmPass ? '' : ' --cold'}`,
    scholia,
    scholiaUncached,
    scholiaMember,
    ceiling,
  };
  process.stdout.write(
    `\nMachine: ${report.machine}; Node ${report.node}\n` +
      `Date: ${report.date}; ${report.questions} questions; ${duration} s per test; ${connections} connections\n\n` +
      `${table(report)}\n`,
  );
  if (values['print-only'] || values['cpu-prof']) return;
  recordInDocs(report);
  log(`\nRecorded in ${path.relative(ROOT, DOCS_FILE)}.`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    // When interrupted, the signal handler is stopping the children and exits once they are gone.
    if (interrupted) return;
    log(`bench: ${err instanceof BenchError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    // The exit handler kills whatever child is still running.
    process.exit(1);
  },
);
