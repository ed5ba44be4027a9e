import { type Kysely, Migrator, sql } from 'kysely';
import { migrations } from '../../../migrations/index.ts';
import type { Engine } from '../../db/connect.ts';
import { withStartupLock } from '../../db/dialect.ts';

// The schema as backup, restore and move see it, and everything they need that differs between SQLite and
// PostgreSQL, in one file as db/dialect.ts is for the other repositories: listing tables and columns, a read of one
// consistent moment, the migration level, identity sequences after rows were inserted with their ids, and pausing
// the search triggers while a table is loaded.

type AnyDb = Kysely<any>;

export interface OperationsHandle {
  readonly db: Kysely<any>;
  readonly engine: Engine;
  readonly pgSchema?: string;
}

/** The database's tables (not views), in the schema the connection works in. */
export async function listTables(db: AnyDb, engine: Engine): Promise<string[]> {
  const rows =
    engine === 'postgres'
      ? await sql<{ name: string }>`select table_name as name from information_schema.tables
          where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(db)
      : await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite\_%' escape '\\'`.execute(
          db,
        );
  return rows.rows.map((r) => r.name).sort();
}

/** A table's columns in their order. */
export async function columnsOf(db: AnyDb, engine: Engine, table: string): Promise<string[]> {
  const rows =
    engine === 'postgres'
      ? await sql<{ name: string }>`select column_name as name from information_schema.columns
          where table_schema = current_schema() and table_name = ${table} order by ordinal_position`.execute(db)
      : await sql<{ name: string }>`select name from pragma_table_info(${table}) order by cid`.execute(db);
  return rows.rows.map((r) => r.name);
}

/**
 * Runs fn in one read transaction: every query in it sees the database as it was at one moment, whatever other
 * connections commit meanwhile. PostgreSQL: REPEATABLE READ, read only. SQLite in WAL mode: a read transaction keeps
 * the snapshot of its first read until it ends, while writers go on (the WAL grows until it ends).
 */
export function readSnapshot<T>(handle: OperationsHandle, fn: (trx: AnyDb) => Promise<T>): Promise<T> {
  const builder = handle.db.transaction();
  return (handle.engine === 'postgres' ? builder.setIsolationLevel('repeatable read').setAccessMode('read only') : builder).execute(fn);
}

/** The last migration applied to the database, or null when none has been (an empty database). */
export async function schemaLevel(db: AnyDb, engine: Engine): Promise<string | null> {
  if (!(await listTables(db, engine)).includes('kysely_migration')) return null;
  const row = await db.selectFrom('kysely_migration').select('name').orderBy('name', 'desc').limit(1).executeTakeFirst();
  return (row?.name as string | undefined) ?? null;
}

/** Every migration this Scholia knows, in the order they run. */
export const knownMigrations: readonly string[] = Object.keys(migrations).sort();

/** Brings the schema to exactly `level`, up or down, under the start-up lock so a server starting meanwhile waits. */
export async function migrateTo(handle: OperationsHandle, level: string): Promise<void> {
  await withStartupLock(handle, async (locked) => {
    const migrator = new Migrator({
      db: locked.db,
      provider: { getMigrations: async () => migrations },
      ...(locked.pgSchema ? { migrationTableSchema: locked.pgSchema } : {}),
    });
    const result = await migrator.migrateTo(level);
    if (result.error) {
      const failed = result.results?.find((r) => r.status === 'Error');
      const cause = result.error instanceof Error ? result.error.message : String(result.error);
      throw new Error(`migration ${failed?.migrationName ?? '(unknown)'} failed: ${cause}`);
    }
  });
}

/**
 * After rows were inserted with their own ids, PostgreSQL's identity sequence still starts at 1, and the next
 * ordinary insert would collide: move it past the largest id. SQLite takes the next rowid from the table itself.
 */
export async function resetIdentity(db: AnyDb, engine: Engine, table: string, key: readonly string[]): Promise<void> {
  if (engine !== 'postgres' || key.length !== 1 || key[0] !== 'id') return;
  await sql`select setval(seq, coalesce(m, 0) + 1, false)
    from (select pg_get_serial_sequence(${table}, 'id') as seq, (select max(id) from ${sql.table(table)}) as m) s
    where seq is not null`.execute(db);
}

/**
 * PostgreSQL: turns the table's own triggers (the search index's, not the foreign keys') off while it is loaded, in
 * the loading transaction; the index is rebuilt once at the end instead of row by row. SQLite cannot pause a
 * trigger; its FTS5 triggers are quick enough, and the rebuild replaces what they wrote.
 */
export async function pauseTriggers(db: AnyDb, engine: Engine, table: string, paused: boolean): Promise<void> {
  if (engine !== 'postgres') return;
  await sql`alter table ${sql.table(table)} ${sql.raw(paused ? 'disable' : 'enable')} trigger user`.execute(db);
}
