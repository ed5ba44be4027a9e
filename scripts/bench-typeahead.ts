import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { connect } from '../src/db/connect.ts';
import { migrateToLatest } from '../src/db/migrator.ts';
import { createRandom, pick, randomInt } from '../src/lib/random.ts';
import { SUGGESTION_LIMIT, suggest } from '../src/modules/search/typeahead.service.ts';
import { BenchError, benchDataDir, ensureQuestions, log, percentile, positiveInt, ROOT } from './bench-common.ts';

/** Inputs per class; each runs `rounds` times. */
const PER_CLASS = 60;
const WORD = /[\p{L}\p{N}][\p{L}\p{N}\p{M}]*/gu;

interface InputClass {
  name: string;
  inputs: string[];
}

/** What people type, drawn from the titles themselves. */
async function buildMix(titleAt: (id: number) => Promise<string | undefined>, maxId: number): Promise<InputClass[]> {
  const rand = createRandom(2024);
  const randomTitleWords = async (): Promise<string[]> => {
    for (;;) {
      const title = await titleAt(randomInt(rand, 1, maxId));
      const words = title?.toLowerCase().match(WORD);
      if (words && words.length > 0) return words;
    }
  };
  const classes: InputClass[] = [];
  for (let n = 2; n <= 6; n++) {
    const inputs: string[] = [];
    while (inputs.length < PER_CLASS) {
      const long = (await randomTitleWords()).filter((w) => w.length >= n);
      if (long.length > 0) inputs.push(pick(rand, long).slice(0, n));
    }
    classes.push({ name: `${n}-letter prefix of a title word`, inputs });
  }
  for (let k = 1; k <= 3; k++) {
    const inputs: string[] = [];
    while (inputs.length < PER_CLASS) {
      const words = await randomTitleWords();
      if (words.length < k) continue;
      const start = randomInt(rand, 0, words.length - k);
      const typed = words.slice(start, start + k);
      const last = typed[k - 1] as string;
      typed[k - 1] = last.slice(0, randomInt(rand, Math.min(2, last.length), last.length));
      if (typed.join(' ').length >= 2) inputs.push(typed.join(' '));
    }
    classes.push({ name: `${k} word${k === 1 ? '' : 's'} of a title, the last cut short`, inputs });
  }
  const letters = 'bcdfghjklmnpqrstvwxz';
  classes.push({
    name: 'no match (random consonants, 5-9)',
    inputs: Array.from({ length: PER_CLASS }, () =>
      Array.from({ length: randomInt(rand, 5, 9) }, () => letters[randomInt(rand, 0, letters.length - 1)]).join(''),
    ),
  });
  classes.push({
    name: 'hostile (syntax, control characters, 10,000 characters)',
    inputs: [
      '"',
      'wh*',
      'NEAR(the what, 2)',
      'AND OR NOT',
      "'; drop table questions; --",
      "'wh':* & !'x'",
      '((((th',
      '{title}: wh',
      '🎉🔥📚',
      'th\u0000e',
      '%_\\',
      'x'.repeat(10_000),
      'the '.repeat(2500),
      Array.from({ length: 2000 }, (_, i) => `w${i}`)
        .join(' ')
        .slice(0, 10_000),
    ],
  });
  return classes;
}

interface Row {
  name: string;
  n: number;
  found: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

async function timeAll(
  inputs: readonly string[],
  rounds: number,
  run: (q: string) => Promise<number>,
): Promise<{ times: number[]; found: number }> {
  let found = 0;
  for (const q of inputs) found += await run(q);
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const q of inputs) {
      const t = performance.now();
      await run(q);
      times.push(performance.now() - t);
    }
  }
  return { times, found: found / inputs.length };
}

function summarize(name: string, times: number[], found: number): Row {
  const s = [...times].sort((a, b) => a - b);
  return {
    name,
    n: s.length,
    found,
    p50: percentile(s, 50),
    p95: percentile(s, 95),
    p99: percentile(s, 99),
    max: s[s.length - 1] ?? Number.NaN,
  };
}

function table(rows: Row[]): string {
  const f = (x: number) => (x < 10 ? x.toFixed(2) : x.toFixed(1));
  return [
    '| input | timed runs | suggestions (mean) | p50 ms | p95 ms | p99 ms | max ms |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${r.name} | ${r.n} | ${Number.isNaN(r.found) ? '' : r.found.toFixed(1)} | ${f(r.p50)} | ${f(r.p95)} | ${f(r.p99)} | ${f(r.max)} |`,
    ),
  ].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { questions: { type: 'string' }, rounds: { type: 'string' }, postgres: { type: 'string' } },
  });
  const rounds = positiveInt(values.rounds, 'rounds', 5);
  let env: Record<string, string>;
  let where: string;
  if (values.postgres) {
    env = { DATABASE_URL: values.postgres };
    where = 'PostgreSQL';
  } else {
    const questions = positiveInt(values.questions, 'questions', 100_000);
    const dataDir = benchDataDir(questions);
    await ensureQuestions(dataDir, path.join(ROOT, dataDir, 'scholia.db'), questions);
    env = { DATA_DIR: path.join(ROOT, dataDir) };
    where = 'SQLite';
  }
  const config = loadConfig({ ...env, LOG_LEVEL: 'silent', SITE_URL: 'http://127.0.0.1' }, ROOT);
  const handle = connect(config.database);
  const applied = await migrateToLatest(handle);
  if (applied.length > 0) log(`Applied ${applied.join(', ')}.`);
  const db = handle.db;
  const { n: count, top } = await db
    .selectFrom('questions')
    .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.max('id').as('top')])
    .where('status', '=', 'published')
    .executeTakeFirstOrThrow();
  if (handle.engine === 'sqlite') {
    // A database migrated before search_titles had its prefix indexes keeps the table it was made with.
    const { rows } = await sql<{ sql: string }>`select sql from sqlite_master where name = 'search_titles'`.execute(db);
    if (!/prefix\s*=/.test(rows[0]?.sql ?? ''))
      log('Note: search_titles has no prefix indexes here (made before they were added); short prefixes will be slow.');
  }
  const titleAt = async (id: number) =>
    (await db.selectFrom('questions').select('title').where('id', '=', id).where('status', '=', 'published').executeTakeFirst())?.title;
  const mix = await buildMix(titleAt, Number(top));

  const rows: Row[] = [];
  const wordTimes: number[] = [];
  const allTimes: number[] = [];
  let wordFound = 0;
  const service = async (q: string) => (await suggest(handle, q)).length;
  for (const cls of mix) {
    log(`${cls.name} (${cls.inputs.length} inputs × ${rounds})…`);
    const { times, found } = await timeAll(cls.inputs, rounds, service);
    rows.push(summarize(`service: ${cls.name}`, times, found));
    allTimes.push(...times);
    if (!cls.name.startsWith('no match') && !cls.name.startsWith('hostile')) {
      wordTimes.push(...times);
      wordFound += found * cls.inputs.length;
    }
  }
  const typed = mix.filter((c) => !c.name.startsWith('no match') && !c.name.startsWith('hostile'));
  rows.push(
    summarize('**service: every prefix and 1-3 word input above**', wordTimes, wordFound / typed.reduce((s, c) => s + c.inputs.length, 0)),
  );
  rows.push(summarize('**service: every input above**', allTimes, Number.NaN));

  const app = await buildApp(config, { database: handle, logger: false });
  const twoWords = mix.find((c) => c.name.startsWith('2 words')) as InputClass;
  log(`HTTP (inject): ${twoWords.name}…`);
  const http = await timeAll(twoWords.inputs, rounds, async (q) => {
    const res = await app.inject({ method: 'GET', url: `/search/suggest?q=${encodeURIComponent(q)}` });
    if (res.statusCode !== 200) throw new BenchError(`/search/suggest?q=${JSON.stringify(q)} answered ${res.statusCode}`);
    return (res.json() as { items: unknown[] }).items.length;
  });
  rows.push(summarize(`endpoint (app.inject): ${twoWords.name}`, http.times, http.found));
  await app.close();
  await handle.close();

  const cpus = os.cpus();
  const machine = `${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${cpus.length} cores, ${os.platform()} ${os.release()}; Node ${process.version}`;
  const date = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  process.stdout.write(
    [
      '',
      `- Machine: ${machine}. Other processes may share the cores.`,
      `- Run at ${date} over ${Number(count).toLocaleString('en-US')} published questions (${where}), ${rounds} rounds, up to ${SUGGESTION_LIMIT} suggestions each.`,
      '',
      table(rows),
      '',
    ].join('\n'),
  );
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    log(`bench:suggest: ${err instanceof BenchError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
