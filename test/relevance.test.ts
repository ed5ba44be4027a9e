import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateRelated, evaluateSearch, loadRelevanceSet, RELEVANCE_FILE } from '../scripts/relevance.ts';
import { seedDemo } from '../src/demo/seed.ts';
import { createTestDatabase, engines, type TestDatabase } from './helpers/databases.ts';

// Floors under the figures `npm run bench:relevance` prints (docs/benchmarks.md), so that a change that makes search
// find fewer of the kept student queries, or fills related lists from other subjects, fails here. Raise them as
// search gets better; the target is hit@3 >= 0.95 and related >= 0.9.
const HIT3_FLOOR = 0.97;
const MRR_FLOOR = 0.95;
const RELATED_FLOOR = 0.9;

describe.each(engines)('relevance of search and related questions over the demo content on %s', (engine) => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase(engine);
    await seedDemo(database.db);
  });
  afterAll(async () => {
    await database.destroy();
  });

  it.each([
    ['the kept set', RELEVANCE_FILE, 100],
    ['the held-out set', path.join(path.dirname(RELEVANCE_FILE), 'relevance-holdout.tsv'), 50],
  ])(`finds the expected question in the first three for at least ${HIT3_FLOOR} of %s`, async (_, file, least) => {
    const cases = loadRelevanceSet(file);
    expect(cases.length).toBeGreaterThanOrEqual(least);
    const report = await evaluateSearch(database, cases);
    const missed = report.misses.map((m) => `"${m.case.query}" (line ${m.case.line}, ${m.rank === 0 ? 'not found' : `rank ${m.rank}`})`);
    expect(report.overall.hit3, `missed: ${missed.join(', ')}`).toBeGreaterThanOrEqual(HIT3_FLOOR);
    expect(report.overall.mrr).toBeGreaterThanOrEqual(MRR_FLOOR);
  });

  it(`lists related questions sharing a topic or the subject in at least ${RELATED_FLOOR} of the first three places`, async () => {
    const report = await evaluateRelated(database);
    expect(report.pages).toBeGreaterThanOrEqual(40);
    expect(report.share, JSON.stringify(report.strays.slice(0, 3))).toBeGreaterThanOrEqual(RELATED_FLOOR);
  });
});
