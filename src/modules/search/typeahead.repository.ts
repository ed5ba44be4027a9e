import { type Kysely, type RawBuilder, sql } from 'kysely';
import { compileOnce } from '../../db/compiled.ts';
import type { DatabaseHandle } from '../../db/connect.ts';
import type { Database } from '../../db/database.ts';

// The SQL behind suggestions while typing, on both engines. Titles only: a suggestion shows a title, and matching
// it against anything else (above all the expert answer, which visitors may not read) would let a visitor probe
// gated text one keystroke at a time.
//
// Either engine walks the matching titles newest first and stops at the few it needs, so a prefix found in most
// titles ("wh") costs no more than a rare one. docs/benchmarks.md ("Suggestions while typing") has the figures.

type Db = Kysely<Database>;

/** What a box may suggest: complete words, and the word being typed (a prefix). Letters, digits and marks only. */
export interface TitleTerms {
  words: readonly string[];
  prefix: string;
}

export interface TitleMatch {
  id: number;
  slug: string;
  title: string;
  subject: string;
}

export interface GuideTitle {
  slug: string;
  title: string;
  subject: string;
}

/**
 * PostgreSQL: how many of the newest questions are scanned row by row before the title index is asked instead.
 * A row costs about 1 µs (its title is read and compared as text); asking the index costs about 4 µs for each
 * title it matches. Common prefixes find their few newest matches in the first rows of the window; a prefix that
 * is rare there is rare overall, so the index lists few titles. This size puts the crossover where both are small.
 */
const PG_WINDOW = 2000;

/** Lets compileOnce keep a raw SELECT: it compiles against this database. */
function keep<R>(db: Db, query: RawBuilder<R>) {
  return { compile: () => query.compile(db) };
}

// FTS5 reads the match newest first (rowid is the question id) and stops at the limit; the join only dresses the
// few rows that come out. search_titles holds published questions only (its triggers); the status test is a
// second lock on that door.
const sqliteTitles = compileOnce((db: Db, match: string, limit: number) =>
  keep(
    db,
    sql<TitleMatch>`select q.id as id, q.slug as slug, q.title as title, s.name as subject
      from (select rowid as id from search_titles where search_titles match ${match} order by rowid desc limit ${limit}) m
      join questions q on q.id = m.id
      join subjects s on s.id = q.subject_id
      where q.status = 'published'
      order by q.id desc`,
  ),
);

/** An FTS5 string: the words come from a letters-digits-marks pattern, so a quote cannot be in one; the replace is a
 * second lock on that door. Inside quotes, AND, NEAR, * or a column name are plain text. */
function fts5String(word: string): string {
  return `"${word.replaceAll('"', '')}"`;
}

function sqliteMatch(terms: TitleTerms): string {
  return [...terms.words.map(fts5String), `${fts5String(terms.prefix)}*`].join(' AND ');
}

/** A tsquery operand, quoted: to_tsquery lower-cases and splits it as to_tsvector did the title. */
function tsOperand(word: string): string {
  return `'${word.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
}

function tsquery(terms: TitleTerms): string {
  return [...terms.words.map(tsOperand), `${tsOperand(terms.prefix)}:*`].join(' & ');
}

/** Prefixes up to this long are entries of their own in questions_title_words_idx ('wh~'). */
const MARKED_PREFIX_MAX = 4;

async function postgresTitles(db: Db, terms: TitleTerms, limit: number, window: number): Promise<TitleMatch[]> {
  const words = [...terms.words, terms.prefix];
  const prefix = tsOperand(terms.prefix);
  // For the index: a short prefix as the word itself or its marked entry (to_tsvector normalises it as it did the
  // titles), a longer one as a prefix query, which then spans few words.
  const markedPrefix =
    terms.prefix.length <= MARKED_PREFIX_MAX
      ? sql`coalesce(to_tsquery('simple', ${prefix}) || (select string_agg(quote_literal(l || '~'), ' & ')
            from unnest(tsvector_to_array(to_tsvector('simple'::regconfig, ${terms.prefix}))) as l)::tsquery,
          to_tsquery('simple', ${prefix}))`
      : sql`to_tsquery('simple', ${`${prefix}:*`})`;
  const marked =
    terms.words.length > 0 ? sql`to_tsquery('simple', ${terms.words.map(tsOperand).join(' & ')}) && ${markedPrefix}` : markedPrefix;
  // Two halves in one statement; the outer limit stops the union as soon as the first half has given enough, so
  // the second runs only for a prefix rare among the newest questions.
  // 1. The newest PG_WINDOW question ids, newest first, row by row: a cheap substring test on the lower-cased title
  //    (every word must be in it) before the exact test on its words. The subquery's limit keeps the tests out of
  //    it, so the planner cannot swap the walk for the title index (which lists every match of "wh"), and keeps
  //    its estimate small: estimating a third of the table, PostgreSQL JIT-compiled every query (9 ms at 1M).
  // 2. Older matches from the title index (questions_title_words_idx, migrations/20261126T2200_search.ts), sorted.
  //    Here "offset 0" keeps the id bound out of the index scan, where it would add a walk of the primary key.
  // Left to itself the planner gives every prefix the same small share of the rows and, for a rare one, walks the
  // whole table newest first: 350 ms at 100,000 questions.
  const { rows } = await sql<{ id: number; slug: string; title: string; subject: string }>`
    with top as (select max(id) as id from questions),
    q as (select to_tsquery('simple', ${tsquery(terms)}) as plain, ${marked} as marked)
    select r.id, r.slug, r.title, s.name as subject from (
      (select w.id, w.slug, w.title, w.subject_id from (
          select id, slug, title, subject_id from questions
          where status = 'published' and id > (select id from top) - ${window}
          order by id desc limit ${window}
        ) w
        where lower(w.title) like all (array(select '%' || lower(x) || '%' from unnest(${words}::text[]) as x))
          and to_tsvector('simple'::regconfig, w.title) @@ (select plain from q)
        order by w.id desc limit ${limit})
      union all
      (select o.id, o.slug, o.title, o.subject_id from (
          select id, slug, title, subject_id from questions
          where status = 'published' and search_title_words(title) @@ (select marked from q)
          offset 0
        ) o
        where o.id <= (select id from top) - ${window}
        order by o.id desc limit ${limit})
      limit ${limit}
    ) r
    join subjects s on s.id = r.subject_id
    order by r.id desc`.execute(db);
  return rows.map((r) => ({ id: Number(r.id), slug: r.slug, title: r.title, subject: r.subject }));
}

/**
 * The newest published questions whose title has every word and a word starting with the prefix, newest first.
 * Tests narrow PostgreSQL's window to reach its second half on a small database.
 */
export function newestTitleMatches(
  database: DatabaseHandle,
  terms: TitleTerms,
  limit: number,
  options: { pgWindow?: number } = {},
): Promise<TitleMatch[]> {
  return database.engine === 'sqlite'
    ? sqliteTitles(database.db, sqliteMatch(terms), limit)
    : postgresTitles(database.db, terms, limit, options.pgWindow ?? PG_WINDOW);
}

const guideTitles = compileOnce((db: Db, limit: number) =>
  keep(
    db,
    sql<GuideTitle>`select g.slug as slug, g.title as title, s.name as subject
      from guides g join subjects s on s.id = g.subject_id
      where g.status = 'published'
      order by g.title, g.id limit ${limit}`,
  ),
);

/** Published study guides, by title: a site has hundreds at most, so the service matches them itself. */
export function publishedGuideTitles(database: DatabaseHandle, limit: number): Promise<GuideTitle[]> {
  return guideTitles(database.db, limit);
}
