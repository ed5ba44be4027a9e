import { type Kysely, PostgresAdapter, sql } from 'kysely';

// PostgreSQL search at a million questions (issue #14): narrow rows in search_documents. SQLite is left as it is.
//
// A row held its `free_text` tsvector inline (about 670 bytes compressed; `document`, larger, was already stored
// out of line), so the table took 723 MB at a million questions, 10 rows a page. Every match a search reads costs a
// heap page, and a word in 16,000 questions read 15,000 pages: 60 ms, mostly copies from the OS cache, as 723 MB
// does not stay in PostgreSQL's shared buffers. With toast_tuple_target at its least, 128 bytes, both vectors are
// stored out of line and a row is its ids and two pointers: 77 MB, 110 rows a page, which the buffers keep. A match
// is then a buffer hit; a vector is read only where one is ranked (ts_rank) or counted without its index.
//
// The setting applies to rows as they are written, so the table is rewritten once, in id order (CLUSTER, which also
// rebuilds its indexes): at a million questions it held an exclusive lock for about four minutes, in which searches
// and publishing wait. A new site's table is empty and it takes no time.

export async function up(db: Kysely<any>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  // The GIN indexes rebuilt by CLUSTER sort their entries in this much memory at most (default 64 MB).
  await sql.raw(`set local maintenance_work_mem = '512MB'`).execute(db);
  await sql.raw('alter table search_documents set (toast_tuple_target = 128)').execute(db);
  await sql.raw('cluster search_documents using search_documents_pkey').execute(db);
  await sql.raw('analyze search_documents').execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  // Rows written from now on keep their free text inline again; those written meanwhile stay as they are.
  await sql.raw('alter table search_documents reset (toast_tuple_target)').execute(db);
}
