// How well search finds what students mean, and how well related questions belong: the measures behind
// `npm run bench:relevance` (scripts/bench-relevance.ts) and the floor test (test/relevance.test.ts), run against the
// demo content on either engine through the same use cases the pages call.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Kysely } from 'kysely';
import type { Engine } from '../src/db/connect.ts';
import type { Database } from '../src/db/database.ts';
import { systemClock } from '../src/lib/time.ts';
import { getQuestionPage } from '../src/modules/questions/index.ts';
import { search } from '../src/modules/search/index.ts';
import { buildCaches } from '../src/platform/caches.ts';

export const RELEVANCE_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'test', 'fixtures', 'relevance.tsv');

export interface RelevanceCase {
  line: number;
  query: string;
  /** The title of the question the query should find. */
  expected: string;
  kind: string;
}

/** The kept set: one query a line, `query<TAB>expected title<TAB>kind`; `#` lines and blank lines are skipped. */
export function loadRelevanceSet(file = RELEVANCE_FILE): RelevanceCase[] {
  const out: RelevanceCase[] = [];
  const problems: string[] = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((text, i) => {
      if (text.trim() === '' || text.startsWith('#')) return;
      const [query, expected, kind, ...rest] = text.split('\t');
      if (!query?.trim() || !expected?.trim() || !kind?.trim() || rest.length > 0)
        problems.push(`line ${i + 1}: expected query, title and kind separated by tabs`);
      else out.push({ line: i + 1, query, expected, kind });
    });
  if (problems.length > 0) throw new Error(`${path.basename(file)}: ${problems.join('; ')}`);
  return out;
}

export interface Scores {
  cases: number;
  hit1: number;
  hit3: number;
  mrr: number;
}

export interface RelevanceReport {
  overall: Scores;
  byKind: Map<string, Scores>;
  /** Queries whose question was not in the first three, with where it was (0: not on the first page). */
  misses: Array<{ case: RelevanceCase; rank: number }>;
}

type Handle = { db: Kysely<Database>; engine: Engine };

function score(ranks: readonly number[]): Scores {
  const n = ranks.length;
  const share = (ok: (r: number) => boolean) => (n === 0 ? 0 : ranks.filter(ok).length / n);
  return {
    cases: n,
    hit1: share((r) => r === 1),
    hit3: share((r) => r >= 1 && r <= 3),
    mrr: n === 0 ? 0 : ranks.reduce((s, r) => s + (r > 0 ? 1 / r : 0), 0) / n,
  };
}

/**
 * Runs every query of the set as a visitor would on /search (all subjects, first page) and scores where the
 * expected question came: hit@1, hit@3 and mean reciprocal rank. The demo content must be loaded.
 */
export async function evaluateSearch(database: Handle, cases: readonly RelevanceCase[]): Promise<RelevanceReport> {
  const rows = await database.db.selectFrom('questions').select(['id', 'title']).where('status', '=', 'published').execute();
  const idOf = new Map(rows.map((r) => [r.title, r.id]));
  const caches = buildCaches({ pageCacheBytes: 0, pageCacheTtlMs: 0 });
  const ranks: number[] = [];
  const byKind = new Map<string, number[]>();
  const misses: RelevanceReport['misses'] = [];
  for (const c of cases) {
    const id = idOf.get(c.expected);
    if (id === undefined) throw new Error(`relevance set line ${c.line}: no published question titled "${c.expected}"`);
    const outcome = await search(database, { q: c.query, viewer: null, previewWords: 80, previews: caches.previews });
    const rank = outcome.results.findIndex((r) => r.id === id) + 1;
    ranks.push(rank);
    byKind.set(c.kind, [...(byKind.get(c.kind) ?? []), rank]);
    if (rank < 1 || rank > 3) misses.push({ case: c, rank });
  }
  return { overall: score(ranks), byKind: new Map([...byKind].map(([k, r]) => [k, score(r)])), misses };
}

export interface RelatedReport {
  pages: number;
  /** Of the first three related questions on every question page, the share with a topic or the subject in common. */
  share: number;
  /** Pages with a related question among the first three that shares neither. */
  strays: Array<{ title: string; related: string[] }>;
}

/** Every published question's page as the question route builds it: do its first three related questions belong? */
export async function evaluateRelated(database: Handle): Promise<RelatedReport> {
  const questions = await database.db.selectFrom('questions').select(['id', 'subject_id']).where('status', '=', 'published').execute();
  const topicRows = await database.db.selectFrom('question_topics').select(['question_id', 'topic_id']).execute();
  const topicsOf = new Map<number, Set<number>>();
  for (const t of topicRows) topicsOf.set(t.question_id, (topicsOf.get(t.question_id) ?? new Set()).add(t.topic_id));
  const subjectOf = new Map(questions.map((q) => [q.id, q.subject_id]));
  const caches = buildCaches({ pageCacheBytes: 0, pageCacheTtlMs: 0 });
  let shown = 0;
  let belonging = 0;
  const strays: RelatedReport['strays'] = [];
  for (const q of questions) {
    const page = await getQuestionPage({ database, caches, clock: systemClock }, q.id);
    if (!page) continue;
    const first = page.related.slice(0, 3);
    const mine = topicsOf.get(q.id) ?? new Set<number>();
    const belongs = (id: number) => subjectOf.get(id) === q.subject_id || [...(topicsOf.get(id) ?? [])].some((t) => mine.has(t));
    shown += first.length;
    belonging += first.filter((r) => belongs(r.id)).length;
    if (first.some((r) => !belongs(r.id))) strays.push({ title: page.title, related: first.map((r) => r.title) });
  }
  return { pages: questions.length, share: shown === 0 ? 0 : belonging / shown, strays };
}
