// What the benchmark scripts (bench.ts, bench-search.ts, bench-typeahead.ts, soak.ts) share: their error type, logging,
// option parsing, and the synthetic database they measure, made by the real `generate` command.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** A failure the script explains in one line (anything else prints its stack). */
export class BenchError extends Error {}

/** Progress goes to stderr, so stdout holds only the figures. */
export function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

export function positiveInt(raw: string | undefined, name: string, fallback: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || !Number.isSafeInteger(Number(raw)))
    throw new BenchError(`--${name} must be a positive whole number`);
  return Number(raw);
}

/** Where a database of N questions lives: bench-data/100k for the usual size, bench-data/<N> for others. */
export function benchDataDir(questions: number): string {
  return path.join('bench-data', questions === 100_000 ? '100k' : String(questions));
}

export function openReadonly(dbFile: string): Database.Database | undefined {
  if (!existsSync(dbFile)) return undefined;
  return new Database(dbFile, { readonly: true, fileMustExist: true });
}

export function countPublished(dbFile: string): number {
  const db = openReadonly(dbFile);
  if (!db) return 0;
  try {
    if (!db.prepare("select 1 from sqlite_master where type = 'table' and name = 'questions'").get()) return 0;
    return (db.prepare("select count(*) as n from questions where status = 'published'").get() as { n: number }).n;
  } finally {
    db.close();
  }
}

export interface EnsureOptions {
  /** How published questions are counted (defaults to the SQLite file; bench-search counts in PostgreSQL). */
  count?: () => Promise<number> | number;
  /** Extra environment for generate (DATABASE_URL for PostgreSQL). */
  env?: Record<string, string>;
  /** How the child is started (bench.ts tracks its children to stop them on Ctrl-C). */
  start?: (args: string[], env: Record<string, string>) => ChildProcess;
  /** What to call the database in messages. */
  label?: string;
}

function startPlain(args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit'] });
}

/**
 * At least `wanted` published questions, made by the real command (resumable, seed 1), so the benchmarks measure
 * data made the way an operator would make it. Returns how many there are.
 */
export async function ensureQuestions(dataDir: string, dbFile: string, wanted: number, options: EnsureOptions = {}): Promise<number> {
  const count = options.count ?? (() => countPublished(dbFile));
  const label = options.label ?? dataDir;
  const have = await count();
  if (have >= wanted) {
    log(`Reusing ${label}: ${have} published questions.`);
    return have;
  }
  log(`${label} has ${have} published questions; generating up to ${wanted} (resumable)…`);
  const child = (options.start ?? startPlain)(['--import', 'tsx', 'src/cli.ts', 'generate', '--questions', String(wanted), '--seed', '1'], {
    DATA_DIR: dataDir,
    ...options.env,
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  if (code !== 0) throw new BenchError(`generate exited with ${code}`);
  const now = await count();
  if (now < wanted) throw new BenchError(`generate finished but the database has only ${now} published questions`);
  return now;
}

/** The p-th percentile of sorted timings (nearest rank). */
/**
 * Milliseconds this process takes for a fixed loop of arithmetic: a yardstick for the machine's speed at the time of a
 * run. A VM's speed can drift by a third from one minute to the next (274 to 456 ms for this loop within an hour on
 * a 2-core VM), and runs are only comparable at a like speed.
 */
export function cpuYardstick(): number {
  const started = performance.now();
  let x = 0;
  for (let i = 0; i < 200_000_000; i++) x += i % 7;
  const ms = performance.now() - started;
  // The sum is used, so the loop cannot be optimized away.
  return x < 0 ? Number.NaN : ms;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

// ---------------------------------------------------------------------------------------------------------------
// Child processes (servers, `generate`, `seed`), for the scripts that start the real server: bench.ts and soak.ts.

/** Every child started here, killed outright if the script exits with any still running. */
export const children = new Set<ChildProcess>();

process.on('exit', () => {
  // Nothing asynchronous runs in an exit handler, so kill outright.
  for (const child of children) child.kill('SIGKILL');
});

/**
 * Node itself with these arguments (not npm or npx), so the child's pid is the server's own and its
 * /proc/<pid>/status is the server's memory. `ipc` opens a message channel (soak-probe.ts reports through it).
 */
export function startChild(args: string[], env: Record<string, string>, ipc = false): ChildProcess {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ipc ? ['ignore', 'inherit', 'inherit', 'ipc'] : ['ignore', 'inherit', 'inherit'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Waits for the child to exit: SIGTERM first (the server shuts down gracefully), SIGKILL after 15 s. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/** A port nobody listens on right now (the OS picks it; it stays free until the server binds it in practice). */
export function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new BenchError('could not find a free port'))));
    });
  });
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls GET /healthz until it answers 200; fails if the child exits first or `timeoutMs` passes. */
export async function waitHealthy(base: string, child: ChildProcess, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new BenchError(`${what} exited (${child.exitCode ?? child.signalCode}) before it was ready`);
    try {
      if ((await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(2000) })).status === 200) return;
    } catch {
      // Not listening yet.
    }
    await sleep(100);
  }
  throw new BenchError(`${what} did not answer GET /healthz with 200 within ${timeoutMs / 1000} s`);
}
