import type { Kysely } from 'kysely';
import type { Engine } from '../../db/connect.ts';
import type { Database } from '../../db/database.ts';
import { type Kept, keptFor } from '../../lib/kept.ts';
import { mathToText, renderedHtmlToText } from '../../lib/math.ts';
import type { Clock } from '../../lib/time.ts';
import { passThrough, type SteadyReads } from '../../platform/caches.ts';
import { findGuidesForSearch, type Guide, guidePath, sectionPath } from '../guides/index.ts';
import { decideAccess, gateTextNow, type PreviewMemo } from '../membership/index.ts';
import { listSubjects } from '../subjects/index.ts';
import { postgresSearchIndex } from './postgres-search.repository.ts';
import { isEmptyQuery, type ParsedQuery, parseQuery, prefixWord } from './query.ts';
import { findResultRows, type ResultRow } from './search.repository.ts';
import { CANDIDATE_LIMIT, type Candidate, type MatchMode, type RebuildProgress, type SearchIndex } from './search-index.ts';
import { countMiss, pruneMisses } from './search-misses.repository.ts';
import { bestPassage, bestSnippet, markdownPlain, openingSnippet, type Segment } from './snippet.ts';
import { sqliteSearchIndex } from './sqlite-search.repository.ts';
import { applyCorrections, bestSpelling, isCorrectable, oneEditAway } from './suggest.ts';
import { listSynonymGroups, replaceSynonymGroups } from './synonyms.repository.ts';
import { formatSynonyms, nameForms, parseSynonymText, type SynonymProblem, synonymLookup } from './synonyms.ts';

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

/** What a search lists: questions and study guides (questions paged, the best guides above them), or one kind. */
export type SearchType = 'all' | 'questions' | 'guides';
export const SEARCH_TYPES: readonly SearchType[] = ['all', 'questions', 'guides'];
/** Guides shown above the questions when a search lists both. */
export const GUIDES_ABOVE_QUESTIONS = 3;

export interface SearchRequest {
  /** The text typed, as it came (anything: it is cleaned and parsed here). */
  q: string;
  /** A subject's slug, or nothing for all subjects. */
  subject?: string | undefined;
  /** 'questions' or 'guides'; anything else lists both. */
  type?: string | undefined;
  /** 1-based. */
  page?: number | undefined;
  /** Whether the viewer may read whole expert answers and members-only sections is decided by decideAccess on this. */
  viewer: { member: boolean } | null;
  /** How much of an expert answer a non-member may read (config.paywallPreviewWords). */
  previewWords: number;
  /** Where rendered previews are kept (the app's caches.previews), shared with the question page. */
  previews: PreviewMemo;
  /** Search for exactly what was typed: no corrected spelling ("Search instead for"). */
  exact?: boolean | undefined;
  /** Where rows read on every search are kept while nothing is committed (the app's caches.reads): the synonym table. */
  reads?: SteadyReads | undefined;
}

/**
 * A question found: what a list of questions shows of it (the questions module's QuestionSummary), with the snippet
 * in place of the quick answer. Spelled out here rather than derived from that type: the questions module uses
 * search for related questions, and search must not depend back on it.
 */
export interface SearchResult {
  id: number;
  slug: string;
  title: string;
  subjectSlug: string;
  subjectName: string;
  publishedAt: string | null;
  snippet: Segment[];
}

export interface GuideResult {
  id: number;
  title: string;
  /** The guide, or the section the snippet was cut from. */
  path: string;
  /** The section the snippet was cut from, when it was not the overview. */
  sectionTitle: string | null;
  subjectSlug: string;
  subjectName: string;
  snippet: Segment[];
}

export interface SubjectCount {
  slug: string;
  name: string;
  count: number;
}

export interface SearchOutcome {
  query: ParsedQuery;
  type: SearchType;
  /** One page of questions (none when the type is 'guides'). */
  results: SearchResult[];
  /** The best guides (type 'all') or one page of them (type 'guides'). */
  guides: GuideResult[];
  /** Matches of what is listed (questions, or guides for type 'guides') in the chosen subject or in all. */
  total: number;
  /** Matches of what is listed, in every subject. */
  allTotal: number;
  /** Matches of each type in the chosen subject (or in all): the counts beside the type filter. */
  typeTotals: { all: number; questions: number; guides: number };
  /** More questions match than were ranked; the question counts are lower bounds. */
  capped: boolean;
  /** Subjects with matches of what is listed, most matches first. */
  subjects: SubjectCount[];
  subject: { slug: string; name: string } | null;
  page: number;
  pages: number;
  /** Whether anything matched, of any type in any subject (else the page says so and may suggest a spelling). */
  anyMatch: boolean;
  /** A query one edit per word away that matches, when this one matched nothing. */
  suggestion: string | null;
  /**
   * How the results were found when no match held every word as typed: 'prefix' (the last word as the start of a
   * word), 'corrected' (the spelling in `corrected`, shown as "Showing results for"), 'some' (questions holding
   * some of the words). Null when every word matched as typed.
   */
  relaxed: 'prefix' | 'corrected' | 'some' | null;
  /** The corrected query the results are for (relaxed 'corrected'). */
  corrected: string | null;
  /** The student asked for exactly what they typed (no corrected spelling); links keep asking so. */
  exact: boolean;
}

/** The other spellings a query's one-word clauses may have as names or their adjectives (nameForms), by word. */
function nameFormsOf(query: ParsedQuery): Map<string, string[]> {
  return new Map(query.clauses.filter((c) => c.length === 1).map((c) => [c[0] as string, nameForms(c[0] as string)]));
}

/**
 * The query with each word that names a person or place also matching the adjective made from it, and back
 * ("Darwin" and "Darwinian"), where the site's free text holds the other spelling (`known`: which of the forms
 * it holds).
 */
function withNameForms(query: ParsedQuery, forms: ReadonlyMap<string, string[]>, known: ReadonlyMap<string, number>): ParsedQuery {
  const clauses: string[][] = [];
  const groups: string[][][] = [];
  const words = [...query.words];
  for (const c of query.clauses) {
    const other = c.length === 1 ? (forms.get(c[0] as string) ?? []).filter((f) => known.has(f)) : [];
    if (other.length === 0) clauses.push(c);
    else {
      groups.push([c, ...other.map((f) => [f])]);
      for (const f of other) if (!words.includes(f)) words.push(f);
    }
  }
  return groups.length === 0 ? query : { ...query, clauses, anyOf: [...query.anyOf, ...groups], words };
}

/** The last word counts as still being typed when it is this long at least (shorter prefixes match too much). */
const PREFIX_MIN_CHARS = 4;
/**
 * ...and when the query has at most this many clauses. A longer one is pasted or written out rather than being typed
 * (suggestions answer while typing), and its other words decide what matches; on PostgreSQL a prefix costs GIN every
 * match of every word it starts, 30 ms a look for the start of a common word at a million questions.
 */
const PREFIX_MAX_CLAUSES = 3;

interface Matches {
  query: ParsedQuery;
  candidates: Candidate[];
  guides: Candidate[];
  capped: boolean;
  relaxed: SearchOutcome['relaxed'];
  corrected: string | null;
}

/** The query's questions and guides as an index's matches gave them, or null when neither matched. */
function matchesOf(
  query: ParsedQuery,
  found: Awaited<ReturnType<SearchIndex['matches']>>,
  relaxed: Matches['relaxed'],
  corrected: string | null = null,
): Matches | null {
  const {
    questions: { candidates, capped },
    guides: { candidates: guides },
  } = found;
  return candidates.length > 0 || guides.length > 0 ? { query, candidates, guides, capped, relaxed, corrected } : null;
}

/** The query's questions and guides, or null when neither matched. */
async function attemptMatches(
  index: SearchIndex,
  query: ParsedQuery,
  mode: MatchMode,
  relaxed: Matches['relaxed'],
  corrected: string | null = null,
): Promise<Matches | null> {
  return matchesOf(query, await index.matches(query, CANDIDATE_LIMIT, mode), relaxed, corrected);
}

/** Results so few that a corrected spelling is tried too, and how many times more it must find to be shown. */
const LITTLE = 3;
const MUCH_MORE = 3;
const foundCount = (m: Matches) => m.candidates.length + m.guides.length;

/**
 * The query with its name forms (withNameForms), and its matches: of every word, as typed; failing that, of every
 * word with the last one as the start of a word; then of a corrected spelling (not when the student asked for
 * exactly what they typed), also when the start of the word found little and the spelling finds MUCH_MORE times as
 * much; then of some of the words, those holding more and rarer words first. Each step runs only when the one before
 * found nothing (or little), so a query that matches pays for one. The name forms are looked up with the first
 * step, as the words were typed: only a query where the free text holds one is tried again with them.
 */
async function findMatches(
  index: SearchIndex,
  parsed: ParsedQuery,
  exact: boolean,
  synonyms: ReturnType<typeof synonymLookup>,
): Promise<{ query: ParsedQuery; found: Matches | { spelling: string | null } }> {
  const forms = nameFormsOf(parsed);
  const asTyped = await index.matches(parsed, CANDIDATE_LIMIT, 'all', [...new Set([...forms.values()].flat())]);
  const query = withNameForms(parsed, forms, asTyped.known);
  const found = query === parsed ? matchesOf(query, asTyped, null) : await attemptMatches(index, query, 'all', null);
  return { query, found: found ?? (await relaxedMatches(index, query, exact, synonyms)) };
}

/** findMatches' steps after the first, for a query whose every word, as typed, matched nothing. */
async function relaxedMatches(
  index: SearchIndex,
  query: ParsedQuery,
  exact: boolean,
  synonyms: ReturnType<typeof synonymLookup>,
): Promise<Matches | { spelling: string | null }> {
  const attempt = (q: ParsedQuery, mode: MatchMode, relaxed: Matches['relaxed'], corrected: string | null = null) =>
    attemptMatches(index, q, mode, relaxed, corrected);
  const last = query.clauses[query.clauses.length - 1];
  const prefixable =
    last?.length === 1 && (last[0] as string).length >= PREFIX_MIN_CHARS && query.clauses.length + query.anyOf.length <= PREFIX_MAX_CLAUSES;
  // A query of one word that matched nothing has it in no text at all. Of a longer one, "did you mean" asks which
  // words the free text holds: they are counted with the start-of-word try, a round trip less (wasted only where
  // that try finds enough).
  const oneWord = query.clauses.length === 1 && query.anyOf.length === 0 && query.words.length === 1;
  const prefixQuery = { ...query, prefixLast: true };
  const tried = prefixable ? await index.matches(prefixQuery, CANDIDATE_LIMIT, 'all', oneWord ? [] : suggestedWords(query)) : null;
  const prefixed = tried ? matchesOf(prefixQuery, tried, 'prefix') : null;
  // A last word that starts a few words only ("volcann" in one "Volcannon") may still be a typo of a common one.
  if (prefixed && (exact || foundCount(prefixed) >= LITTLE)) return prefixed;
  // Worked out once: the corrected query's results, else the "Did you mean" of a search that finds nothing.
  const spelling = await suggest(index, query, oneWord ? new Map() : tried?.known);
  let loose = query;
  if (spelling && !exact) {
    const corrected = parseQuery(spelling, synonyms);
    const respelled = await attempt(corrected, 'all', 'corrected', corrected.text);
    if (respelled && (!prefixed || foundCount(respelled) >= MUCH_MORE * foundCount(prefixed))) return respelled;
    loose = corrected;
  }
  if (prefixed) return prefixed;
  const some =
    query.clauses.length + query.anyOf.length > 1 || loose !== query
      ? await attempt({ ...loose, prefixLast: prefixable }, 'any', 'some')
      : null;
  return some ?? { spelling };
}

/**
 * How long a process keeps the synonym table and the list of subjects where the database cannot say whether
 * anything was committed since (PostgreSQL): an admin's edit reaches the other app processes within this, and this
 * one at once (saveSynonymText). Each was a round trip in every search (0.4 to 2 ms at a million questions, the
 * synonyms before anything else could start). A subject added since is read at once: search reads the list again
 * when a match, or the subject asked for, is not on it.
 */
export const SYNONYMS_KEPT_MS = 5_000;
type SynonymLookup = ReturnType<typeof synonymLookup>;
type Subjects = Awaited<ReturnType<typeof listSubjects>>;

/** What search reads on every search and keeps (steady): each read the one way. */
const steadyLoads = {
  synonyms: async (db: Db): Promise<SynonymLookup> => synonymLookup(await listSynonymGroups(db)),
  subjects: (db: Db): Promise<Subjects> => listSubjects(db),
};
type SteadyName = keyof typeof steadyLoads;
const keptLoads = new WeakMap<Db, Kept<SteadyName, unknown>>();

/**
 * A steady read: on SQLite until the next commit (`reads`), on PostgreSQL for SYNONYMS_KEPT_MS in this process;
 * `fresh` reads it again now.
 */
function steady<N extends SteadyName>(
  database: { db: Db; engine: Engine },
  reads: SteadyReads,
  name: N,
  fresh = false,
): Promise<Awaited<ReturnType<(typeof steadyLoads)[N]>>> {
  const load = (): Promise<unknown> => steadyLoads[name](database.db);
  let value: Promise<unknown>;
  if (database.engine === 'sqlite') value = fresh ? load() : reads.read(name, load);
  else {
    let kept = keptLoads.get(database.db);
    if (kept === undefined) {
      kept = keptFor<SteadyName, unknown>(SYNONYMS_KEPT_MS, (n) => steadyLoads[n](database.db));
      keptLoads.set(database.db, kept);
    }
    if (fresh) kept.forget(name);
    value = kept.get(name);
  }
  return value as Promise<Awaited<ReturnType<(typeof steadyLoads)[N]>>>;
}

function searchType(raw: string | undefined): SearchType {
  return SEARCH_TYPES.includes(raw as SearchType) ? (raw as SearchType) : 'all';
}

function countBySubject(candidates: readonly Candidate[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const c of candidates) counts.set(c.subjectId, (counts.get(c.subjectId) ?? 0) + 1);
  return counts;
}

/** Best first; equal scores newest first, so the order is stable from page to page. */
const byScore = (a: Candidate, b: Candidate) => b.score - a.score || b.id - a.id;

/**
 * Ranked published questions and study guides for a query, one page of them, with snippets the viewer may read.
 * Questions and guides are ranked apart (their scores come from different indexes and do not compare).
 */
export async function search(database: { db: Db; engine: Engine }, request: SearchRequest): Promise<SearchOutcome> {
  const type = searchType(request.type);
  const index = searchIndexOf(database);
  // The synonym table and the subjects (both kept, see steady), side by side.
  const reads = request.reads ?? passThrough;
  const [synonyms, kept] = await Promise.all([steady(database, reads, 'synonyms'), steady(database, reads, 'subjects')]);
  const parsed = parseQuery(request.q, synonyms);
  let subjects = kept;
  const known = (slug: string) => subjects.some((s) => s.slug === slug);
  if (request.subject && !known(request.subject)) subjects = await steady(database, reads, 'subjects', true);
  const chosen = request.subject ? subjects.find((s) => s.slug === request.subject) : undefined;
  const empty: SearchOutcome = {
    query: parsed,
    type,
    results: [],
    guides: [],
    total: 0,
    allTotal: 0,
    typeTotals: { all: 0, questions: 0, guides: 0 },
    capped: false,
    subjects: [],
    subject: chosen ? { slug: chosen.slug, name: chosen.name } : null,
    page: 1,
    pages: 0,
    anyMatch: false,
    suggestion: null,
    relaxed: null,
    corrected: null,
    exact: request.exact === true,
  };
  if (isEmptyQuery(parsed)) return empty;

  const { query, found } = await findMatches(index, parsed, request.exact === true, synonyms);
  if ('spelling' in found) return { ...empty, query, suggestion: found.spelling };
  const { candidates, capped } = found;
  // A subject added since the list was kept: read it again, once.
  const onList = new Set(subjects.map((s) => s.id));
  if (subjects === kept && [...candidates, ...found.guides].some((c) => !onList.has(c.subjectId))) {
    subjects = await steady(database, reads, 'subjects', true);
  }

  const ranked = [...candidates].sort(byScore);
  const rankedGuides = [...found.guides].sort(byScore);
  const inChosen = (c: Candidate) => !chosen || c.subjectId === chosen.id;
  const questionsHere = ranked.filter(inChosen);
  const guidesHere = rankedGuides.filter(inChosen);

  // The subject filter counts what the type filter lists; the type filter counts what the subject filter keeps.
  const listed = type === 'guides' ? rankedGuides : type === 'questions' ? ranked : [...ranked, ...rankedGuides];
  const counts = countBySubject(listed);
  const subjectCounts = subjects
    .filter((s) => counts.has(s.id))
    .map((s) => ({ slug: s.slug, name: s.name, count: counts.get(s.id) as number }))
    .sort((a, b) => b.count - a.count || a.name.localeCompare(b.name));

  const paged = type === 'guides' ? guidesHere : questionsHere;
  const pages = Math.ceil(paged.length / RESULTS_PER_PAGE);
  const page = Math.min(Math.max(1, Math.floor(request.page ?? 1)), Math.max(1, pages));
  const onPage = paged.slice((page - 1) * RESULTS_PER_PAGE, page * RESULTS_PER_PAGE).map((c) => c.id);

  const guideIds =
    type === 'guides' ? onPage : type === 'all' && page === 1 ? guidesHere.slice(0, GUIDES_ABOVE_QUESTIONS).map((c) => c.id) : [];
  // Read side by side: on PostgreSQL each is a round trip of its own.
  const [questionRows, guideList] = await Promise.all([
    type === 'guides' ? [] : findResultRows(database.db, onPage),
    findGuidesForSearch(database.db, guideIds),
  ]);
  const rows = new Map(questionRows.map((r) => [r.id, r]));
  const results: SearchResult[] = [];
  for (const id of type === 'guides' ? [] : onPage) {
    const row = rows.get(id);
    if (row) results.push(toResult(row, found.query, request));
  }
  const guideRows = new Map(guideList.map((g) => [g.id, g]));
  const guides: GuideResult[] = [];
  for (const id of guideIds) {
    const guide = guideRows.get(id);
    if (guide) guides.push(toGuideResult(guide, found.query, request.viewer));
  }

  return {
    query,
    type,
    results,
    guides,
    total: paged.length,
    allTotal: type === 'guides' ? rankedGuides.length : ranked.length,
    typeTotals: { all: questionsHere.length + guidesHere.length, questions: questionsHere.length, guides: guidesHere.length },
    capped,
    subjects: subjectCounts,
    subject: chosen ? { slug: chosen.slug, name: chosen.name } : null,
    page,
    pages,
    anyMatch: true,
    suggestion: null,
    relaxed: found.relaxed,
    corrected: found.corrected,
    exact: request.exact === true,
  };
}

function toResult(row: ResultRow, query: ParsedQuery, request: SearchRequest): SearchResult {
  const details = markdownPlain(row.details);
  const quick = mathToText(row.quickAnswer ?? '');
  // Only what this viewer may read, through the one gate: the whole answer for a member, else the same preview the
  // question page shows (the same memo key). Snippets are plain text, so the "whole" here is the Markdown itself.
  let answer = '';
  if (row.answer !== null) {
    const text = gateTextNow(
      request.viewer,
      { kind: 'expert_answer' },
      { key: `${row.id}:${row.answerUpdatedAt ?? ''}`, html: row.answer, markdown: row.answer },
      { words: request.previewWords, memo: request.previews },
    );
    answer = text.full ? markdownPlain(text.html) : renderedHtmlToText(text.previewHtml);
  }
  const snippet = bestSnippet([details, quick, answer], query.words, prefixWord(query)) ?? openingSnippet(quick || details);
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

function toGuideResult(guide: Guide, query: ParsedQuery, viewer: { member: boolean } | null): GuideResult {
  // The overview and free sections for everyone; members-only sections for members alone (a non-member reads
  // only their opening on the guide's page, and a snippet need not go even that far).
  const readable = guide.sections.filter((s) => decideAccess(viewer, { kind: 'guide_section', membersOnly: s.membersOnly }).full);
  const passage = bestPassage(
    [markdownPlain(guide.overview), ...readable.map((s) => markdownPlain(s.body))],
    query.words,
    prefixWord(query),
  );
  const section = passage && passage.source > 0 ? (readable[passage.source - 1] ?? null) : null;
  return {
    id: guide.id,
    title: guide.title,
    path: section ? sectionPath(guide, section) : guidePath(guide),
    sectionTitle: section?.title ?? null,
    subjectSlug: guide.subject.slug,
    subjectName: guide.subject.name,
    snippet: passage?.segments ?? openingSnippet(markdownPlain(guide.overview)),
  };
}

/** How many words of a query are looked at for "did you mean", and how many of them corrected at most. */
const SUGGEST_WORDS = 6;
const SUGGEST_CORRECTIONS = 3;

/** The words of a query "did you mean" looks at. */
const suggestedWords = (query: ParsedQuery) => query.words.slice(0, SUGGEST_WORDS);

/**
 * The query with its unknown words replaced by the most frequent spelling one edit away, or null. Only free text
 * (titles, details, quick answers) counts as known: a suggestion never spells out a word of a gated answer. `counted`:
 * what freeTextCounts(suggestedWords(query), 1) gives, when the caller has it (empty for a one-word query that
 * matched nothing: its word is in no text).
 */
async function suggest(index: SearchIndex, query: ParsedQuery, counted?: ReadonlyMap<string, number>): Promise<string | null> {
  const words = suggestedWords(query);
  if (words.length === 0) return null;
  const known = counted ?? (await index.freeTextCounts(words, 1));
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

/** The synonym table as the admin form shows it: one group a line. */
export async function getSynonymText(db: Db): Promise<string> {
  return formatSynonyms(await listSynonymGroups(db));
}

/**
 * Saves an admin's synonym table, whole, when every line reads; otherwise saves nothing and says what is wrong on
 * which line. The next search uses it: synonyms are applied to queries, so nothing is reindexed.
 */
export async function saveSynonymText(db: Db, text: string): Promise<{ saved: number } | { problems: SynonymProblem[] }> {
  const { groups, problems } = parseSynonymText(text);
  if (problems.length > 0) return { problems };
  await replaceSynonymGroups(db, groups);
  keptLoads.get(db)?.forget('synonyms');
  return { saved: groups.length };
}

/** Characters of a query kept when it found nothing: enough to read what was wanted, never a whole pasted page. */
export const SEARCH_MISS_CHARS = 100;

/**
 * Counts a search that found nothing of any kind in any subject, for the admin dashboard's list of what students
 * look for and the site lacks. Called by the search page only (suggestions while typing are half-typed words, not
 * misses). The text is lower-cased and cut; who searched is not kept.
 */
export async function recordSearchMiss(db: Db, outcome: SearchOutcome, clock: Clock): Promise<void> {
  if (outcome.anyMatch || isEmptyQuery(outcome.query)) return;
  // Cut by code points, so a cut never splits a character written as a surrogate pair.
  const text = Array.from(outcome.query.text.toLowerCase().replace(/\s+/g, ' ').trim()).slice(0, SEARCH_MISS_CHARS).join('').trim();
  if (text === '') return;
  await countMiss(db, clock.now().toISOString().slice(0, 10), text);
}

/** Days of zero-result searches kept: the dashboard's longest range, and a little more. */
export const SEARCH_MISS_DAYS_KEPT = 100;

/** Forgets the zero-result searches older than SEARCH_MISS_DAYS_KEPT days (a background job, once a minute). */
export function pruneSearchMisses(db: Db, clock: Clock): Promise<number> {
  return pruneMisses(db, new Date(clock.now().getTime() - SEARCH_MISS_DAYS_KEPT * 86_400_000).toISOString().slice(0, 10));
}
