import { type Kysely, type RawBuilder, sql } from 'kysely';
import { compileOnce } from '../../db/compiled.ts';
import type { Database } from '../../db/database.ts';
import { isEmptyQuery, type ParsedQuery, prefixWord, STOP_WORDS } from './query.ts';
import { type Candidate, type CandidateSet, inBatches, type MatchMode, type SearchIndex } from './search-index.ts';

// The SQLite adapter: the FTS5 tables search_fts (title, body = details + quick answer, answer) and search_titles
// (title), made and kept in step by triggers in migrations/20261126T2200_search.ts; their rowid is the question id.
//
// Why the plan below, and not "ORDER BY bm25 LIMIT 20": FTS5's bm25() first counts, for each word of the query,
// every question that has it (for the inverse document frequency), and then scores every match. Over a million
// questions a word found in most of them costs ~40 ms for the count alone and several hundred for the scoring, and
// a query pays that for each common word it holds, however few questions match in the end. What is cheap is
// walking the matches newest first and stopping early. So:
//
// 1. Count, for each word, the questions that have it, stopping at RANK_TERM_LIMIT.
// 2. Words (or phrases) under that limit are selective: bm25 ranks the newest CANDIDATE_LIMIT questions they
//    match, title weighted above the rest. The common words of the query still filter (the newest matches of the
//    whole query are taken as they come) but do not rank: their weight in bm25 would be small anyway (their
//    inverse document frequency is low). Matches older than the ranked window follow, newest first.
// 3. When every word is common, the newest matches of the whole query are taken, and the questions with every
//    word in the title, ranked by bm25 over the small titles-only index, come first.
//
// Below RANK_TERM_LIMIT questions a word (every query on a small site) the ranking is plain bm25 over all matches.
// docs/benchmarks.md has the figures.

type Db = Kysely<Database>;

/** A word or phrase in more questions than this filters but does not rank (see above). */
export const RANK_TERM_LIMIT = 20_000;
/** When every word is common: how many title matches are ranked ahead of the rest. */
const TITLE_LIMIT = 200;
const TITLE_FIRST = 1_000_000;
const UNRANKED = -1;
/** Words counted per query (each count walks up to RANK_TERM_LIMIT index entries, ~1 ms for a common word). */
const MAX_COUNTED_WORDS = 12;
/** Common words (or phrases of them) a query matches at most; see candidates(). */
const MAX_COMMON_CLAUSES = 5;

/** bm25 weights of the columns title, body (details and quick answer) and answer. */
const WEIGHTS = '10.0, 2.0, 1.0';

/** Lets compileOnce keep a raw SELECT: it compiles against this database. */
function keep<R>(db: Db, query: RawBuilder<R>) {
  return { compile: () => query.compile(db) };
}

// Each entry is an FTS5 expression for one word: the word quoted, or quoted and followed by * (a prefix).
const wordCounts = compileOnce((db: Db, expressions: string, cap: number) =>
  keep(
    db,
    sql<{ word: string; n: number }>`select j.value as word,
      (select count(*) from (select 1 from search_fts where search_fts match j.value limit ${cap})) as n
      from json_each(${expressions}) as j`,
  ),
);

const rankedNewest = compileOnce((db: Db, match: string, limit: number) =>
  keep(
    db,
    sql<{ id: number; rank: number }>`select rowid as id, bm25(search_fts, ${sql.raw(WEIGHTS)}) as rank
      from search_fts where search_fts match ${match} order by rowid desc limit ${limit}`,
  ),
);

const newest = compileOnce((db: Db, match: string, limit: number) =>
  keep(db, sql<{ id: number }>`select rowid as id from search_fts where search_fts match ${match} order by rowid desc limit ${limit}`),
);

const titlesRanked = compileOnce((db: Db, match: string, limit: number) =>
  keep(
    db,
    sql<{ id: number; rank: number }>`select rowid as id, bm25(search_titles) as rank
      from search_titles where search_titles match ${match} order by rowid desc limit ${limit}`,
  ),
);

const subjectsOf = compileOnce((db: Db, ids: string) =>
  keep(
    db,
    sql<{ id: number; subjectId: number }>`select q.id as id, q.subject_id as subjectId
      from json_each(${ids}) as j join questions q on q.id = j.value where q.status = 'published'`,
  ),
);

/** bm25 weights of a guide's title, free text and members-only text. */
const GUIDE_WEIGHTS = '10.0, 2.0, 1.0';

const guidesRanked = compileOnce((db: Db, match: string, limit: number) =>
  keep(
    db,
    sql<{ id: number; subjectId: number; rank: number }>`select f.rowid as id, g.subject_id as subjectId,
      bm25(guide_fts, ${sql.raw(GUIDE_WEIGHTS)}) as rank
      from guide_fts f join guides g on g.id = f.rowid
      where guide_fts match ${match} and g.status = 'published' order by rank limit ${limit}`,
  ),
);

// Only the free columns: a suggestion must never spell out a word that appears only in an expert answer.
const freeCounts = compileOnce((db: Db, words: string, cap: number) =>
  keep(
    db,
    sql<{ word: string; n: number }>`select j.value as word,
      (select count(*) from (select 1 from search_fts where search_fts match '{title body} : "' || j.value || '"' limit ${cap})) as n
      from json_each(${words}) as j`,
  ),
);

/** An FTS5 phrase. query.ts keeps only letters, digits and marks in a word, so a quote cannot appear; the
 * replace is a second lock on that door. */
function phrase(clause: readonly string[]): string {
  return `"${clause.map((w) => w.replaceAll('"', '')).join(' ')}"`;
}

/** A clause as FTS5 matches it: a phrase, or for the word typed last, the word or any word it starts. */
function clauseMatch(clause: readonly string[], prefix: string | undefined): string {
  return prefix !== undefined && clause.length === 1 && clause[0] === prefix ? `${phrase(clause)}*` : phrase(clause);
}

/** A synonym group: any of its phrases. */
function groupMatch(alternatives: readonly (readonly string[])[]): string {
  return `(${alternatives.map(phrase).join(' OR ')})`;
}

/** Clauses and synonym groups joined: every one of them (AND) or any (OR). */
function matchOf(
  clauses: readonly (readonly string[])[],
  groups: readonly (readonly (readonly string[])[])[],
  prefix: string | undefined,
  op: 'AND' | 'OR',
): string {
  return [...clauses.map((c) => clauseMatch(c, prefix)), ...groups.map(groupMatch)].join(` ${op} `);
}

export function sqliteSearchIndex(db: Db, options: { rankTermLimit?: number } = {}): SearchIndex {
  // Tests lower the limit to take the common-word paths on a small database.
  const rankTermLimit = options.rankTermLimit ?? RANK_TERM_LIMIT;

  async function withSubjects(ids: readonly number[], scores: ReadonlyMap<number, number>, capped: boolean): Promise<CandidateSet> {
    if (ids.length === 0) return { candidates: [], capped: false };
    const subjects = new Map((await subjectsOf(db, JSON.stringify(ids))).map((r) => [r.id, r.subjectId]));
    const candidates: Candidate[] = [];
    for (const id of ids) {
      const subjectId = subjects.get(id);
      // Matches outside the ranked window come after the ranked ones (the service sorts by score, then newest).
      if (subjectId !== undefined) candidates.push({ id, subjectId, score: scores.get(id) ?? UNRANKED });
    }
    return { candidates, capped };
  }

  /**
   * Questions holding some of the words, when none holds them all: bm25 over an OR of the words that match
   * something, which scores a question by how many of them it holds and how rare each is. Common words take part
   * only when there is no rarer one, so the ranked window (the newest `limit` matches) is not theirs alone.
   */
  async function anyCandidates(query: ParsedQuery, counts: ReadonlyMap<string, number>, prefix: string | undefined, limit: number) {
    const found = query.clauses.filter((c) => c.length > 1 || (counts.get(c[0] as string) ?? 0) > 0);
    if (found.length === 0 && query.anyOf.length === 0) return { candidates: [], capped: false };
    const rare = found.filter((c) => c.length > 1 || (counts.get(c[0] as string) ?? 0) < rankTermLimit);
    const rows = await rankedNewest(db, matchOf(rare.length > 0 ? rare : found, query.anyOf, prefix, 'OR'), limit);
    return withSubjects(
      rows.map((r) => r.id),
      new Map(rows.map((r) => [r.id, -r.rank])),
      rows.length === limit,
    );
  }

  const index: SearchIndex = {
    async candidates(query: ParsedQuery, limit: number, mode: MatchMode = 'all'): Promise<CandidateSet> {
      if (isEmptyQuery(query)) return { candidates: [], capped: false };
      const prefix = prefixWord(query);
      // query.ts keeps letters, digits and marks only; the filter keeps a quote out of the MATCH text regardless.
      const words = [...new Set(query.clauses.flat())].filter((w) => !w.includes('"')).slice(0, MAX_COUNTED_WORDS);
      const expressions = words.map((w) => clauseMatch([w], prefix));
      const counted = await wordCounts(db, JSON.stringify(expressions), rankTermLimit);
      const counts = new Map(counted.map((r) => [words[expressions.indexOf(r.word)] as string, Number(r.n)]));
      if (mode === 'any') return anyCandidates(query, counts, prefix, limit);
      // Every word must match, so one that matches nothing ends the search here.
      if (words.some((w) => !counts.get(w))) return { candidates: [], capped: false };
      // A synonym group counts as one clause: its matches (any of its phrases) are counted like a word's.
      const groupMatches = query.anyOf.map(groupMatch);
      const groupCounts =
        groupMatches.length === 0 ? [] : (await wordCounts(db, JSON.stringify(groupMatches), rankTermLimit)).map((r) => Number(r.n));
      if (groupCounts.some((n) => n === 0)) return { candidates: [], capped: false };
      // Words past the counted ones are taken as common: it only means they filter without ranking.
      const common = (w: string) => (counts.get(w) ?? rankTermLimit) >= rankTermLimit;
      // A phrase of common words only is matched as its words, in any order: to check their positions FTS5 reads
      // them in every question that has them all (most questions), 25 to 150 ms a query at a million.
      const relaxed = [
        ...new Map(
          query.clauses
            .flatMap((c) => (c.length > 1 && c.every(common) ? c.filter((w) => !STOP_WORDS.has(w)).map((w) => [w]) : [c]))
            .map((c) => [c.join(' '), c] as const),
        ).values(),
      ];
      // A phrase is selective when one of its words is (it cannot match more questions than its rarest word).
      const units = [
        ...relaxed.map((c) => ({ match: clauseMatch(c, prefix), common: c.every(common) })),
        ...groupMatches.map((match, i) => ({ match, common: (groupCounts[i] ?? 0) >= rankTermLimit })),
      ];
      const selective = units.filter((u) => !u.common);
      // Each common word makes the walk through the matches longer (all of them are in most questions) while
      // hardly narrowing it: past MAX_COMMON_CLAUSES they are left out.
      const kept = [...selective, ...units.filter((u) => u.common).slice(0, MAX_COMMON_CLAUSES)];
      const full = kept.map((u) => u.match).join(' AND ');

      const scores = new Map<number, number>();
      let ids: number[];
      let capped: boolean;
      if (selective.length === kept.length) {
        const rows = await rankedNewest(db, full, limit);
        for (const r of rows) scores.set(r.id, -r.rank);
        ids = rows.map((r) => r.id);
        capped = rows.length === limit;
      } else if (selective.length > 0) {
        const rare = selective.map((u) => u.match).join(' AND ');
        const [ranked, matching] = [await rankedNewest(db, rare, limit), await newest(db, full, limit)];
        for (const r of ranked) scores.set(r.id, -r.rank);
        ids = matching.map((r) => r.id);
        capped = matching.length === limit;
      } else {
        const [inTitle, matching] = [await titlesRanked(db, full, TITLE_LIMIT), await newest(db, full, limit)];
        // Above every other match: offset by more than any bm25 score.
        for (const r of inTitle) scores.set(r.id, TITLE_FIRST - r.rank);
        ids = [...new Set([...inTitle.map((r) => r.id), ...matching.map((r) => r.id)])];
        capped = matching.length === limit;
      }
      return withSubjects(ids, scores, capped);
    },

    async guideCandidates(query: ParsedQuery, limit: number, mode: MatchMode = 'all'): Promise<CandidateSet> {
      if (isEmptyQuery(query)) return { candidates: [], capped: false };
      // Guides are few: every match is ranked.
      const match = matchOf(query.clauses, query.anyOf, prefixWord(query), mode === 'any' ? 'OR' : 'AND');
      const rows = await guidesRanked(db, match, limit);
      return { candidates: rows.map((r) => ({ id: r.id, subjectId: r.subjectId, score: -r.rank })), capped: rows.length === limit };
    },

    async freeTextCounts(words, cap) {
      const usable = words.filter((w) => /^[\p{L}\p{N}]+$/u.test(w));
      if (usable.length === 0) return new Map();
      const rows = await freeCounts(db, JSON.stringify(usable), cap);
      return new Map(rows.filter((r) => Number(r.n) > 0).map((r) => [r.word, Number(r.n)]));
    },

    async rebuild(options = {}) {
      const indexed = await db.transaction().execute(async (trx) => {
        await sql`insert into search_fts (search_fts) values ('delete-all')`.execute(trx);
        await sql`insert into search_titles (search_titles) values ('delete-all')`.execute(trx);
        const { max } = await trx
          .selectFrom('questions')
          .select((eb) => eb.fn.max('id').as('max'))
          .executeTakeFirstOrThrow();
        const count = await inBatches(Number(max ?? 0), options, async (low, high) => {
          // The same row as the triggers of migrations/20261126T2200_search.ts write.
          const r = await sql`insert into search_fts (rowid, title, body, answer)
            select q.id, q.title, q.details || char(10) || a.quick_answer, a.body
            from questions q join answers a on a.question_id = q.id
            where q.id > ${low} and q.id <= ${high} and q.status = 'published'`.execute(trx);
          await sql`insert into search_titles (rowid, title)
            select q.id, q.title from questions q join answers a on a.question_id = q.id
            where q.id > ${low} and q.id <= ${high} and q.status = 'published'`.execute(trx);
          return Number(r.numAffectedRows ?? 0);
        });
        // Guides are few: touching each published guide's title fires the trigger of
        // migrations/20261127T0100_guide_search.ts, which writes its row (the one definition of it).
        await sql`insert into guide_fts (guide_fts) values ('delete-all')`.execute(trx);
        await sql`update guides set title = title where status = 'published'`.execute(trx);
        return count;
      });
      // One segment instead of the many a bulk load leaves: later queries read one b-tree per word.
      await sql`insert into search_fts (search_fts) values ('optimize')`.execute(db);
      await sql`insert into search_titles (search_titles) values ('optimize')`.execute(db);
      return indexed;
    },

    async matches(query: ParsedQuery, limit: number, mode: MatchMode = 'all', known: readonly string[] = []) {
      const [questions, guides, counts] = await Promise.all([
        index.candidates(query, limit, mode),
        index.guideCandidates(query, limit, mode),
        known.length > 0 ? index.freeTextCounts(known, 1) : new Map<string, number>(),
      ]);
      return { questions, guides, known: counts };
    },
  };
  return index;
}
