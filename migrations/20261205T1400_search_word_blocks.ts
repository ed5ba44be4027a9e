import { type Kysely, PostgresAdapter, sql } from 'kysely';

// PostgreSQL search at a million questions (issue #14): each word of a question's document also indexed with the
// block of ids the question falls in. SQLite is left as it is.
//
// A search lists the newest 1,000 matches. Where the newest ids hold few of them (a word in a few percent of the
// questions, or two such words together), the older ones were read block by block with the block's lexeme
// (migrations/20261205T1100_search_id_slices.ts), or all at once. Either way GIN decodes every match of the
// query's rarest word in the whole table for each look (its AND walks the shortest list whole, skipping through
// the others), and reading them all at once reads several times the matches wanted: 7 to 16 ms for one such word
// or two at a million questions, most of a search.
//
// search_word_blocks(document, id) holds each lexeme of the document with the block of 2^15 ids its question falls
// in ('photosynthesi @30' for ids 983,040 to 1,015,807). A query of plain words asks one block as the AND of its
// words' block lexemes, whose lists hold that block's matches only: a look costs what the block holds, and the
// blocks are read from the newest until enough matches are found. A lexeme holds a space, which no parsed text
// yields, so no question's own words can match one. Lexemes of 1,000 characters or more are left out (the longest
// a lexeme may be is 2,046 bytes); a query with such a word is not answered this way (postgres-search.repository.ts).
//
// The index is built here: at a million questions it took eight and a half minutes (with 2 GB to sort in) and is
// 630 MB, beside 480 MB for the id blocks' index; publishing waits while it builds. A new site's table is empty and
// it takes no time. Each question written since costs its words' entries in both indexes.

const FUNCTION = `create function search_word_blocks(doc tsvector, qid integer) returns tsvector
  language sql immutable parallel safe as $$
    select array_to_tsvector(array(
      select l || ' @' || (qid >> 15) from unnest(tsvector_to_array(doc)) as l where length(l) < 1000))
  $$`;

export async function up(db: Kysely<any>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  // Building a GIN index over a million documents sorts its entries in this much memory at most (default 64 MB).
  await sql.raw(`set local maintenance_work_mem = '512MB'`).execute(db);
  await sql.raw(FUNCTION).execute(db);
  await sql
    .raw('create index search_documents_word_blocks_idx on search_documents using gin (search_word_blocks(document, question_id))')
    .execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  await sql.raw('drop index if exists search_documents_word_blocks_idx').execute(db);
  await sql.raw('drop function if exists search_word_blocks(tsvector, integer)').execute(db);
}
