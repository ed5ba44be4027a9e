/**
 * `npm run bench:relevance [-- --database-url postgres://… --verbose --file test/fixtures/relevance-holdout.tsv]`
 *
 * Loads the demo content into a fresh SQLite database and, given a PostgreSQL URL (or TEST_DATABASE_URL), into a
 * fresh schema there, then runs the kept set of student queries (test/fixtures/relevance.tsv) through search and
 * every question page's related list, and prints hit@1, hit@3, mean reciprocal rank and the share of related
 * questions that belong, per engine and per kind of query. With --verbose it lists the queries that missed.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { connect, type DatabaseHandle, type Engine } from '../src/db/connect.ts';
import { migrateToLatest } from '../src/db/migrator.ts';
import { seedDemo } from '../src/demo/seed.ts';
import { BenchError, log } from './bench-common.ts';
import { evaluateRelated, evaluateSearch, loadRelevanceSet, type RelatedReport, type RelevanceReport, type Scores } from './relevance.ts';

interface Fresh {
  handle: DatabaseHandle;
  drop(): Promise<void>;
}

async function freshDatabase(engine: Engine, pgUrl: string | undefined): Promise<Fresh> {
  if (engine === 'sqlite') {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'scholia-relevance-'));
    const handle = connect({ engine: 'sqlite', file: path.join(dir, 'relevance.db') });
    return {
      handle,
      drop: async () => {
        await handle.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const schema = `relevance_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  const handle = connect({ engine: 'postgres', url: pgUrl as string, poolSize: 4 }, { pgSchema: schema });
  return {
    handle,
    drop: async () => {
      await handle.close();
      await admin.query(`drop schema if exists ${schema} cascade`);
      await admin.end();
    },
  };
}

const pct = (x: number) => x.toFixed(3);
const row = (name: string, s: Scores) => `| ${name} | ${s.cases} | ${pct(s.hit1)} | ${pct(s.hit3)} | ${pct(s.mrr)} |`;

function table(engine: string, search: RelevanceReport, related: RelatedReport): string {
  return [
    `### ${engine}`,
    '',
    '| queries | n | hit@1 | hit@3 | MRR |',
    '| --- | ---: | ---: | ---: | ---: |',
    row('**all**', search.overall),
    ...[...search.byKind].sort(([a], [b]) => a.localeCompare(b)).map(([k, s]) => row(k, s)),
    '',
    `Related questions: ${pct(related.share)} of the first three on ${related.pages} question pages share a topic or the subject.`,
  ].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'database-url': { type: 'string' }, verbose: { type: 'boolean' }, file: { type: 'string' } } });
  const envUrl = process.env.TEST_DATABASE_URL;
  const pgUrl = values['database-url'] ?? (envUrl && /^postgres(ql)?:\/\//.test(envUrl) ? envUrl : undefined);
  if (pgUrl !== undefined && !/^postgres(ql)?:\/\//.test(pgUrl)) throw new BenchError('--database-url must be a postgres:// URL');
  const cases = loadRelevanceSet(values.file ? path.resolve(values.file) : undefined);
  const engines: Engine[] = pgUrl ? ['sqlite', 'postgres'] : ['sqlite'];
  if (!pgUrl) log('No PostgreSQL URL (--database-url or TEST_DATABASE_URL): measuring SQLite only.');
  const out: string[] = [];
  for (const engine of engines) {
    const fresh = await freshDatabase(engine, pgUrl);
    try {
      await migrateToLatest(fresh.handle);
      await seedDemo(fresh.handle.db);
      const searchReport = await evaluateSearch(fresh.handle, cases);
      const relatedReport = await evaluateRelated(fresh.handle);
      const name = engine === 'sqlite' ? 'SQLite' : 'PostgreSQL';
      out.push(table(name, searchReport, relatedReport));
      if (values.verbose) {
        for (const m of searchReport.misses)
          log(`${name} miss (${m.rank === 0 ? 'not found' : `rank ${m.rank}`}) [${m.case.kind}] "${m.case.query}" -> ${m.case.expected}`);
        for (const s of relatedReport.strays) log(`${name} related stray: ${s.title} -> ${s.related.join(' | ')}`);
      }
    } finally {
      await fresh.drop();
    }
  }
  const file = values.file ?? 'test/fixtures/relevance.tsv';
  process.stdout.write(`\n${cases.length} queries (${file}) against the demo content.\n\n${out.join('\n\n')}\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    log(`bench:relevance: ${err instanceof BenchError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
