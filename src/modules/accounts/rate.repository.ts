import { type Kysely, sql } from 'kysely';
import type { Database } from '../../db/database.ts';

type Db = Kysely<Database>;

/** Counts one more event in the key's current window (one atomic upsert) and returns the window's count. */
export async function countInWindow(db: Db, key: string, windowStart: string): Promise<number> {
  const row = await db
    .insertInto('rate_counters')
    .values({ key, window_start: windowStart, count: 1 })
    .onConflict((oc) => oc.columns(['key', 'window_start']).doUpdateSet({ count: sql<number>`rate_counters.count + 1` }))
    .returning('count')
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export async function deleteWindowsBefore(db: Db, before: string): Promise<void> {
  await db.deleteFrom('rate_counters').where('window_start', '<', before).execute();
}
