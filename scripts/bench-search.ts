import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { connect, type DatabaseHandle } from '../src/db/connect.ts';
import { migrateToLatest } from '../src/db/migrator.ts';
import { createRandom, pick, randomInt } from '../src/lib/random.ts';
import { SyntheticTextGenerator } from '../src/modules/content/synthetic-text.ts';
import { parseQuery, search } from '../src/modules/search/index.ts';
import { buildCaches } from '../src/platform/caches.ts';
import { BenchError, benchDataDir, cpuYardstick, ensureQuestions, log, percentile, positiveInt, ROOT } from './bench-common.ts';

const DOCS_FILE = path.join(ROOT, 'docs', 'benchmarks.md');
/** Distinct queries per class; each runs `rounds` times. */
const PER_CLASS = 40;

async function countPublishedIn(handle: DatabaseHandle): Promise<number> {
  const row = await handle.db
    .selectFrom('questions')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('status', '=', 'published')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** With a PostgreSQL URL, its schema is brought up to date first, so the search triggers index as generate goes. */
async function ensureBenchQuestions(dataDir: string, dbFile: string, wanted: number, pgUrl?: string): Promise<number> {
  if (!pgUrl) return ensureQuestions(dataDir, dbFile, wanted);
  return ensureQuestions(dataDir, dbFile, wanted, {
    label: 'the PostgreSQL database',
    env: { DATABASE_URL: pgUrl },
    count: async () => {
      const handle = connect(loadConfig({ DATABASE_URL: pgUrl, LOG_LEVEL: 'silent' }, ROOT).database);
      try {
        await migrateToLatest(handle);
        return await countPublishedIn(handle);
      } finally {
        await handle.close();
      }
    },
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The query mix: fixed (seeded), so runs compare.

interface QueryClass {
  name: string;
  /** Counts towards the "one to three words" target. */
  words: boolean;
  queries: string[];
}

function buildMix(): QueryClass[] {
  // Word frequencies as the generator makes them (the same Zipf distribution the questions were written with).
  const gen = new SyntheticTextGenerator(4242);
  const freq = new Map<string, number>();
  for (let i = 0; i < 400_000; i++) {
    const w = gen.word();
    freq.set(w, (freq.get(w) ?? 0) + 1);
  }
  const byRank = [...freq.entries()].sort((a, b) => b[1] - a[1]).map(([w]) => w);
  // Words a query can use: stop words are dropped by the parser, so they would make a query shorter than it looks.
  const usable = byRank.filter((w) => parseQuery(w).clauses.length === 1);
  const common = usable.slice(0, 12); // each in most questions (the first in over 95% of them)
  const mid = usable.slice(150, 1500);
  const rare = usable.slice(5000, 20_000);
  const rand = createRandom(99);
  const zipfWord = () => {
    for (;;) {
      const w = gen.word();
      if (parseQuery(w).clauses.length === 1) return w;
    }
  };
  const many = (n: number, f: () => string) => Array.from({ length: n }, f);
  const words = (n: number, f: () => string) => many(n, f).join(' ');
  const typo = (w: string) => {
    const i = randomInt(rand, 1, w.length - 2);
    return w.slice(0, i) + w.slice(i + 1);
  };
  const hostile = [
    '"',
    '"""',
    '"unbalanced quote',
    'AND',
    'OR NOT',
    'NEAR(one time, 2)',
    'one*',
    '^title',
    'title:history',
    '-one +time',
    '((((',
    ')',
    '{title}: history',
    '[brackets]',
    '🎉🔥📚',
    'one\u0000time',
    'a\u0007b\u001b[31m',
    "'; drop table questions; --",
    '%_\\',
    '\u202eevil',
    'NOT NOT NOT',
    '"one" OR "time" AND NOT "new"',
    '光合作用',
    'e\u0301te\u0301',
    '* * *',
    ':::',
    'one - time',
    '"one time" "new first" "people like"',
  ];
  return [
    { name: '1 common word (in most questions)', words: true, queries: common },
    { name: '2-3 common words', words: true, queries: many(PER_CLASS, () => words(randomInt(rand, 2, 3), () => pick(rand, common))) },
    {
      name: '1-3 words, Zipf-distributed (like the text)',
      words: true,
      queries: many(PER_CLASS, () => words(randomInt(rand, 1, 3), zipfWord)),
    },
    { name: '1-3 mid-frequency words', words: true, queries: many(PER_CLASS, () => words(randomInt(rand, 1, 3), () => pick(rand, mid))) },
    { name: '1-3 rare words', words: true, queries: many(PER_CLASS, () => words(randomInt(rand, 1, 3), () => pick(rand, rare))) },
    { name: 'common + rare word', words: true, queries: many(PER_CLASS, () => `${pick(rand, common)} ${pick(rand, rare)}`) },
    { name: 'misspelled word (no result, "did you mean")', words: true, queries: many(PER_CLASS, () => typo(pick(rand, mid))) },
    { name: 'hostile syntax', words: false, queries: hostile },
    {
      name: 'long (2,000 characters)',
      words: false,
      queries: many(10, () => words(400, zipfWord).slice(0, 2000)),
    },
    { name: 'very long (10,000 characters)', words: false, queries: many(5, () => words(2000, zipfWord).slice(0, 10_000)) },
  ];
}

// ---------------------------------------------------------------------------------------------------------------

interface Row {
  name: string;
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

function summarize(name: string, times: number[]): Row {
  const s = [...times].sort((a, b) => a - b);
  return { name, n: s.length, p50: percentile(s, 50), p95: percentile(s, 95), p99: percentile(s, 99), max: s[s.length - 1] ?? Number.NaN };
}

function table(rows: Row[]): string {
  const f = (x: number) => (x < 10 ? x.toFixed(2) : x.toFixed(1));
  return [
    '| queries | timed runs | p50 ms | p95 ms | p99 ms | max ms |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((r) => `| ${r.name} | ${r.n} | ${f(r.p50)} | ${f(r.p95)} | ${f(r.p99)} | ${f(r.max)} |`),
  ].join('\n');
}

async function timeAll(queries: readonly string[], rounds: number, run: (q: string) => Promise<unknown>): Promise<number[]> {
  for (const q of queries) await run(q);
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const q of queries) {
      const t = performance.now();
      await run(q);
      times.push(performance.now() - t);
    }
  }
  return times;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      questions: { type: 'string' },
      rounds: { type: 'string' },
      'print-only': { type: 'boolean' },
      // Measures PostgreSQL instead of SQLite: a database of its own (generate fills it; it is reused after).
      'database-url': { type: 'string' },
      // Only the query classes whose names hold this text (and no page classes): for looking into one class.
      only: { type: 'string' },
      // Prints each class's slowest queries and their times.
      slowest: { type: 'string' },
    },
  });
  const pgUrl = values['database-url'];
  if (pgUrl !== undefined && !/^postgres(ql)?:\/\//.test(pgUrl)) throw new BenchError('--database-url must be a postgres:// URL');
  const engineName = pgUrl ? 'PostgreSQL' : 'SQLite';
  const questions = positiveInt(values.questions, 'questions', 1_000_000);
  const rounds = positiveInt(values.rounds, 'rounds', 5);
  const dataDir = benchDataDir(questions);
  const dbFile = path.join(ROOT, dataDir, 'scholia.db');
  const count = await ensureBenchQuestions(dataDir, dbFile, questions, pgUrl);

  const config = loadConfig(
    { DATA_DIR: path.join(ROOT, dataDir), LOG_LEVEL: 'silent', SITE_URL: 'http://127.0.0.1', ...(pgUrl ? { DATABASE_URL: pgUrl } : {}) },
    ROOT,
  );
  const handle = connect(config.database);
  const migrateStart = Date.now();
  const applied = await migrateToLatest(handle);
  if (applied.length > 0) log(`Applied ${applied.join(', ')} in ${((Date.now() - migrateStart) / 1000).toFixed(1)} s.`);

  const { previews } = buildCaches(config);
  const mix = buildMix();
  const yardstickBefore = cpuYardstick();
  const only = values.only;
  const slowest = values.slowest === undefined ? 0 : positiveInt(values.slowest, 'slowest', 5);
  const rows: Row[] = [];
  const wordTimes: number[] = [];
  const allTimes: number[] = [];
  const visitor = (q: string) => search(handle, { q, viewer: null, previewWords: config.paywallPreviewWords, previews });
  for (const cls of mix) {
    if (only !== undefined && !cls.name.includes(only)) continue;
    log(`Service, visitor: ${cls.name} (${cls.queries.length} queries × ${rounds})…`);
    const times = await timeAll(cls.queries, rounds, visitor);
    if (slowest > 0) {
      const byQuery = cls.queries.map((q, i) => ({ q, ms: Math.max(...times.filter((_, j) => j % cls.queries.length === i)) }));
      for (const { q, ms } of byQuery.sort((a, b) => b.ms - a.ms).slice(0, slowest)) {
        log(`  ${ms.toFixed(1)} ms  ${JSON.stringify(q.length > 120 ? `${q.slice(0, 120)}…` : q)}`);
      }
    }
    rows.push(summarize(`service, visitor: ${cls.name}`, times));
    allTimes.push(...times);
    if (cls.words) wordTimes.push(...times);
  }
  if (only !== undefined) {
    // A look into some classes: their figures only, never recorded.
    process.stdout.write(`\n${table(rows)}\n`);
    await handle.close();
    return;
  }
  const zipf = mix[2] as QueryClass;
  log('Service, member: Zipf-distributed words…');
  rows.push(
    summarize(
      `service, member: ${zipf.name}`,
      await timeAll(zipf.queries, rounds, (q) =>
        search(handle, { q, viewer: { member: true }, previewWords: config.paywallPreviewWords, previews }),
      ),
    ),
  );
  rows.push(summarize('**service, visitor: every 1-3 word query above**', wordTimes));
  rows.push(summarize('**service, visitor: every query above**', allTimes));

  // The whole page, in process: routing, the service and rendering.
  const app = await buildApp(config, { database: handle, logger: false });
  for (const cls of [zipf, mix[7] as QueryClass]) {
    log(`HTTP (inject), visitor: ${cls.name}…`);
    const times = await timeAll(cls.queries, rounds, async (q) => {
      const res = await app.inject({ method: 'GET', url: `/search?q=${encodeURIComponent(q)}` });
      if (res.statusCode !== 200) throw new BenchError(`/search?q=${JSON.stringify(q)} answered ${res.statusCode}`);
    });
    rows.push(summarize(`page (app.inject), visitor: ${cls.name}`, times));
  }
  await app.close();
  await handle.close();
  const yardstick = `${yardstickBefore.toFixed(0)} ms before the queries, ${cpuYardstick().toFixed(0)} ms after`;

  const cpus = os.cpus();
  const date = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const machine = `${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${cpus.length} cores, ${os.platform()} ${os.release()}; Node ${process.version}`;
  const command = `npm run bench:search -- --questions ${questions} --rounds ${rounds}${pgUrl ? ' --database-url <postgres URL>' : ''}`;
  const words = rows.find((r) => r.name.includes('every 1-3 word')) as Row;
  const every = rows.find((r) => r.name.includes('every query')) as Row;
  const verdict = `${pgUrl ? 'Against the targets (set for SQLite)' : 'Targets'}: p95 of 1-3 word queries ${words.p95.toFixed(1)} ms (target <= 25), p99 of every query ${every.p99.toFixed(1)} ms (target <= 150).`;
  const text = [
    `- Machine: ${machine}. Other processes may share the cores. Its speed at the time (a fixed loop of arithmetic, scripts/bench-common.ts): ${yardstick}.`,
    `- Run at ${date}: \`${command}\` over ${count.toLocaleString('en-US')} published questions (${engineName}).`,
    '',
    table(rows),
    '',
    verdict,
  ].join('\n');
  process.stdout.write(`\n${text}\n`);
  if (values['print-only']) return;
  recordInDocs(
    `bench-search ${date.slice(0, 10)} questions=${count}${pgUrl ? ' engine=postgres' : ''}`,
    `### ${date.slice(0, 10)}: ${count.toLocaleString('en-US')} questions${pgUrl ? ', PostgreSQL' : ''}\n\n${text}\n`,
  );
  log(`\nRecorded in ${path.relative(ROOT, DOCS_FILE)}.`);
}

/**
 * One section per date and size under "## Search", which sits before the sections scripts/bench.ts appends: that
 * script replaces its own sections up to the next `<!-- bench ` marker, so it never reaches these.
 */
function recordInDocs(key: string, body: string): void {
  const marker = `<!-- ${key} -->`;
  const section = `${marker}\n${body}`;
  let doc = readFileSync(DOCS_FILE, 'utf8');
  const start = doc.indexOf(marker);
  if (start >= 0) {
    const ends = [doc.indexOf('<!-- bench', start + marker.length), doc.indexOf('\n## ', start)].filter((i) => i >= 0);
    const end = ends.length > 0 ? Math.min(...ends) : doc.length;
    doc = `${doc.slice(0, start)}${section}\n${doc.slice(end).replace(/^\n+/, '')}`;
  } else {
    const heading = '## Search (`npm run bench:search`)';
    const at = doc.indexOf(heading);
    if (at < 0) throw new BenchError(`no "${heading}" section in ${DOCS_FILE}`);
    const after = doc.indexOf('\n', at) + 1;
    const next = [doc.indexOf('\n## ', after), doc.indexOf('<!-- bench ', after)].filter((i) => i >= 0);
    const end = next.length > 0 ? Math.min(...next) : doc.length;
    doc = `${doc.slice(0, end).trimEnd()}\n\n${section}\n${doc.slice(end).replace(/^\n+/, '\n')}`;
  }
  writeFileSync(DOCS_FILE, doc);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    log(`bench:search: ${err instanceof BenchError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
