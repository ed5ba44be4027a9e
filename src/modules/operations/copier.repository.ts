import { type Kysely, sql } from 'kysely';
import type { Engine } from '../../db/connect.ts';
import { canonicalOrder, canonicalRow, encodeValue, OperationInterrupted, RowsDigest, type TableShape } from './rows.ts';
import { columnsOf, pauseTriggers, resetIdentity } from './schema.repository.ts';
import { COPIED_TABLES, SELF_FILLED_TABLES } from './tables.ts';

// The one table copier under backup, restore and move, over any table by name: rows read in key order a batch at a
// time, loaded a few hundred to a statement, tables emptied, counted and digested.

type AnyDb = Kysely<any>;

/** Rows of one table in key order, `batch` at a time, each row its values in the shape's column order. */
export async function* readRows(db: AnyDb, shape: TableShape, batch = 1000): AsyncGenerator<unknown[][]> {
  let last: unknown[] | undefined;
  for (;;) {
    let query = db.selectFrom(shape.name).select(shape.columns as string[]);
    if (last) {
      const after = last;
      // (a, b) > (x, y): the rows after the last one read, in the key's order, from the key's index.
      query = query.where(sql<boolean>`(${sql.join(shape.key.map((k) => sql.ref(k)))}) > (${sql.join(after.map((v) => sql`${v}`))})`);
    }
    for (const k of shape.key) query = query.orderBy(k);
    const rows = (await query.limit(batch).execute()) as Record<string, unknown>[];
    if (rows.length === 0) return;
    yield rows.map((r) => shape.columns.map((c) => r[c]));
    const end = rows[rows.length - 1] as Record<string, unknown>;
    last = shape.key.map((k) => end[k]);
    if (rows.length < batch) return;
  }
}

/** A table's row count and digest, read from the database (within a snapshot, so they agree with each other). */
export async function digestTable(
  db: AnyDb,
  shape: TableShape,
  onRows?: (n: number) => void,
  signal?: AbortSignal,
): Promise<{ rows: number; digest: string }> {
  const digest = new RowsDigest();
  const order = canonicalOrder(shape.columns);
  for await (const batch of readRows(db, shape)) {
    if (signal?.aborted) throw new OperationInterrupted();
    for (const row of batch) digest.add(canonicalRow(row.map(encodeValue), order));
    onRows?.(batch.length);
  }
  return { rows: digest.rows, digest: digest.hex() };
}

/**
 * Loads rows into a table in statements of a few hundred rows: under SQLite's limit of bound values per statement
 * (32,766) and PostgreSQL's (65,535) for any table of ours, and big enough that a statement's round trip is small
 * beside its work.
 */
export class TableLoader {
  private pending: Record<string, unknown>[] = [];
  private readonly chunk: number;

  constructor(
    private readonly db: AnyDb,
    private readonly shape: TableShape,
  ) {
    this.chunk = Math.max(1, Math.min(500, Math.floor(8000 / shape.columns.length)));
  }

  async add(values: readonly unknown[]): Promise<void> {
    const row: Record<string, unknown> = {};
    this.shape.columns.forEach((c, i) => {
      row[c] = values[i];
    });
    this.pending.push(row);
    if (this.pending.length >= this.chunk) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const rows = this.pending;
    this.pending = [];
    await this.db.insertInto(this.shape.name).values(rows).execute();
  }
}

/** Empties the tables, in the order given (children before the tables they point to). */
export async function clearTables(db: AnyDb, names: readonly string[]): Promise<void> {
  for (const name of names) await db.deleteFrom(name).execute();
}

/** Before a table is loaded: its rows gone, and on PostgreSQL its triggers paused. */
export async function beginTable(db: AnyDb, engine: Engine, name: string): Promise<void> {
  await db.deleteFrom(name).execute();
  await pauseTriggers(db, engine, name, true);
}

/** After a table is loaded: its triggers back on, and its identity sequence past the ids it now holds. */
export async function endTable(db: AnyDb, engine: Engine, shape: TableShape): Promise<void> {
  await pauseTriggers(db, engine, shape.name, false);
  await resetIdentity(db, engine, shape.name, shape.key);
}

/** Checks that the target's table has the same columns as the source's (in any order). */
export async function checkColumns(db: AnyDb, engine: Engine, shape: TableShape): Promise<void> {
  const columns = await columnsOf(db, engine, shape.name);
  const want = [...shape.columns].sort().join(', ');
  const have = [...columns].sort().join(', ');
  if (want !== have)
    throw new Error(`the table ${shape.name} has the columns (${have}) here but (${want}) in the copy; the schemas differ`);
}

export async function countRows(db: AnyDb, table: string): Promise<number> {
  const row = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** How many different image files the images' variants name (what a backup expects to find in the image store). */
export async function countImageFiles(db: AnyDb): Promise<number> {
  const row = await db
    .selectFrom('image_variants')
    .select((eb) => eb.fn.count('blob_key').distinct().as('n'))
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/**
 * The tables of a site holding rows beyond what every Scholia database fills by itself (tables.ts): a database
 * with none of them holds no site, and may be restored or moved into.
 */
export async function tablesWithData(db: AnyDb, present: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  const have = new Set(present);
  for (const t of COPIED_TABLES) {
    if (!have.has(t.name) || SELF_FILLED_TABLES.has(t.name)) continue;
    const row = await db.selectFrom(t.name).select(sql<number>`1`.as('x')).limit(1).executeTakeFirst();
    if (row) out.push(t.name);
  }
  return out;
}
