import { type Kysely, type RawBuilder, sql } from 'kysely';
import { compileOnce } from '../../db/compiled.ts';
import type { Engine } from '../../db/connect.ts';
import type { Database } from '../../db/database.ts';
import { mostCommonLexemes, onIndexes, SLICED_DOCUMENT } from './postgres-search.repository.ts';
import { cleanQueryText, STOP_WORDS } from './query.ts';

// "Questions like this one": published questions whose titles share the most telling words of a text (a question's
// title for its related questions, or what a student is typing on /ask). Unlike a search, ANY word may match: a
// related question rarely repeats every word of another's title.
//
// What makes it telling is rarity. A word in a handful of titles ("tessellation", "1666") says much more about a
// question than one in most of them ("explain", "main"), and ranking an OR over common words would make the engine
// score most of the index. So each word's titles are counted first, stopping at COMMON_TITLES; the rarest few
// words under that limit are matched (OR) and ranked. Every step is bounded whatever the text holds: at most
// MAX_COUNTED words are counted, a count stops at COMMON_TITLES, and the ranked matches add up to RANK_BUDGET at
// most (PostgreSQL, whose index cannot stop early, has lower limits of its own, below). When every word is common,
// the newest titles holding any of them are ranked by how many of them each holds (a walk newest first that stops
// at COMMON_WINDOW), unless the caller wants rare words only.
//
// The text never reaches an engine as syntax: only words of letters and digits are kept, and each is quoted.

type Db = Kysely<Database>;

/** Words of the text that are counted; longer texts keep their longest words (long words tend to be rare ones). */
const MAX_COUNTED = 10;
/** A word in this many titles (or more) is common: it takes no part in ranking while a rarer word is there. */
const COMMON_TITLES = 1000;
/** Rare words matched at most. */
const MAX_RARE = 4;
/** Titles the rare words may match together, at most: bm25 scores every one of them. */
const RANK_BUDGET = 2000;
/** When every word is common: how many of the newest titles holding one of them are ranked, and with how many words. */
const COMMON_WINDOW = 200;
const MAX_COMMON = 3;
/** Longer "words" are noise (a pasted hash) and match nothing useful. */
const MAX_WORD_CHARS = 60;

export interface SimilarRequest {
  /** Any text: it is cleaned and cut here. */
  text: string;
  /** A question never listed (the question whose related questions these are). */
  excludeId?: number | undefined;
  limit: number;
  /**
   * Nothing when every word is common, rather than the newest titles holding them: a related list has better
   * things to show than the latest questions that also say "explain".
   */
  rareOnly?: boolean;
}

/** A published question and how much its title has in common with the text (higher is closer; compare within one answer only). */
export interface SimilarMatch {
  id: number;
  score: number;
}

/**
 * The words of a text worth matching: letters and digits only (safe inside an engine's quotes), two characters or
 * more, no stop words.
 */
function significantWords(text: string): string[] {
  const words =
    cleanQueryText(text)
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? [];
  const kept = [...new Set(words)].filter((w) => w.length >= 2 && w.length <= MAX_WORD_CHARS && !STOP_WORDS.has(w));
  if (kept.length <= MAX_COUNTED) return kept;
  // Sorting is stable: among words of one length the earlier ones stay.
  return [...kept].sort((a, b) => b.length - a.length).slice(0, MAX_COUNTED);
}

interface Counted {
  word: string;
  n: number;
}

/** The rarest words under `common`, as many as fit the ranking budget (the rarest always does). */
function rarest(counted: readonly Counted[], request: SimilarRequest, common: number, budget: number): string[] {
  // With a question excluded, the text is usually its title, so each word is in one title already: one found in
  // no other would only take the place of a word that finds something.
  const fewest = request.excludeId === undefined ? 1 : 2;
  const rare = counted.filter((c) => c.n >= fewest && c.n < common).sort((a, b) => a.n - b.n);
  const picked: string[] = [];
  let matches = 0;
  for (const c of rare) {
    if (picked.length >= MAX_RARE || (picked.length > 0 && matches + c.n > budget)) break;
    picked.push(c.word);
    matches += c.n;
  }
  return picked;
}

/** Common words to fall back on: the longest (their counts all stopped at the cap, so length is the hint left). */
function longestCommon(counted: readonly Counted[], common: number): string[] {
  return counted
    .filter((c) => c.n >= common)
    .map((c) => c.word)
    .sort((a, b) => b.length - a.length)
    .slice(0, MAX_COMMON);
}

/** Most words held first, then newest. */
function byWordsHeld(ids: readonly number[], held: ReadonlyMap<number, number>): SimilarMatch[] {
  return ids.map((id) => ({ id, score: held.get(id) ?? 0 })).sort((a, b) => b.score - a.score || b.id - a.id);
}

function finish(matches: readonly SimilarMatch[], request: SimilarRequest): SimilarMatch[] {
  return matches.filter((m) => m.id !== request.excludeId).slice(0, request.limit);
}

// ---------------------------------------------------------------------------------------------------------------
// SQLite: search_titles (FTS5 over published titles, rowid = question id; migrations/20261126T2200_search.ts).

/** Lets compileOnce keep a raw SELECT: it compiles against this database. */
function keep<R>(db: Db, query: RawBuilder<R>) {
  return { compile: () => query.compile(db) };
}

/** An FTS5 string: inside double quotes, NEAR, AND, * or a column name are plain text; a word never holds a quote. */
function fts5String(word: string): string {
  return `"${word.replaceAll('"', '')}"`;
}

const titleCounts = compileOnce((db: Db, words: string, cap: number) =>
  keep(
    db,
    sql<Counted>`select j.value as word,
      (select count(*) from (select 1 from search_titles where search_titles match '"' || j.value || '"' limit ${cap})) as n
      from json_each(${words}) as j`,
  ),
);

// Ties (titles of the same length sharing the same words) go newest first, so the order is stable.
const titlesByBm25 = compileOnce((db: Db, match: string, limit: number) =>
  keep(
    db,
    sql<{ id: number; rank: number }>`select rowid as id, bm25(search_titles) as rank
      from search_titles where search_titles match ${match} order by rank, rowid desc limit ${limit}`,
  ),
);

// An OR walked newest first yields a match at every step, so this reads about `limit` entries per word.
const newestTitles = compileOnce((db: Db, match: string, limit: number) =>
  keep(
    db,
    sql<{ id: number }>`select rowid as id from search_titles where search_titles match ${match} order by rowid desc limit ${limit}`,
  ),
);

// Which of the window's titles hold each word: each word's newest titles, as many as the window holds. Every title
// holding one of the words from the window's oldest on is in the window (it is the newest stretch of the OR's
// matches), so these reach back past it. A rowid range would say the same, but FTS5 then reads the word's whole
// list (3 ms for a common word at a million titles), where a LIMIT newest first stops early.
const newestOfEach = compileOnce((db: Db, words: string, limit: number) =>
  keep(
    db,
    sql<{ ids: string }>`select (select json_group_array(id) from (select rowid as id from search_titles
        where search_titles match '"' || j.value || '"' order by rowid desc limit ${limit})) as ids
      from json_each(${words}) as j`,
  ),
);

async function sqliteSimilar(db: Db, words: readonly string[], request: SimilarRequest): Promise<SimilarMatch[]> {
  const counted = (await titleCounts(db, JSON.stringify(words), COMMON_TITLES)).map((r) => ({ word: r.word, n: Number(r.n) }));
  // One more than asked: the excluded question may be among them.
  const wanted = request.limit + 1;
  const rare = rarest(counted, request, COMMON_TITLES, RANK_BUDGET);
  if (rare.length > 0) {
    const rows = await titlesByBm25(db, rare.map(fts5String).join(' OR '), wanted);
    return finish(
      rows.map((r) => ({ id: r.id, score: -r.rank })),
      request,
    );
  }
  const common = longestCommon(counted, COMMON_TITLES);
  if (common.length === 0 || request.rareOnly) return [];
  const window = (await newestTitles(db, common.map(fts5String).join(' OR '), COMMON_WINDOW)).map((r) => r.id);
  if (window.length === 0) return [];
  const held = new Map<number, number>();
  if (common.length > 1) {
    const oldest = Math.min(...window);
    for (const l of await newestOfEach(db, JSON.stringify(common), COMMON_WINDOW))
      for (const id of JSON.parse(l.ids) as number[]) if (id >= oldest) held.set(id, (held.get(id) ?? 0) + 1);
  }
  return finish(byWordsHeld(window, held), request);
}

// ---------------------------------------------------------------------------------------------------------------
// PostgreSQL: search_documents (a tsvector per published question; migrations/20261126T2200_search.ts). Its GIN index
// lists the questions holding a word anywhere in their text, so that is what is counted here (a word common in
// expert answers counts as common even if titles rarely hold it); the matches are then checked and ranked on their
// titles, parsed as they are read (a title is short: no big tsvector is read for it).

/**
 * A word in this many questions (or more) is common, and the rare words may match this many together. Lower than
 * on SQLite: each question counted is a heap fetch (about 3 µs), and each ranked one a heap fetch, a join and its
 * title parsed (about 10 µs). With these, 3.7 ms a title at the median, 9 ms at p95, over 100,000 questions.
 */
const PG_COMMON = 500;
const PG_RANK_BUDGET = 500;
/** When every word is common: how many of the newest questions are read, title by title (about 5 µs each). */
const PG_COMMON_WINDOW = 1000;

/** A tsquery operand, quoted (a word holds letters and digits only; the escapes are a second lock on that door). */
function tsOperand(word: string): string {
  return `'${word.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
}

async function postgresSimilar(db: Db, words: readonly string[], request: SimilarRequest): Promise<SimilarMatch[]> {
  const operands = words.map(tsOperand);
  // A GIN index cannot stop early: the LIMIT stops the heap reads at the cap, but the bitmap of every question
  // holding the word is built first (about 0.15 µs each, 10 ms for a word in most questions at 100,000). So the
  // words ANALYZE lists among the column's most common elements (those in more than a few percent of the
  // questions) are taken as common without a look at the index. Before the first ANALYZE the list is empty and
  // every word is counted.
  const { rows: countRows } = await sql<{ i: string; n: string }>`
    select t.i, case
      when tsvector_to_array(to_tsvector('english', t.word)) && ${mostCommonLexemes('document')} then ${PG_COMMON}
      else (
        select count(*) from (
          select 1 from search_documents where ${SLICED_DOCUMENT} @@ to_tsquery('english', t.operand) limit ${PG_COMMON}
        ) x
      )
    end as n
    from unnest(${words}::text[], ${operands}::text[]) with ordinality as t(word, operand, i)`.execute(db);
  const counted = countRows.map((r) => ({ word: words[Number(r.i) - 1] as string, n: Number(r.n) }));
  const wanted = request.limit + 1;
  const rare = rarest(counted, request, PG_COMMON, PG_RANK_BUDGET);
  if (rare.length > 0) {
    const anyRare = rare.map(tsOperand).join(' | ');
    // The subquery's LIMIT (which the counts say cuts nothing) keeps the planner on the GIN index: left free, it
    // guessed the titles test matched few rows and parsed every title of the site instead (340 ms at 100,000).
    const { rows } = await sql<{ id: number; score: number }>`
      select q.id, ts_rank(to_tsvector('english', q.title), to_tsquery('english', ${anyRare})) as score
      from (
        select question_id from search_documents where ${SLICED_DOCUMENT} @@ to_tsquery('english', ${anyRare}) limit ${PG_RANK_BUDGET + PG_COMMON}
      ) d
      join questions q on q.id = d.question_id
      where q.status = 'published' and to_tsvector('english', q.title) @@ to_tsquery('english', ${anyRare})
      order by score desc, q.id desc limit ${wanted}`.execute(db);
    return finish(
      rows.map((r) => ({ id: Number(r.id), score: Number(r.score) })),
      request,
    );
  }
  const common = longestCommon(counted, PG_COMMON);
  if (common.length === 0 || request.rareOnly) return [];
  // No index lists titles by their stemmed words, and the GIN index would list most questions: the newest
  // questions are read instead, down the primary key, and the walk ends at the window whatever the words. The
  // bound is a value, not a subquery, so the planner knows the walk is short (else it starts parallel workers).
  const { rows: top } = await sql<{ id: number | null }>`select max(id) as id from questions`.execute(db);
  const { rows } = await sql<{ id: number; held: string }>`
    select q.id, (
      select count(*) from unnest(${common.map(tsOperand)}::text[]) as w
      where to_tsvector('english', q.title) @@ to_tsquery('english', w)
    ) as held
    from questions q
    where q.status = 'published'
      and q.id > ${Number(top[0]?.id ?? 0) - PG_COMMON_WINDOW}
      and to_tsvector('english', q.title) @@ to_tsquery('english', ${common.map(tsOperand).join(' | ')})
    order by q.id desc limit ${COMMON_WINDOW}`.execute(db);
  const ids = rows.map((r) => Number(r.id));
  return finish(byWordsHeld(ids, new Map(rows.map((r) => [Number(r.id), Number(r.held)]))), request);
}

/**
 * Published questions whose titles share the text's rarest words, closest first, at most `limit`. Bounded work on
 * any text and any size of site (see the top of this file); an empty list when no word is worth matching.
 */
export async function similarByTerms(database: { db: Db; engine: Engine }, request: SimilarRequest): Promise<SimilarMatch[]> {
  if (request.limit <= 0) return [];
  const words = significantWords(request.text);
  if (words.length === 0) return [];
  if (database.engine === 'sqlite') return sqliteSimilar(database.db, words, request);
  // Its counts and matches stop at a LIMIT, which made the planner scan the table, reading every row's vector.
  return onIndexes(database.db, (db) => postgresSimilar(db, words, request));
}
