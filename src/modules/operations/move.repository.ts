import type { Kysely } from 'kysely';
import { MOVE_MARKER_TABLE } from './tables.ts';

// `scholia move`'s progress record, a table in the target database only: the source it copies ('source'), each table
// copied ('table:<name>', its row count and digest as JSON) and the images ('images'). Dropped when the move is done.

type AnyDb = Kysely<any>;

export async function readMarker(db: AnyDb): Promise<Map<string, string>> {
  const rows = (await db.selectFrom(MOVE_MARKER_TABLE).select(['item', 'value']).execute()) as { item: string; value: string }[];
  return new Map(rows.map((r) => [r.item, r.value]));
}

/** Creates the record naming the source (in the caller's transaction, with the clearing of the target). */
export async function startMarker(db: AnyDb, source: string): Promise<void> {
  await db.schema
    .createTable(MOVE_MARKER_TABLE)
    .addColumn('item', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();
  await db.insertInto(MOVE_MARKER_TABLE).values({ item: 'source', value: source }).execute();
}

export async function markDone(db: AnyDb, item: string, value: string): Promise<void> {
  await db.insertInto(MOVE_MARKER_TABLE).values({ item, value }).execute();
}

export async function forgetDone(db: AnyDb, items: readonly string[]): Promise<void> {
  if (items.length > 0) await db.deleteFrom(MOVE_MARKER_TABLE).where('item', 'in', items).execute();
}

export async function dropMarker(db: AnyDb): Promise<void> {
  await db.schema.dropTable(MOVE_MARKER_TABLE).execute();
}
