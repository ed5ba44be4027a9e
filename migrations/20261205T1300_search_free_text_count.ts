import { type Kysely, PostgresAdapter, sql } from 'kysely';

// PostgreSQL search at a million questions (issue #14): a word's free-text matches counted up to a cap in one
// statement. SQLite is left as it is.
//
// Given the LIMIT, the planner reckons a scan of the table finds the first matches soonest, but every row it passes
// has its free text read from out-of-line storage (migrations/20261205T1200_search_narrow_rows.ts): 10 ms a word at
// a million questions, against 0.1 ms on the GIN index. The search code priced table scans out with `set local`
// in a transaction of its own, four round trips for one count; a function carries the setting itself, and the
// statement inside it is planned with it.

export async function up(db: Kysely<any>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  await sql
    .raw(
      `create function search_free_text_count(word text, cap integer) returns integer
        language sql stable
        set enable_seqscan = off
        as $$ select count(*)::integer from (
          select 1 from search_documents where free_text @@ to_tsquery('english', word) limit cap
        ) x $$`,
    )
    .execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  await sql.raw('drop function if exists search_free_text_count(text, integer)').execute(db);
}
