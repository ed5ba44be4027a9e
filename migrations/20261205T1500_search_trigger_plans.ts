import { type Kysely, PostgresAdapter, sql } from 'kysely';

// PostgreSQL: the functions that keep the search tables in step plan their statements as PostgreSQL chooses
// (plan_cache_mode = auto), whatever the connection says. Scholia's connections plan every prepared statement
// for the values it is given (force_custom_plan, src/db/parsed-once.ts), which PL/pgSQL's statements obey too: they
// were planned again on every call, and `scholia generate --questions 30000` took 53 s instead of 46 s. These
// functions' statements are the same few lookups and writes by id each time, which a plan made once serves.
// SQLite has no such functions.

const FUNCTIONS = [
  'search_refresh(integer)',
  'search_questions_changed()',
  'search_answers_changed()',
  'guide_search_refresh(integer)',
  'guide_search_guides_changed()',
  'guide_search_sections_changed()',
];

export async function up(db: Kysely<any>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  for (const f of FUNCTIONS) await sql.raw(`alter function ${f} set plan_cache_mode = auto`).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  for (const f of FUNCTIONS) await sql.raw(`alter function ${f} reset plan_cache_mode`).execute(db);
}
