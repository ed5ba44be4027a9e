import type { Kysely } from 'kysely';
import type { Engine } from '../../db/connect.ts';
import type { Database } from '../../db/database.ts';
import { answerPreview, decideAccess } from '../membership/index.ts';
import { listSubjects } from '../subjects/index.ts';
import { postgresSearchIndex } from './postgres-search.repository.ts';
import { type ParsedQuery, parseQuery } from './query.ts';
import { findResultRows, type ResultRow } from './search.repository.ts';
import { CANDIDATE_LIMIT, type Candidate, type RebuildProgress, type SearchIndex } from './search-index.ts';
import { bestSnippet, htmlText, markdownPlain, openingSnippet, type Segment } from './snippet.ts';
import { sqliteSearchIndex } from './sqlite-search.repository.ts';
import { applyCorrections, bestSpelling, isCorrectable, oneEditAway } from './suggest.ts';

type Db = Kysely<Database>;

export const RESULTS_PER_PAGE = 20;
/** Pages beyond this cannot exist: at most CANDIDATE_LIMIT questions are ranked. */
export const MAX_PAGE = Math.ceil(CANDIDATE_LIMIT / RESULTS_PER_PAGE);

const indexes = new WeakMap<Db, SearchIndex>();

/** The search index of this database: the adapter of its engine. */
export function searchIndexOf(database: { db: Db; engine: Engine }): SearchIndex {
  let index = indexes.get(database.db);
  if (!index) {
    index = database.engine === 'postgres' ? postgresSearchIndex(database.db) : sqliteSearchIndex(database.db);
    indexes.set(database.db, index);
  }
  return index;
}

export interface SearchRequest {
  /** The text typed, as it came (anything: it is cleaned and parsed here). */
  q: string;
  /** A subject's slug, or nothing for all subjects. */
  subject?: string | undefined;
  /** 1-based. */
  page?: number | undefined;
  /** Whether the viewer may read whole expert answers is decided by decideAccess on this. */
  viewer: { member: boolean } | null;
  /** How much of an expert answer a non-member may read (config.paywallPreviewWords). */
  previewWords: number;
}

export interface SearchResult {
  id: number;
  slug: string;
  title: string;
  subjectSlug: string;
  subjectName: string;
  publishedAt: string | null;
  snippet: Segment[];
}

export interface SubjectCount {
  slug: string;
  name: string;
  count: number;
}

export interface SearchOutcome {
  query: ParsedQuery;
  results: SearchResult[];
  /** Matches in the chosen subject (or in all); a lower bound when `capped`. */
  total: number;
  /** Matches in all subjects. */
  allTotal: number;
  capped: boolean;
  /** Subjects with matches, most matches first. */
  subjects: SubjectCount[];
  subject: { slug: string; name: string } | null;
  page: number;
  pages: number;
  /** A query one edit per word away that matches, when this one matched nothing. */
  suggestion: string | null;
}

/** Ranked published questions for a query, one page of them, with snippets the viewer may read. */
export async function searchQuestions(database: { db: Db; engine: Engine }, request: SearchRequest): Promise<SearchOutcome> {
  const query = parseQuery(request.q);
  const index = searchIndexOf(database);
  const subjects = await listSubjects(database.db);
  const chosen = request.subject ? subjects.find((s) => s.slug === request.subject) : undefined;
  const empty: SearchOutcome = {
    query,
    results: [],
    total: 0,
    allTotal: 0,
    capped: false,
    subjects: [],
    subject: chosen ? { slug: chosen.slug, name: chosen.name } : null,
    page: 1,
    pages: 0,
    suggestion: null,
  };
  if (query.clauses.length === 0) return empty;

  const { candidates, capped } = await index.candidates(query, CANDIDATE_LIMIT);
  if (candidates.length === 0) return { ...empty, suggestion: await suggest(index, query) };

  // Best first; equal scores newest first, so the order is stable from page to page.
  const ranked = [...candidates].sort((a, b) => b.score - a.score || b.id - a.id);
  const counts = new Map<number, number>();
  for (const c of ranked) counts.set(c.subjectId, (counts.get(c.subjectId) ?? 0) + 1);
  const subjectCounts = subjects
    .filter((s) => counts.has(s.id))
    .map((s) => ({ slug: s.slug, name: s.name, count: counts.get(s.id) as number }))
    .sort((a, b) => b.count - a.count || a.name.localeCompare(b.name));
  const inSubject: Candidate[] = chosen ? ranked.filter((c) => c.subjectId === chosen.id) : ranked;
  const pages = Math.ceil(inSubject.length / RESULTS_PER_PAGE);
  const page = Math.min(Math.max(1, Math.floor(request.page ?? 1)), Math.max(1, pages));
  const ids = inSubject.slice((page - 1) * RESULTS_PER_PAGE, page * RESULTS_PER_PAGE).map((c) => c.id);
  const rows = new Map((await findResultRows(database.db, ids)).map((r) => [r.id, r]));
  const full = decideAccess(request.viewer, { kind: 'expert_answer' }).full;
  const results: SearchResult[] = [];
  for (const id of ids) {
    const row = rows.get(id);
    if (row) results.push(toResult(row, query, full, request.previewWords));
  }
  return {
    query,
    results,
    total: inSubject.length,
    allTotal: ranked.length,
    capped,
    subjects: subjectCounts,
    subject: chosen ? { slug: chosen.slug, name: chosen.name } : null,
    page,
    pages,
    suggestion: null,
  };
}

function toResult(row: ResultRow, query: ParsedQuery, full: boolean, previewWords: number): SearchResult {
  const details = markdownPlain(row.details);
  const quick = row.quickAnswer ?? '';
  // Only what this viewer may read: the whole answer for a member, else the same preview the question page shows.
  let answer = '';
  if (row.answer !== null) {
    answer = full
      ? markdownPlain(row.answer)
      : htmlText(answerPreview(`${row.id}:${row.answerUpdatedAt ?? ''}`, row.answer, previewWords).html);
  }
  const snippet = bestSnippet([details, quick, answer], query.words) ?? openingSnippet(quick || details);
  return {
    id: row.id,
    slug: row.slug,
    title: row.title,
    subjectSlug: row.subjectSlug,
    subjectName: row.subjectName,
    publishedAt: row.publishedAt,
    snippet,
  };
}

/** How many words of a query are looked at for "did you mean", and how many of them corrected at most. */
const SUGGEST_WORDS = 6;
const SUGGEST_CORRECTIONS = 3;

/**
 * The query with its unknown words replaced by the most frequent spelling one edit away, or null. Only free text
 * (titles, details, quick answers) counts as known: a suggestion never spells out a word of a gated answer.
 */
async function suggest(index: SearchIndex, query: ParsedQuery): Promise<string | null> {
  const words = query.words.slice(0, SUGGEST_WORDS);
  if (words.length === 0) return null;
  const known = await index.freeTextCounts(words, 1);
  const corrections = new Map<string, string>();
  for (const word of words.filter((w) => !known.has(w) && isCorrectable(w)).slice(0, SUGGEST_CORRECTIONS)) {
    const best = bestSpelling(await index.freeTextCounts(oneEditAway(word), 50));
    if (best) corrections.set(word, best);
  }
  return corrections.size === 0 ? null : applyCorrections(query.text, corrections);
}

/** Empties and refills the search index (`scholia reindex`); returns how many questions it holds. */
export function rebuildSearchIndex(
  database: { db: Db; engine: Engine },
  options: { onProgress?: RebuildProgress; signal?: AbortSignal } = {},
): Promise<number> {
  return searchIndexOf(database).rebuild(options);
}
