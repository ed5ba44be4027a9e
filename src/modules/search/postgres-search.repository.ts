import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Database } from '../../db/database.ts';
import { parsedOnce } from '../../db/parsed-once.ts';
import { keptFor } from '../../lib/kept.ts';
import { isEmptyQuery, type ParsedQuery, prefixWord, STOP_WORDS } from './query.ts';
import { type Candidate, type CandidateSet, inBatches, type MatchMode, type SearchIndex } from './search-index.ts';

// The PostgreSQL adapter: search_documents (per published question, `document`: title weight A, details, quick
// answer and expert answer B; `free_text`: title, details and quick answer), each with a GIN index, kept in step
// by the triggers of migrations/20261126T2200_search.ts.
//
// The query goes to websearch_to_tsquery, which accepts any text; it gets the words and quoted phrases of
// query.ts rather than the raw input, so both engines read a query the same way. The newest CANDIDATE_LIMIT
// matches are listed, the newest RANKED_MATCHES of them ranked with ts_rank (SQLite too lists matches past the
// window it ranks), found block by block of ids from the newest (allCandidates): the GIN index is on
// `document || search_id_slices(question_id)` (migrations/20261205T1100_search_id_slices.ts), which adds a lexeme
// per block a question's id falls in, so the index answers one block's matches for about the block's size,
// whatever the words.

type Db = Kysely<Database>;

/** ts_rank weights for D, C, B, A: a title match counts 2.5 times one in the rest. */
const WEIGHTS = '{0.1, 0.2, 0.4, 1.0}';

/** The text for websearch_to_tsquery: words, and phrases in double quotes (words hold no quote, see query.ts). */
function websearchText(clauses: readonly (readonly string[])[], mode: MatchMode): string {
  return clauses.map((c) => (c.length === 1 ? (c[0] as string) : `"${c.join(' ')}"`)).join(mode === 'any' ? ' or ' : ' ');
}

/**
 * The tsquery of a query: websearch_to_tsquery over its clauses, and with prefixLast the last word as `prefixed`
 * says (prefixText), joined with & (every clause) or | (any).
 */
function tsquery(query: ParsedQuery, mode: MatchMode, prefixed: Prefix | undefined) {
  const rest = prefixed === undefined ? query.clauses : query.clauses.slice(0, -1);
  const words = rest.length > 0 ? sql`websearch_to_tsquery('english', ${websearchText(rest, mode)})` : undefined;
  const prefix = prefixed === undefined ? undefined : prefixTsquery(prefixed);
  const groups = query.anyOf.map((alternatives) => sql`to_tsquery('english', ${groupText(alternatives)})`);
  const parts = [words, prefix, ...groups].filter((p) => p !== undefined);
  if (parts.length === 0) return sql`websearch_to_tsquery('english', '')`;
  return sql`(${sql.join(parts, mode === 'any' ? sql` || ` : sql` && `)})`;
}

/** Words of the vocabulary a prefix may stand for, at most; past that it is matched as a prefix by GIN. */
const PREFIX_EXPANSION = 30;

/** The to_tsquery text of a word typed last: a prefix (`:*`), or the vocabulary words it starts (`expanded`). */
interface PrefixText {
  text: string;
  expanded: boolean;
}

/** The word typed last, not looked up yet: the statement that matches it looks it up (LOOKED_UP_PREFIX), a round trip less. */
interface PrefixWord {
  word: string;
}

/** The word typed last as the start of a word: looked up already (prefixText), or by the statement using it. */
type Prefix = PrefixText | PrefixWord;

/**
 * A Prefix as a tsquery: the vocabulary's lexemes as they are (stemming them again could change them), or the word
 * as a prefix; for a PrefixWord, whichever its lookup gives, read from the statement's LOOKED_UP_PREFIX (one lookup
 * however many times the tsquery is used: planned in each place, the lookup tripled a statement's planning time).
 */
const prefixTsquery = (p: Prefix) => {
  if ('word' in p) return sql`coalesce((select expanded from ${LOOKED_UP_PREFIX})::tsquery, to_tsquery('english', ${asPrefix(p.word)}))`;
  return p.expanded ? sql`${p.text}::tsquery` : sql`to_tsquery('english', ${p.text})`;
};

/** The name of the statement's lookup of a PrefixWord, a WITH query of one row (`expanded`: expandedPrefix). */
const LOOKED_UP_PREFIX = sql.raw('looked_up_prefix');

/** A word as a to_tsquery prefix. */
const asPrefix = (word: string) => `${operand(word)}:*`;

/**
 * The vocabulary's lexemes starting as the word does (its stem), PREFIX_EXPANSION + 1 at most: on the vocabulary's
 * prefix index, a range of it (LIKE with a pattern known only when the statement runs scanned the whole table,
 * 9 ms). Lexemes holding a quote or a backslash are left out, so each can be quoted as it is.
 */
const prefixLexemes = (word: string) => sql<{ lexeme: string }>`
  with s as (select (tsvector_to_array(to_tsvector('english', ${word})))[1] as stem)
  select v.lexeme from s join search_vocabulary v
    on v.lexeme ~>=~ s.stem and v.lexeme ~<~ (s.stem || chr(1114111)) and starts_with(v.lexeme, s.stem)
  where v.lexeme !~ '[\\\\'']'
  limit ${PREFIX_EXPANSION + 1}`;

/** PrefixText's expanded text as SQL (the lexemes quoted, any of them), or null where the word stays a prefix. */
const expandedPrefix = (word: string) => sql<string | null>`(select case when count(*) between 1 and ${PREFIX_EXPANSION}
    then string_agg('''' || l.lexeme || '''', ' | ') end from (${prefixLexemes(word)}) l)`;

/** The PrefixText of `word`, given what expandedPrefix gave. */
const prefixTextOf = (word: string, expanded: string | null): PrefixText =>
  expanded === null ? { text: asPrefix(word), expanded: false } : { text: expanded, expanded: true };

/**
 * A word as the start of a word. GIN answers `'word':*` by gathering every match of every lexeme that starts so
 * before anything else, in every look (20 ms for a start shared by a tenth of a million questions), so where the
 * spelling vocabulary (free text) lists at most PREFIX_EXPANSION lexemes starting so, the prefix is those lexemes,
 * any of them, which GIN walks like words. A start the vocabulary lists more or none of stays a prefix. A word
 * found only in expert answers is not in the vocabulary: the start of one is matched only while the free text has
 * no word starting so, or too many. One lookup (prefixLexemes), here before a statement that needs the answer to
 * plan its work ('any' of the words), or in the statement itself (PrefixWord).
 */
async function prefixText(db: Db, word: string): Promise<PrefixText> {
  const { rows } = await sql<{ expanded: string | null }>`${parsedOnce} select ${expandedPrefix(word)} as expanded`.execute(db);
  return prefixTextOf(word, rows[0]?.expanded ?? null);
}

/** A to_tsquery operand: the word quoted (letters, digits and marks only, see query.ts; quotes dropped regardless). */
function operand(word: string): string {
  return `'${word.replaceAll("'", '').replaceAll('\\', '')}'`;
}

/** A clause for to_tsquery: its words in a row (<->), or the word typed last also as the start of a word (:*). */
function clauseText(clause: readonly string[], prefix: string | undefined): string {
  const words = clause.map(operand).join(' <-> ');
  return prefix !== undefined && clause.length === 1 && clause[0] === prefix ? `${words}:*` : words;
}

/** A synonym group for to_tsquery: any of its phrases, each a run of words (<->). */
function groupText(alternatives: readonly (readonly string[])[]): string {
  return `(${alternatives.map((a) => a.map(operand).join(' <-> ')).join(' | ')})`;
}

/** A lexeme in at least this share of the questions is common (ANALYZE's estimate). */
const COMMON_SHARE = 0.05;
/** Common words (or phrases of them) a query matches at most, as on SQLite: each one more hardly narrows it. */
const MAX_COMMON_CLAUSES = 5;

/**
 * The query with common words kept in check, as the SQLite adapter does. A phrase made only of common words is
 * matched as its words, in any order: checking positions means reading the whole tsvector of every question that
 * has the words ("one time" took 1.9 s at a million questions, as two words 21 ms). Past MAX_COMMON_CLAUSES common
 * clauses the rest are left out. Common means among the lexemes ANALYZE estimates to be in at least COMMON_SHARE
 * of the questions; stop words count as common (they are not indexed). A phrase with one rare word keeps its
 * order: the rare word keeps the candidates few.
 */
async function boundCommonWords(db: Db, query: ParsedQuery, common: CommonLexemes): Promise<ParsedQuery> {
  const hasPhrase = query.clauses.some((c) => c.length > 1);
  if (!hasPhrase && query.clauses.length <= MAX_COMMON_CLAUSES) return query;
  const words = [...new Set(query.clauses.flat())];
  const [frequent, { rows }] = await Promise.all([
    common('document'),
    sql<{ word: string; lexemes: string[] }>`${parsedOnce}
      select w as word, tsvector_to_array(to_tsvector('english', w)) as lexemes from unnest(${words}::text[]) as w`.execute(db),
  ]);
  const rare = new Set(
    rows.filter((r) => r.lexemes.length > 0 && !r.lexemes.some((l) => (frequent.get(l) ?? 0) >= COMMON_SHARE)).map((r) => r.word),
  );
  const isCommon = (c: readonly string[]) => !c.some((w) => rare.has(w));
  const relaxed = query.clauses.flatMap((c) => (c.length > 1 && isCommon(c) ? c.filter((w) => !STOP_WORDS.has(w)).map((w) => [w]) : [c]));
  const unique = [...new Map(relaxed.map((c) => [c.join(' '), c] as const)).values()];
  const clauses = [...unique.filter((c) => !isCommon(c)), ...unique.filter(isCommon).slice(0, MAX_COMMON_CLAUSES)];
  return { ...query, clauses };
}

/** A column's most common lexemes and the share of the questions ANALYZE estimates each is in. */
type CommonLexemes = (column: 'document' | 'free_text') => Promise<ReadonlyMap<string, number>>;

/**
 * How long the lists of most common lexemes are kept once read. They are ANALYZE's estimates, which change only when
 * it runs again; read from pg_stats they cost a search 0.4 ms of planning, and 1 ms more where the list is parsed.
 */
const COMMON_LEXEMES_MS = 60_000;

/** The most common lexemes of each column, read from pg_stats at most once every COMMON_LEXEMES_MS. */
function commonLexemesOf(db: Db): CommonLexemes {
  const kept = keptFor(COMMON_LEXEMES_MS, async (column: 'document' | 'free_text') => {
    const { rows } = await sql<{ lexeme: string; freq: number }>`
      select u.lexeme, u.freq from pg_stats p, unnest(p.most_common_elems::text::text[], p.most_common_elem_freqs) as u(lexeme, freq)
      where p.schemaname = current_schema() and p.tablename = 'search_documents' and p.attname = ${column} and u.lexeme is not null`.execute(
      db,
    );
    return new Map(rows.map((r) => [r.lexeme, Number(r.freq)]));
  });
  return (column) => kept.get(column);
}

/**
 * The lexemes ANALYZE lists as a column's most common (each in more than a few percent of the questions): a text
 * array, empty before the first ANALYZE. Such a word is in more questions than any count here is capped at, and a
 * GIN index would gather every one of them before a LIMIT applies.
 */
export function mostCommonLexemes(column: 'document' | 'free_text'): RawBuilder<string[]> {
  return sql<string[]>`coalesce((select p.most_common_elems::text::text[] from pg_stats p
    where p.schemaname = current_schema() and p.tablename = 'search_documents' and p.attname = ${column}), '{}')`;
}

/**
 * Runs `work`, whose statements count a word's matches up to a LIMIT, with sequential scans priced out. Given a
 * LIMIT, the planner reckons that scanning the table finds the first matches soonest (it expects a word in 0.5% of
 * the rows), but every row it passes has its vector read from out-of-line storage
 * (migrations/20261205T1200_search_narrow_rows.ts): 10 ms for one word at a million questions, against 0.1 ms on
 * the GIN index. The setting ends with the transaction it runs in; inside a caller's transaction it is left alone.
 */
export function onIndexes<T>(db: Db, work: (db: Db) => Promise<T>): Promise<T> {
  if (db.isTransaction) return work(db);
  return db.transaction().execute(async (trx) => {
    await sql`set local enable_seqscan = off`.execute(trx);
    return work(trx);
  });
}

/** Three numeric columns of a relation as one JSON value of three arrays (asColumns); null arrays for no rows. */
type Columns = [number[] | null, number[] | null, number[] | null] | null;

/**
 * The columns named of the relation `rows`, as one JSON value of three arrays, in the rows' order: a thousand
 * candidates cost node-postgres 1.5 ms of CPU as rows (an object and three parsed strings each) and 0.4 ms as JSON.
 */
const asColumns = (rows: RawBuilder<unknown>, names: readonly [string, string, string]) =>
  sql<Columns>`(select json_build_array(${sql.join(names.map((n) => sql`array_agg(${sql.ref(n)})`))}) from ${rows})`;

/** The rows of asColumns' JSON, in its order, each made by `row` from its three values. */
function fromColumns<R>(columns: Columns, row: (a: number, b: number, c: number) => R): R[] {
  const [as, bs, cs] = columns ?? [null, null, null];
  return (as ?? []).map((a, n) => row(a, bs?.[n] as number, cs?.[n] as number));
}

/** The columns of a clause's matches in 'any' mode: the clause's number first. */
const CLAUSE_COLUMNS = ['i', 'id', 'subject_id'] as const;
const clauseRows = (columns: Columns) => fromColumns(columns, (i, id, subject_id) => ({ i, id, subject_id }));

/** Candidates (id, subject_id, score) of the relation `rows`, as asColumns has them. */
const candidateArrays = (rows: RawBuilder<unknown>) => asColumns(rows, ['id', 'subject_id', 'score']);
const fromArrays = (columns: Columns): Candidate[] => fromColumns(columns, (id, subjectId, score) => ({ id, subjectId, score }));

/** An adapter's answer from candidateArrays' JSON: capped when the LIMIT (`limit`) cut it. */
function candidateSet(columns: Columns, limit: number): CandidateSet {
  const candidates = fromArrays(columns);
  return { candidates, capped: candidates.length === limit };
}

/**
 * The published study guides matching `tsq`, the best `limit` of them, each ranked (guides are few), as
 * candidateArrays has them: a subquery, so a statement of questions can carry its query's guides too.
 */
function guideMatches(tsq: RawBuilder<unknown>, limit: number) {
  return candidateArrays(sql`(
    select gs.guide_id as id, gs.subject_id, ts_rank(${WEIGHTS}::float4[], gs.document, q.query, 1) as score
    from (select ${tsq} as query) q
    join guide_search gs on gs.document @@ q.query
    order by score desc, gs.guide_id desc limit ${limit}) g`);
}

/**
 * What a statement of questions reads beside them: the guides matching `tsq` (the query as given, with the word
 * typed last as the statement has it), `limit` at most, and free-text counts when asked.
 */
interface AlsoRead {
  tsq: (prefixed: Prefix | undefined) => RawBuilder<unknown>;
  limit: number;
  /** Free-text counts read in the same statement (freeTextCountsSql), when asked. */
  counts?: RawBuilder<FreeTextCounts> | null;
}

/** Free-text counts as freeTextCountsSql's JSON has them: word to count, or null for no word found. */
type FreeTextCounts = Record<string, number> | null;

/** The Map of freeTextCounts from a FreeTextCounts. */
const countsMap = (counts: FreeTextCounts): Map<string, number> =>
  new Map(
    Object.entries(counts ?? {})
      .map(([w, n]) => [w, Number(n)] as const)
      .filter(([, n]) => n > 0),
  );

/**
 * What an adapter's question statements give: the questions, the guides and counts when asked (AlsoRead), and the
 * word typed last as looked up when the statement looked it up (PrefixWord).
 */
type QuestionsRead = CandidateSet & { guides?: CandidateSet; prefix?: PrefixText; counts?: FreeTextCounts };

/** The columns `guides` and `counts` of a first statement: what `also` asks, or nulls. */
const alsoColumns = (also: AlsoRead | undefined, prefixed: Prefix | undefined) =>
  sql`${also ? guideMatches(also.tsq(prefixed), also.limit) : sql`null`} as guides, ${also?.counts ?? sql`null`} as counts`;

/** What alsoColumns read, as a QuestionsRead has it. */
const alsoRead = (also: AlsoRead | undefined, row: { guides: Columns; counts: FreeTextCounts } | undefined) =>
  also ? { guides: candidateSet(row?.guides ?? null, also.limit), counts: row?.counts ?? null } : {};

/** The indexed expression (migrations/20261205T1100_search_id_slices.ts): every match on document goes through it. */
export const SLICED_DOCUMENT = sql`(document || search_id_slices(question_id))`;

/** Sizes of the id blocks the index names, as bits (a block of level 10 holds 1,024 ids), smallest first. */
const BLOCK_LEVELS = [10, 13, 16, 19] as const;
/** Blocks of a level asked before the next, larger, level: the newest block may hold few questions yet. */
const MIN_BLOCKS_PER_LEVEL = 2;
/** Blocks of the largest level asked before the rest of the table is searched in one go. */
const MAX_TOP_LEVEL_BLOCKS = 4;

/** The blocks a search walks, newest first: a block's tsquery operand, or '' for every id below `rest`. */
export interface BlockWalk {
  blocks: string[];
  /** The first id of each entry of `blocks`. */
  starts: number[];
  /** The ids the '' entry covers: those below this. */
  rest: number;
  /** Ids from this one up are not read (a walk after the newest blocks may start with a block reaching above them). */
  below?: number;
  /** The entries are blocks of search_word_blocks, each the whole query as a tsquery (wordBlockWalk), and no ''. */
  wordBlocks?: boolean;
}

/**
 * The ids 1..top as aligned blocks from the newest: blocks of 2^10 ids until the next one starts a block of 2^13
 * (and at least MIN_BLOCKS_PER_LEVEL were taken), then of 2^13, and so on; past MAX_TOP_LEVEL_BLOCKS of the largest,
 * everything older as one entry. A common word's newest 1,000 matches lie in the first blocks.
 */
export function newestBlocks(top: number): BlockWalk {
  const blocks: string[] = [];
  const starts: number[] = [];
  let end = top + 1;
  let level = 0;
  let taken = 0;
  while (end > 0) {
    const bits = BLOCK_LEVELS[level] as number;
    if (level === BLOCK_LEVELS.length - 1 && taken >= MAX_TOP_LEVEL_BLOCKS) {
      return { blocks: [...blocks, ''], starts: [...starts, 0], rest: end };
    }
    const block = Math.floor((end - 1) / 2 ** bits);
    blocks.push(`'id${bits} ${block}'`);
    end = block * 2 ** bits;
    starts.push(end);
    taken++;
    const next = BLOCK_LEVELS[level + 1];
    if (next !== undefined && taken >= MIN_BLOCKS_PER_LEVEL && end % 2 ** next === 0) {
      level++;
      taken = 0;
    }
  }
  return { blocks, starts, rest: 0 };
}

/** The indexed expression of migrations/20261205T1400_search_word_blocks.ts: each lexeme of a document with its block. */
const WORD_BLOCKS = sql`search_word_blocks(document, question_id)`;
/** The size of the blocks search_word_blocks names, as bits (as that function has it). */
const WORD_BLOCK_BITS = 15;
/** Lexemes this long or longer are not in search_word_blocks (as that function has it). */
const WORD_BLOCK_LEXEME_CHARS = 1000;

/** A lexeme as a to_tsquery operand, as it is (quotes doubled, backslashes escaped). */
const quotedLexeme = (lexeme: string) => `'${lexeme.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;

/**
 * The blocks of search_word_blocks from the one holding below - 1 down to the first, newest first, each as the AND
 * of the query's lexemes in that block: the query itself, asked of that block, when the query is those lexemes
 * ANDed. Null when a lexeme is too long to be in search_word_blocks.
 */
export function wordBlockWalk(lexemes: readonly string[], below: number): BlockWalk | null {
  if (lexemes.length === 0 || below <= 0 || lexemes.some((l) => l.length >= WORD_BLOCK_LEXEME_CHARS)) return null;
  const size = 2 ** WORD_BLOCK_BITS;
  const first = Math.floor((below - 1) / size);
  const numbers = Array.from({ length: first + 1 }, (_, i) => first - i);
  return {
    blocks: numbers.map((n) => lexemes.map((l) => quotedLexeme(`${l} @${n}`)).join(' & ')),
    starts: numbers.map((n) => n * size),
    rest: 0,
    below,
    wordBlocks: true,
  };
}

/** Every id below `below` as one entry of a walk. */
const wholeBelow = (below: number): BlockWalk => ({ blocks: [''], starts: [0], rest: below });

/** The walk's entries from `from` up to `to` (or the end). */
const sliceWalk = (walk: BlockWalk, from: number, to?: number): BlockWalk => ({
  blocks: walk.blocks.slice(from, to),
  starts: walk.starts.slice(from, to),
  rest: walk.rest,
});

/** How many of the newest blocks are read first, to see how dense the matches are before choosing how to go on. */
const PROBE_BLOCKS = 2;

/** The size of the newest blocks, as bits: newestBlocks starts with MIN_BLOCKS_PER_LEVEL blocks of the smallest. */
const HEAD_BITS = BLOCK_LEVELS[0];

/**
 * The newest PROBE_BLOCKS blocks of newestBlocks(top) as SQL, `t.top` being the newest id (the newest block holds it;
 * none below block 0), and the first id of the last of them: what sliceWalk(newestBlocks(top), 0, PROBE_BLOCKS)
 * gives, worked out in the statement that reads the newest id.
 */
const HEAD_BLOCKS = sql<string[]>`array(select format('''id${sql.raw(String(HEAD_BITS))} %s''', (t.top >> ${sql.lit(HEAD_BITS)}) - g)
  from generate_series(0, least(${sql.lit(PROBE_BLOCKS - 1)}, t.top >> ${sql.lit(HEAD_BITS)})) as g)`;
const HEAD_BELOW = sql<number>`(((t.top >> ${sql.lit(HEAD_BITS)}) - ${sql.lit(PROBE_BLOCKS - 1)}) << ${sql.lit(HEAD_BITS)})`;

/**
 * The newest `limit` questions matching `query` in the walk's entries: one lateral scan an entry, in order, under one
 * LIMIT, so an entry is read only while rows are still wanted. In an entry the matches come from the GIN index (the
 * words AND the block's lexeme) and are sorted there by `question_id + 0`: sorted by the key itself, PostgreSQL at
 * times walked the primary key down from the newest row, reading every document it passed (30 ms for 200 rows).
 * The id bounds (the '' entry's `rest`, the others' `below`) are on `question_id + 0` too, which no index serves:
 * given the primary key's range, PostgreSQL built a bitmap of every id below the bound to AND with the words' (40 ms
 * at a million questions).
 * Given `ranked`, a score for each row: the first `ranked` rows (the newest) their ts_rank, worked out only for them
 * (a document is read from out-of-line storage only when ranked), the others UNRANKED.
 */
function newestMatches(
  query: RawBuilder<unknown>,
  walk: Pick<BlockWalk, 'below' | 'wordBlocks'> & {
    blocks: BlockWalk['blocks'] | RawBuilder<string[]>;
    rest: number | RawBuilder<number>;
  },
  limit: number,
  ranked?: number,
) {
  const scored = ranked !== undefined && ranked > 0;
  const below = walk.below ?? 2 ** 31 - 1;
  // A word block's entry is the whole query (wordBlockWalk); an id block's is its lexeme, ANDed with the query.
  const match = walk.wordBlocks
    ? sql`${WORD_BLOCKS} @@ b.block::tsquery and question_id + 0 < ${below}::int`
    : sql`${SLICED_DOCUMENT} @@ (case when b.block = '' then ${query} else ${query} && b.block::tsquery end)
        and question_id + 0 < case when b.block = '' then ${walk.rest}::int else ${below}::int end`;
  const matches = sql`select m.question_id as id, m.subject_id${scored ? sql`, m.document, row_number() over () as n` : sql``}
    from unnest(${walk.blocks}::text[]) with ordinality as b(block, i)
    cross join lateral (
      select question_id, subject_id${scored ? sql`, document` : sql``} from search_documents
      where ${match}
      order by question_id + 0 desc limit ${limit}
    ) m
    limit ${limit}`;
  if (ranked === undefined) return matches;
  if (!scored) return sql`select r.id, r.subject_id, ${UNRANKED}::real as score from (${matches}) r`;
  return sql`select r.id, r.subject_id,
      case when r.n <= ${ranked} then ts_rank(${WEIGHTS}::float4[], r.document, ${query}, 1) else ${UNRANKED}::real end as score
    from (${matches}) r`;
}

/**
 * What a look at one entry of a walk costs (the GIN index asked for the words AND a block of 2^10 ids), and what a
 * match costs, read from the table or only listed in the bitmap before: measured at a million questions with narrow
 * rows (migrations/20261205T1200_search_narrow_rows.ts), 0.25-0.35 ms a look, about 1 µs a match read (a buffer
 * hit) and 0.15 µs one listed.
 */
const LOOK_MS = 0.3;
const READ_MS = 0.001;
const LISTED_MS = 0.00015;
/** ts_rank of one match, its document read from out-of-line storage: about 7 µs. */
const RANK_MS = 0.007;
/**
 * Matches of every word ranked with ts_rank, the newest first; older ones, up to the limit asked for, follow them
 * newest first (UNRANKED), as SQLite lists the matches older than the window its bm25 ranks. Ranking is the fetch of
 * each document from out-of-line storage (about 7 µs each, in random order): the newest 1,000 took 6 to 8 ms of
 * every search with that many matches at a million questions.
 */
const RANKED_MATCHES = 300;
/** The score of a match outside the ranked window: below every ts_rank (which is never negative). */
const UNRANKED = -1;

/**
 * How a clause in 'any' mode goes on after the newest blocks gave `found` matches over the ids from `below` up, when
 * `wanted` more are needed, in any order: the next entries of the walk (`rest`), or every older id at once. At the
 * density found, the walk reaches the wanted matches in so many looks and reads only those; every older id at once
 * costs one look, `wanted` reads and a listing of every match.
 */
function goOn(found: number, top: number, below: number, wanted: number, rest: BlockWalk): 'walk' | 'whole' {
  if (found === 0) return 'whole';
  const density = found / (top - below + 1);
  const lowest = below - wanted / density;
  const reached = rest.starts.findIndex((start) => start <= lowest);
  const looks = reached < 0 ? rest.blocks.length : reached + 1;
  const walk = looks * LOOK_MS + wanted * READ_MS;
  const whole = LOOK_MS + wanted * READ_MS + density * below * LISTED_MS;
  return walk < whole ? 'walk' : 'whole';
}

/** Questions a word is counted in, at most, to weigh its rarity in 'any' mode. */
const ANY_COUNT_CAP = 500;

/**
 * Questions holding some of the clauses, when none holds them all. ts_rank knows nothing of rarity, so each
 * clause is weighed here by how few questions hold it (counted up to ANY_COUNT_CAP, the newest first where the
 * words are common): a question scores the weights of the clauses it holds; ties go to the newest.
 */
async function anyCandidates(
  db: Db,
  query: ParsedQuery,
  limit: number,
  prefixed: PrefixText | undefined,
  also?: AlsoRead,
): Promise<QuestionsRead> {
  // One tsquery text a clause or synonym group: for to_tsquery, or (raw) a tsquery as it is.
  const clauses = prefixed === undefined ? query.clauses : query.clauses.slice(0, -1);
  const texts = [
    ...clauses.map((c) => clauseText(c, undefined)),
    ...(prefixed === undefined ? [] : [prefixed.text]),
    ...query.anyOf.map(groupText),
  ];
  if (texts.length === 0) return { candidates: [], capped: false, guides: { candidates: [], capped: false } };
  const raw = texts.map((_, i) => prefixed?.expanded === true && i === clauses.length);
  const clauseQuery = sql`(case when c.raw then c.q::tsquery else to_tsquery('english', c.q) end)`;
  // Ids and subjects only, so no document is read (ranking by ts_rank here read the tsvector of every match: 0.3 to
  // 1 s at a million questions). First the newest blocks for each clause but a prefix left as one (GIN gathers a
  // prefix's matches whole, in every block it is asked of), under the newest id the statement reads itself; then,
  // for the clauses that have not reached the cap, the next blocks or the rest of the table at once, whichever their
  // density there says is cheaper.
  const probed = texts.map((t) => !t.endsWith(':*'));
  const first = await sql<{ top: number; m: Columns; guides: Columns; counts: FreeTextCounts }>`${parsedOnce}
    with t as (select coalesce(max(question_id), 0) as top from search_documents)
    select t.top, ${alsoColumns(also, prefixed)}, ${asColumns(
      sql`(
      select c.i, m.id, m.subject_id
      from unnest(${texts}::text[], ${raw}::boolean[], ${probed}::boolean[]) with ordinality as c(q, raw, probed, i)
      cross join lateral (${newestMatches(clauseQuery, { blocks: HEAD_BLOCKS, rest: 0 }, ANY_COUNT_CAP)}) m
      where c.probed) x`,
      CLAUSE_COLUMNS,
    )} as m
    from t`.execute(db);
  const top = Number(first.rows[0]?.top ?? 0);
  const walk = newestBlocks(top);
  const head = sliceWalk(walk, 0, PROBE_BLOCKS);
  const rest = sliceWalk(walk, head.blocks.length);
  const below = head.starts.at(-1) ?? 0;
  const rows = clauseRows(first.rows[0]?.m ?? null);
  const found = texts.map((_, i) => rows.filter((r) => r.i === i + 1).length);
  const done = walk.blocks.length <= head.blocks.length;
  const plan = texts.map((_, i) => {
    if (!probed[i]) return 'all';
    if (done || (found[i] as number) >= ANY_COUNT_CAP) return 'none';
    return goOn(found[i] as number, top, below, ANY_COUNT_CAP - (found[i] as number), rest);
  });
  if (plan.some((p) => p !== 'none')) {
    const more = await sql<{ m: Columns }>`${parsedOnce}
      select ${asColumns(
        sql`(
        select c.i, m.id, m.subject_id
        from unnest(${texts}::text[], ${raw}::boolean[], ${plan}::text[]) with ordinality as c(q, raw, plan, i)
        cross join lateral (
          (select w.id, w.subject_id from (${newestMatches(clauseQuery, rest, ANY_COUNT_CAP)}) w
            where c.plan = 'walk')
          union all
          (select question_id as id, subject_id from search_documents
            where c.plan in ('whole', 'all') and ${SLICED_DOCUMENT} @@ ${clauseQuery}
              and question_id + 0 < case when c.plan = 'all' then ${top + 1}::int else ${below}::int end
            limit ${ANY_COUNT_CAP})
        ) m
        where c.plan <> 'none') x`,
        CLAUSE_COLUMNS,
      )} as m`.execute(db);
    rows.push(...clauseRows(more.rows[0]?.m ?? null));
  }
  // Each clause's first ANY_COUNT_CAP rows: the newest blocks' rows come first.
  const held = new Map<number, number>();
  const kept = rows.filter((r) => {
    const n = held.get(Number(r.i)) ?? 0;
    if (n >= ANY_COUNT_CAP) return false;
    held.set(Number(r.i), n + 1);
    return true;
  });
  const weight = new Map([...held].map(([i, n]) => [i, Math.log(1 + ANY_COUNT_CAP / n)]));
  const scored = new Map<number, { id: number; subjectId: number; score: number }>();
  for (const r of kept) {
    const id = Number(r.id);
    const entry = scored.get(id) ?? { id, subjectId: Number(r.subject_id), score: 0 };
    entry.score += weight.get(Number(r.i)) ?? 0;
    scored.set(id, entry);
  }
  const candidates = [...scored.values()].sort((a, b) => b.score - a.score || b.id - a.id).slice(0, limit);
  return {
    candidates,
    capped: [...held.values()].some((n) => n >= ANY_COUNT_CAP) || scored.size > limit,
    ...alsoRead(also, first.rows[0]),
  };
}

/**
 * The ids below `below` as blocks of 2^bits, newest first, `count` of them at most (the first one holding below - 1,
 * read only below `below`), then every id under the last as one entry.
 */
export function levelWalk(below: number, bits: number, count: number): BlockWalk {
  const size = 2 ** bits;
  const first = Math.floor((below - 1) / size);
  const numbers = Array.from({ length: Math.min(count, first + 1) }, (_, i) => first - i);
  const blocks = numbers.map((n) => `'id${bits} ${n}'`);
  const starts = numbers.map((n) => n * size);
  const last = starts.at(-1) ?? 0;
  return last > 0 ? { blocks: [...blocks, ''], starts: [...starts, 0], rest: last, below } : { blocks, starts, rest: 0, below };
}

/** What GIN spends a look on each id of the block asked, reading its list: about 0.5 ms for 2^16 ids. */
const BLOCK_ID_MS = 0.5 / 2 ** 16;
/** The ids a walk is planned to cover: this many times what the density found says holds the matches wanted. */
const SPAN_MARGIN = 1.5;

/**
 * How to read the `wanted` newest matches below `below` after the newest blocks gave `found` over the ids from there
 * up to `top`, a look there having taken `lookMs`: blocks of the one size (BLOCK_LEVELS) that reaches them in the
 * fewest, cheapest looks (at the density found, with SPAN_MARGIN), a look costing `lookMs` and its block's list, or
 * every older id at once, one look and a read of each match to be sorted. With no match found there is no density
 * to go by, and every older id is read.
 */
export function nextWalk(found: number, top: number, below: number, wanted: number, lookMs: number): BlockWalk {
  if (found === 0 || below <= 0) return wholeBelow(below);
  const density = found / (top - below + 1);
  const span = (SPAN_MARGIN * wanted) / density;
  let best = { walk: wholeBelow(below), ms: lookMs + density * below * READ_MS };
  for (const bits of BLOCK_LEVELS) {
    const size = 2 ** bits;
    const firstStart = Math.floor((below - 1) / size) * size;
    const looks = 1 + Math.max(0, Math.ceil((span - (below - firstStart)) / size));
    const ms = looks * (lookMs + size * BLOCK_ID_MS) + wanted * READ_MS;
    if (ms < best.ms) best = { walk: levelWalk(below, bits, looks + 1), ms };
  }
  return best.walk;
}

/** A block of search_word_blocks read holds at most this many times the matches still wanted (at the density found). */
const WORD_BLOCK_SPARE = 2;
/**
 * ...and the ids below hold more than this share of the matches wanted (at the density found, a rough estimate where
 * the newest ids held one or two): far fewer are all read, at once, in one look.
 */
const WORD_BLOCK_FROM = 0.5;

/**
 * Whether the `wanted` newest matches below `below` are read from search_word_blocks, after the newest blocks gave
 * `found` over the ids from there up to `top`: when the matches are sparse enough that a block holds not much more
 * than those wanted, and the ids below may hold about as many. A look costs GIN the block's matches of the
 * query's words, whatever their number in the whole table. Denser matches are read from small id blocks, and a
 * few from all the older ids at once (nextWalk).
 */
export function byWordBlocks(found: number, top: number, below: number, wanted: number): boolean {
  const density = found / (top - below + 1);
  return found > 0 && density * 2 ** WORD_BLOCK_BITS <= WORD_BLOCK_SPARE * wanted && density * below > WORD_BLOCK_FROM * wanted;
}

/**
 * The newest `limit` questions matching every clause, the newest `rankedMatches` of them ranked with ts_rank as they
 * are read. The newest PROBE_BLOCKS blocks first; when they hold fewer than `limit` matches, the blocks of
 * search_word_blocks below them where the query is words alone and the matches sparse (byWordBlocks), else blocks of
 * ids of one size or every older id at once, as the density found there and the time the look took say is cheaper
 * (nextWalk). A look at a block of ids costs GIN every match of the query's rarest word in the whole table (1.7 ms
 * for a word in most questions beside the block's lexeme, 10 ms for two words in a tenth of the questions each), and
 * a prefix left as one (`:*`) is gathered whole in each look; a look at a word block, that block's matches only.
 */
async function allCandidates(
  db: Db,
  query: ParsedQuery,
  limit: number,
  prefixed: Prefix | undefined,
  rankedMatches: number,
  also?: AlsoRead,
): Promise<QuestionsRead> {
  const tsq = tsquery(query, 'all', prefixed);
  const lookedUp = prefixed !== undefined && 'word' in prefixed ? prefixed.word : undefined;
  const started = performance.now();
  // Words alone (no phrase, prefix or synonym group) may be asked of search_word_blocks: their lexemes, read with
  // the newest blocks, when the tsquery is nothing but those lexemes ANDed (a word the parser splits is a phrase).
  const plain = prefixed === undefined && query.anyOf.length === 0 && query.clauses.every((c) => c.length === 1);
  const words = websearchText(query.clauses, 'all');
  const lexemes = plain
    ? sql<string[] | null>`case when websearch_to_tsquery('english', ${words})::text !~ '[<|!]'
        then tsvector_to_array(to_tsvector('english', ${words})) end`
    : sql<null>`null::text[]`;
  // The newest blocks, under the newest id the statement reads itself (a round trip less than asking for it first);
  // when they hold no match, every id below them at once, as nextWalk would choose (another round trip less: a
  // query that matches nothing, tried as typed before its corrected spelling, ends here). One row: the newest id,
  // the lexemes, and the matches of each (candidateArrays).
  const first = await sql<{
    top: number;
    lexemes: string[] | null;
    matches: Columns;
    whole: boolean | null;
    guides: Columns;
    prefix: string | null;
    counts: FreeTextCounts;
  }>`${parsedOnce}
    with ${lookedUp === undefined ? sql`` : sql`${LOOKED_UP_PREFIX} as materialized (select ${expandedPrefix(lookedUp)} as expanded),`}
    t as (select coalesce(max(question_id), 0) as top, ${lexemes} as lexemes from search_documents),
    h as materialized (
      select t.top, h.id, h.subject_id, h.score
      from t left join lateral (${newestMatches(tsq, { blocks: HEAD_BLOCKS, rest: 0 }, limit, rankedMatches)}) h on true
    )
    select max(x.top) as top, (json_agg(x.lexemes) filter (where x.lexemes is not null)) -> 0 as lexemes,
      json_build_array(array_agg(x.id) filter (where x.id is not null), array_agg(x.subject_id) filter (where x.id is not null),
        array_agg(x.score) filter (where x.id is not null)) as matches,
      bool_or(x.whole) filter (where x.id is not null) as whole,
      ${alsoColumns(also, prefixed)},
      ${lookedUp === undefined ? sql`null` : sql`(select expanded from ${LOOKED_UP_PREFIX})`} as prefix
    from (
      select h.*, false as whole, null::text[] as lexemes from h
      union all
      select t.top, w.id, w.subject_id, w.score, true, null
      from t cross join lateral (${newestMatches(tsq, { blocks: [''], rest: HEAD_BELOW }, limit, rankedMatches)}) w
      where ${HEAD_BELOW} > 0 and not exists (select 1 from h where h.id is not null)
      union all
      select t.top, null, null, null, false, t.lexemes from t where t.lexemes is not null
    ) x`.execute(db);
  const top = Number(first.rows[0]?.top ?? 0);
  const found = fromArrays(first.rows[0]?.matches ?? null);
  const resolved = lookedUp === undefined ? undefined : prefixTextOf(lookedUp, first.rows[0]?.prefix ?? null);
  const extra = { ...alsoRead(also, first.rows[0]), ...(resolved ? { prefix: resolved } : {}) };
  // No match in the newest blocks: what is below them was read already.
  if (first.rows[0]?.whole !== false) return { ...candidateSet(first.rows[0]?.matches ?? null, limit), ...extra };
  let candidates = found;
  const head = sliceWalk(newestBlocks(top), 0, PROBE_BLOCKS);
  const below = head.starts.at(-1) ?? 0;
  if (candidates.length < limit && below > 0) {
    // What the newest blocks' looks took, less the ranking of their matches, is what a look will take.
    const lookMs = Math.max(
      LOOK_MS,
      (performance.now() - started - Math.min(candidates.length, rankedMatches) * RANK_MS) / head.blocks.length,
    );
    const queryLexemes = first.rows[0]?.lexemes ?? null;
    const wanted = limit - candidates.length;
    const rest =
      (queryLexemes !== null && byWordBlocks(candidates.length, top, below, wanted) ? wordBlockWalk(queryLexemes, below) : null) ??
      nextWalk(candidates.length, top, below, wanted, lookMs);
    const ranked = Math.max(0, rankedMatches - candidates.length);
    // The word typed last as the first statement looked it up, rather than looked up again in each look.
    const moreTsq = resolved === undefined ? tsq : tsquery(query, 'all', resolved);
    const more = await sql<{
      c: Columns;
    }>`${parsedOnce} select ${candidateArrays(sql`(${newestMatches(moreTsq, rest, wanted, ranked)}) r`)} as c`.execute(db);
    candidates = [...candidates, ...fromArrays(more.rows[0]?.c ?? null)];
  }
  return { candidates, capped: candidates.length === limit, ...extra };
}

export function postgresSearchIndex(db: Db, options: { rankedMatches?: number } = {}): SearchIndex {
  // Tests lower the window to see what follows it on a small database.
  const rankedMatches = options.rankedMatches ?? RANKED_MATCHES;
  const common = commonLexemesOf(db);
  // The service may try a query's words again as 'any' of them after trying them all: the word typed last is looked
  // up once for all (kept with the query's clauses, which those tries share), by the first statement that uses it
  // where it can be (every word: allCandidates' first statement), else on its own (prefixText).
  const prefixes = new WeakMap<ParsedQuery['clauses'], Promise<PrefixText>>();
  const prefixOf = (query: ParsedQuery): Promise<PrefixText | undefined> => {
    const word = prefixWord(query);
    if (word === undefined) return Promise.resolve(undefined);
    let found = prefixes.get(query.clauses);
    if (found === undefined) {
      found = prefixText(db, word);
      prefixes.set(query.clauses, found);
    }
    return found;
  };
  /**
   * freeTextCounts as one SQL value (a JSON object of word to count, FreeTextCounts), to be read alone or in a
   * statement of matches; null when no word is usable.
   * Only spellings whose lexemes the vocabulary lists are counted: "did you mean" asks hundreds of spellings, nearly
   * all of them no word, and one indexed lookup each is cheaper than one GIN probe each (60-110 ms a query at a
   * million questions). A word ANALYZE lists among the free text's most common lexemes is in more questions than any
   * cap asked for here and is not counted (the cap stands for its count): a GIN index gathers every match before the
   * LIMIT applies (10 ms and more for a word in most questions). The list is the one kept in this process
   * (commonLexemesOf), passed along, so the lookup and the counts are one statement.
   */
  const freeTextCountsSql = async (words: readonly string[], cap: number): Promise<RawBuilder<FreeTextCounts> | null> => {
    // Letters and digits only, so each word is valid tsquery syntax on its own.
    const usable = words.filter((w) => /^[\p{L}\p{N}]+$/u.test(w));
    if (usable.length === 0) return null;
    const frequent = await common('free_text');
    // search_free_text_count (migrations/20261205T1300_search_free_text_count.ts) keeps the count on the GIN index.
    return sql<FreeTextCounts>`(select json_object_agg(c.word, c.n) from (
        select w as word,
          case when cardinality(lexemes) > 0 and lexemes <@ ${[...frequent.keys()]}::text[] then ${cap}::int
            else search_free_text_count(w, ${cap}) end as n
        from (select w, tsvector_to_array(to_tsvector('english', w)) as lexemes from unnest(${usable}::text[]) as w) words
        where exists (select 1 from search_vocabulary v where v.lexeme = any(words.lexemes))
      ) c)`;
  };
  const freeTextCounts = async (words: readonly string[], cap: number): Promise<Map<string, number>> => {
    const counts = await freeTextCountsSql(words, cap);
    if (counts === null) return new Map();
    const { rows } = await sql<{ counts: FreeTextCounts }>`${parsedOnce} select ${counts} as counts`.execute(db);
    return countsMap(rows[0]?.counts ?? null);
  };
  /** Questions matching the query (candidates), with its guides when asked (matches). */
  const questionsOf = async (parsed: ParsedQuery, limit: number, mode: MatchMode, also?: AlsoRead): Promise<QuestionsRead> => {
    if (isEmptyQuery(parsed)) return { candidates: [], capped: false };
    const word = prefixWord(parsed);
    if (mode === 'any') return anyCandidates(db, parsed, limit, await prefixOf(parsed), also);
    if (word === undefined) {
      return allCandidates(db, await boundCommonWords(db, parsed, common), limit, undefined, rankedMatches, also);
    }
    // The word typed last stays last (tsquery takes it from there); the others are bounded.
    const bounded = await boundCommonWords(db, { ...parsed, clauses: parsed.clauses.slice(0, -1) }, common);
    const clauses = [...bounded.clauses, ...parsed.clauses.slice(-1)];
    const known = prefixes.get(parsed.clauses);
    const { prefix, ...found } = await allCandidates(
      db,
      { ...bounded, clauses },
      limit,
      known ? await known : { word },
      rankedMatches,
      also,
    );
    if (prefix && !known) prefixes.set(parsed.clauses, Promise.resolve(prefix));
    return found;
  };
  return {
    candidates: async (parsed: ParsedQuery, limit: number, mode: MatchMode = 'all'): Promise<CandidateSet> =>
      questionsOf(parsed, limit, mode),

    async guideCandidates(query: ParsedQuery, limit: number, mode: MatchMode = 'all'): Promise<CandidateSet> {
      if (isEmptyQuery(query)) return { candidates: [], capped: false };
      const { rows } = await sql<{
        g: Columns;
      }>`${parsedOnce} select ${guideMatches(tsquery(query, mode, await prefixOf(query)), limit)} as g`.execute(db);
      return candidateSet(rows[0]?.g ?? null, limit);
    },

    async matches(query: ParsedQuery, limit: number, mode: MatchMode = 'all', known: readonly string[] = []) {
      const empty = { candidates: [], capped: false };
      if (isEmptyQuery(query)) return { questions: empty, guides: empty, known: await freeTextCounts(known, 1) };
      // The guides, and the counts asked, are read in the questions' first statement: a round trip less each.
      const counts = await freeTextCountsSql(known, 1);
      const also = { tsq: (prefixed: Prefix | undefined) => tsquery(query, mode, prefixed), limit, counts };
      const found = await questionsOf(query, limit, mode, also);
      return {
        questions: { candidates: found.candidates, capped: found.capped },
        guides: found.guides ?? empty,
        known: countsMap(found.counts ?? null),
      };
    },

    freeTextCounts,

    async rebuild(options = {}) {
      const indexed = await db.transaction().execute(async (trx) => {
        // delete, not truncate: truncate would lock searches out until the rebuild commits.
        await sql`delete from search_documents`.execute(trx);
        // search_refresh lists the free text's lexemes again; words of questions gone since drop out here.
        await sql`delete from search_vocabulary`.execute(trx);
        const { max } = await trx
          .selectFrom('questions')
          .select((eb) => eb.fn.max('id').as('max'))
          .executeTakeFirstOrThrow();
        const count = await inBatches(Number(max ?? 0), options, async (low, high) => {
          // search_refresh() (migrations/20261205T1100_search_id_slices.ts) is the one definition of a question's row.
          await sql`select search_refresh(id) from questions where id > ${low} and id <= ${high}`.execute(trx);
          const r = await sql<{ n: string }>`select count(*) as n from search_documents
            where question_id > ${low} and question_id <= ${high}`.execute(trx);
          return Number(r.rows[0]?.n ?? 0);
        });
        await sql`delete from guide_search`.execute(trx);
        await sql`select guide_search_refresh(id) from guides`.execute(trx);
        return count;
      });
      await sql`analyze search_documents`.execute(db);
      return indexed;
    },
  };
}
