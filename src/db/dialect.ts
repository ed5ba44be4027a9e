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

/** What the start-up step needs of a database handle: its query builder, its engine and its PostgreSQL schema. */
export interface StartupHandle<DB> {
  readonly db: Kysely<DB>;
  readonly engine: Engine;
  readonly pgSchema?: string;
}

/**
 * Key of the PostgreSQL advisory lock held over the start-up step. Any constant nobody else takes in the same
 * database: Kysely's own migration lock is 3853314791062309107, the test helpers' schema lock 7305521.
 */
const STARTUP_LOCK_KEY = 7_305_520;

/**
 * Runs the start-up step (migrate, standard subjects, demo seed) in one process at a time. Kysely's migration
 * lock covers the migrations only; two processes started together on an empty PostgreSQL both found no
 * questions and both seeded the demo, and one died on a unique key. On PostgreSQL this takes a session advisory
 * lock on one connection and runs `fn` on that same connection, so the work waits for no other connection of the
 * pool (no deadlock, even with DATABASE_POOL_SIZE=1). Kysely queues the queries on that connection, so inside a
 * transaction `fn` must use the transaction, never `locked.db`; the same code already runs on SQLite, where Kysely
 * has only one connection and the same rule holds.
 * On SQLite `fn` runs as it is: SQLite is the one-server setup (PostgreSQL is the scale-out path), so this takes
 * no lock across processes there.
 *
 * `onWait` is called once when another process holds the lock, so a starting server can say why it pauses.
 */
export async function withStartupLock<DB, T>(
  handle: StartupHandle<DB>,
  fn: (locked: StartupHandle<DB>) => Promise<T>,
  onWait?: () => void,
): Promise<T> {
  if (handle.engine !== 'postgres') return fn(handle);
  return handle.db.connection().execute(async (conn) => {
    const tried = await sql<{ locked: boolean }>`select pg_try_advisory_lock(${STARTUP_LOCK_KEY}) as locked`.execute(conn);
    if (!tried.rows[0]?.locked) {
      onWait?.();
      await sql`select pg_advisory_lock(${STARTUP_LOCK_KEY})`.execute(conn);
    }
    try {
      return await fn({ db: conn, engine: handle.engine, ...(handle.pgSchema ? { pgSchema: handle.pgSchema } : {}) });
    } finally {
      // If the unlock fails, the connection is broken, and PostgreSQL has released the lock with its session;
      // the error worth reporting is fn's, if any.
      await sql`select pg_advisory_unlock(${STARTUP_LOCK_KEY})`.execute(conn).catch(() => {});
    }
  });
}
