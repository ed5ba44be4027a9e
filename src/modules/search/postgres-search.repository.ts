import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Database } from '../../db/database.ts';
import { isEmptyQuery, type ParsedQuery, prefixWord, STOP_WORDS } from './query.ts';
import { type CandidateSet, inBatches, type MatchMode, type SearchIndex } from './search-index.ts';

// The PostgreSQL adapter: search_documents (per published question, `document`: title weight A, details, quick
// answer and expert answer B; `free_text`: title, details and quick answer), each with a GIN index, kept in step
// by the triggers of migrations/20261126T2200_search.ts.
//
// The query goes to websearch_to_tsquery, which accepts any text; it gets the words and quoted phrases of
// query.ts rather than the raw input, so both engines read a query the same way. The newest CANDIDATE_LIMIT
// matches are ranked with ts_rank, as on SQLite, found block by block of ids from the newest (allCandidates): the
// GIN index is on `document || search_id_slices(question_id)` (migrations/20261205T1100_search_id_slices.ts), which
// adds a lexeme per block a question's id falls in, so the index answers one block's matches for about the block's
// size, whatever the words.

type Db = Kysely<Database>;

/** ts_rank weights for D, C, B, A: a title match counts 2.5 times one in the rest. */
const WEIGHTS = '{0.1, 0.2, 0.4, 1.0}';

/** The text for websearch_to_tsquery: words, and phrases in double quotes (words hold no quote, see query.ts). */
function websearchText(clauses: readonly (readonly string[])[], mode: MatchMode): string {
  return clauses.map((c) => (c.length === 1 ? (c[0] as string) : `"${c.join(' ')}"`)).join(mode === 'any' ? ' or ' : ' ');
}

/**
 * The tsquery of a query: websearch_to_tsquery over its clauses, and with prefixLast the last word as a prefix
 * (to_tsquery's `:*`, which websearch syntax lacks), joined with & (every clause) or | (any).
 */
function tsquery(query: ParsedQuery, mode: MatchMode) {
  const prefix = prefixWord(query);
  const rest = prefix === undefined ? query.clauses : query.clauses.slice(0, -1);
  const prefixed = prefix === undefined ? undefined : sql`to_tsquery('english', ${clauseText([prefix], prefix)})`;
  const words = rest.length > 0 ? sql`websearch_to_tsquery('english', ${websearchText(rest, mode)})` : undefined;
  const groups = query.anyOf.map((alternatives) => sql`to_tsquery('english', ${groupText(alternatives)})`);
  const parts = [words, prefixed, ...groups].filter((p) => p !== undefined);
  if (parts.length === 0) return sql`websearch_to_tsquery('english', '')`;
  return sql`(${sql.join(parts, mode === 'any' ? sql` || ` : sql` && `)})`;
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
async function boundCommonWords(db: Db, query: ParsedQuery): Promise<ParsedQuery> {
  const hasPhrase = query.clauses.some((c) => c.length > 1);
  if (!hasPhrase && query.clauses.length <= MAX_COMMON_CLAUSES) return query;
  const words = [...new Set(query.clauses.flat())];
  const { rows } = await sql<{ word: string; rare: boolean }>`
    with frequent as (
      select array_agg(u.lexeme) as lexemes
      from pg_stats p, unnest(p.most_common_elems::text::text[], p.most_common_elem_freqs) as u(lexeme, freq)
      where p.schemaname = current_schema() and p.tablename = 'search_documents' and p.attname = 'document'
        and u.lexeme is not null and u.freq >= ${COMMON_SHARE}
    )
    select w as word,
      cardinality(tsvector_to_array(to_tsvector('english', w))) > 0
        and not (tsvector_to_array(to_tsvector('english', w)) && coalesce((select lexemes from frequent), '{}')) as rare
    from unnest(${words}::text[]) as w`.execute(db);
  const rare = new Set(rows.filter((r) => r.rare).map((r) => r.word));
  const isCommon = (c: readonly string[]) => !c.some((w) => rare.has(w));
  const relaxed = query.clauses.flatMap((c) => (c.length > 1 && isCommon(c) ? c.filter((w) => !STOP_WORDS.has(w)).map((w) => [w]) : [c]));
  const unique = [...new Map(relaxed.map((c) => [c.join(' '), c] as const)).values()];
  const clauses = [...unique.filter((c) => !isCommon(c)), ...unique.filter(isCommon).slice(0, MAX_COMMON_CLAUSES)];
  return { ...query, clauses };
}

/** An adapter's answer from rows of (id, subject_id, score): capped when the LIMIT cut it. */
function candidateSet(rows: ReadonlyArray<{ id: number; subject_id: number; score: number }>, limit: number): CandidateSet {
  return {
    candidates: rows.map((r) => ({ id: Number(r.id), subjectId: Number(r.subject_id), score: Number(r.score) })),
    capped: rows.length === limit,
  };
}

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
  /** The ids the '' entry covers: those below this. */
  rest: number;
}

/**
 * The ids 1..top as aligned blocks from the newest: blocks of 2^10 ids until the next one starts a block of 2^13
 * (and at least MIN_BLOCKS_PER_LEVEL were taken), then of 2^13, and so on; past MAX_TOP_LEVEL_BLOCKS of the largest,
 * everything older as one entry. A common word's newest 1,000 matches lie in the first blocks; a rarer word reads
 * more, larger blocks, each for about its size; a rare one reaches the rest, which costs what its few matches cost.
 */
export function newestBlocks(top: number): BlockWalk {
  const blocks: string[] = [];
  let end = top + 1;
  let level = 0;
  let taken = 0;
  while (end > 0) {
    const bits = BLOCK_LEVELS[level] as number;
    if (level === BLOCK_LEVELS.length - 1 && taken >= MAX_TOP_LEVEL_BLOCKS) return { blocks: [...blocks, ''], rest: end };
    const block = Math.floor((end - 1) / 2 ** bits);
    blocks.push(`'id${bits} ${block}'`);
    end = block * 2 ** bits;
    taken++;
    const next = BLOCK_LEVELS[level + 1];
    if (next !== undefined && taken >= MIN_BLOCKS_PER_LEVEL && end % 2 ** next === 0) {
      level++;
      taken = 0;
    }
  }
  return { blocks, rest: 0 };
}

async function blockWalk(db: Db): Promise<BlockWalk> {
  const { rows } = await sql<{ top: number | null }>`select max(question_id) as top from search_documents`.execute(db);
  return newestBlocks(Number(rows[0]?.top ?? 0));
}

/**
 * The newest `limit` questions matching `query`, block by block (see newestBlocks): one lateral scan a block, in
 * order, under one LIMIT, so a block is read only while rows are still wanted. In a block the matches come from the
 * GIN index (the words AND the block's lexeme) and are sorted there; nothing is ordered by walking the primary key,
 * which PostgreSQL chose at times and which read (detoasted) every document it passed.
 */
function newestMatches(query: RawBuilder<unknown>, walk: BlockWalk, limit: number, columns: RawBuilder<unknown>) {
  return sql`select m.* from unnest(${walk.blocks}::text[]) with ordinality as b(block, i)
    cross join lateral (
      select ${columns} from search_documents
      where ${SLICED_DOCUMENT} @@ (case when b.block = '' then ${query} else ${query} && b.block::tsquery end)
        and (b.block <> '' or question_id < ${walk.rest})
      order by question_id desc limit ${limit}
    ) m
    limit ${limit}`;
}

/** Questions a word is counted in, at most, to weigh its rarity in 'any' mode. */
const ANY_COUNT_CAP = 2000;

/**
 * Questions holding some of the clauses, when none holds them all. ts_rank knows nothing of rarity, so each
 * clause is weighed here by how few questions hold it (the newest ANY_COUNT_CAP at most, block by block): a question
 * scores the weights of the clauses it holds; ties go to the newest. A common clause contributes its newest matches.
 */
async function anyCandidates(db: Db, query: ParsedQuery, limit: number): Promise<CandidateSet> {
  // One to_tsquery text a clause or synonym group.
  const prefix = prefixWord(query);
  const texts = [...query.clauses.map((c) => clauseText(c, prefix)), ...query.anyOf.map(groupText)];
  const walk = await blockWalk(db);
  // A prefix (:*) is gathered whole from every word it starts, once a block: it is asked of the whole table once.
  const whole: BlockWalk = { blocks: [''], rest: 2 ** 31 - 1 };
  // Ids and subjects only, so no document is read (ranking by ts_rank here read the tsvector of every match: 0.3 to
  // 1 s at a million questions).
  const parts = texts.map(
    (text, i) =>
      sql`select ${i + 1} as i, question_id as id, subject_id from (${newestMatches(
        sql`to_tsquery('english', ${text})`,
        text.endsWith(':*') ? whole : walk,
        ANY_COUNT_CAP,
        sql`question_id, subject_id`,
      )}) c${sql.raw(String(i))}`,
  );
  if (parts.length === 0) return { candidates: [], capped: false };
  const { rows } = await sql<{ i: number; id: number; subject_id: number }>`${sql.join(parts, sql` union all `)}`.execute(db);
  const held = new Map<number, number>();
  for (const r of rows) held.set(Number(r.i), (held.get(Number(r.i)) ?? 0) + 1);
  const weight = new Map([...held].map(([i, n]) => [i, Math.log(1 + ANY_COUNT_CAP / n)]));
  const scored = new Map<number, { id: number; subjectId: number; score: number }>();
  for (const r of rows) {
    const id = Number(r.id);
    const entry = scored.get(id) ?? { id, subjectId: Number(r.subject_id), score: 0 };
    entry.score += weight.get(Number(r.i)) ?? 0;
    scored.set(id, entry);
  }
  const candidates = [...scored.values()].sort((a, b) => b.score - a.score || b.id - a.id).slice(0, limit);
  return { candidates, capped: [...held.values()].some((n) => n >= ANY_COUNT_CAP) || scored.size > limit };
}

/**
 * The newest `limit` questions matching every clause, ranked with ts_rank (newestMatches). A query with a prefix
 * (`:*`) is matched over the whole table at once: GIN gathers a prefix's matches whole, so each block would pay
 * for all of them again.
 */
async function allCandidates(db: Db, query: ParsedQuery, limit: number): Promise<CandidateSet> {
  const walk: BlockWalk = prefixWord(query) !== undefined ? { blocks: [''], rest: 2 ** 31 - 1 } : await blockWalk(db);
  const { rows } = await sql<{ id: number; subject_id: number; score: number }>`
    select d.question_id as id, d.subject_id, ts_rank(${WEIGHTS}::float4[], d.document, q.query, 1) as score
    from (select ${tsquery(query, 'all')} as query) q
    cross join lateral (${newestMatches(sql`q.query`, walk, limit, sql`question_id, subject_id, document`)}) d`.execute(db);
  return candidateSet(rows, limit);
}

export function postgresSearchIndex(db: Db): SearchIndex {
  return {
    async candidates(parsed: ParsedQuery, limit: number, mode: MatchMode = 'all'): Promise<CandidateSet> {
      if (isEmptyQuery(parsed)) return { candidates: [], capped: false };
      if (mode === 'any') return anyCandidates(db, parsed, limit);
      return allCandidates(db, await boundCommonWords(db, parsed), limit);
    },

    async guideCandidates(query: ParsedQuery, limit: number, mode: MatchMode = 'all'): Promise<CandidateSet> {
      if (isEmptyQuery(query)) return { candidates: [], capped: false };
      // Guides are few: every match is ranked.
      const { rows } = await sql<{ id: number; subject_id: number; score: number }>`
        select gs.guide_id as id, gs.subject_id, ts_rank(${WEIGHTS}::float4[], gs.document, q.query, 1) as score
        from (select ${tsquery(query, mode)} as query) q
        join guide_search gs on gs.document @@ q.query
        order by score desc, gs.guide_id desc limit ${limit}`.execute(db);
      return candidateSet(rows, limit);
    },

    async freeTextCounts(words, cap) {
      // Letters and digits only, so each word is valid tsquery syntax on its own.
      const usable = words.filter((w) => /^[\p{L}\p{N}]+$/u.test(w));
      if (usable.length === 0) return new Map();
      // Only spellings whose lexemes the vocabulary lists are counted: "did you mean" asks hundreds of spellings,
      // nearly all of them no word, and one indexed lookup each is cheaper than one GIN probe each (60-110 ms).
      const { rows } = await sql<{ word: string; n: string }>`
        select w as word, (
          select count(*) from (
            select 1 from search_documents where free_text @@ to_tsquery('english', w) limit ${cap}
          ) x
        ) as n
        from unnest(${usable}::text[]) as w
        where exists (
          select 1 from search_vocabulary v where v.lexeme = any(tsvector_to_array(to_tsvector('english', w)))
        )`.execute(db);
      return new Map(rows.filter((r) => Number(r.n) > 0).map((r) => [r.word, Number(r.n)]));
    },

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
