import { type Expression, type Kysely, type RawBuilder, type SqlBool, sql } from 'kysely';
import type { Engine } from './connect.ts';

// The only place for SQL that differs between SQLite and PostgreSQL. Each helper is tested on both.

/** Case-insensitive substring match (SQLite's LIKE already ignores ASCII case; PostgreSQL needs ILIKE). */
export function containsInsensitive(engine: Engine, column: Expression<string>, needle: string): RawBuilder<SqlBool> {
  const pattern = `%${needle.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return engine === 'postgres' ? sql<SqlBool>`${column} ilike ${pattern} escape '\\'` : sql<SqlBool>`${column} like ${pattern} escape '\\'`;
}

/**
 * Refreshes the query planner's statistics after a bulk load. PostgreSQL otherwise plans a freshly loaded table
 * as if it were empty (a related-questions query took 40 ms instead of 0.5 ms) until autovacuum gets to it.
 * SQLite samples at most 1,000 rows an index, so this stays quick on a large file.
 */
export async function refreshPlannerStatistics(engine: Engine, db: Kysely<any>): Promise<void> {
  if (engine === 'postgres') {
    await sql`analyze`.execute(db);
  } else {
    await sql`pragma analysis_limit = 1000`.execute(db);
    await sql`analyze`.execute(db);
  }
}
