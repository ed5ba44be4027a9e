import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Database } from '../../db/database.ts';

type Db = Kysely<Database>;

// search_misses (migrations/20261204T1800_search_misses.ts): one row per query text and UTC day, counted up.

/** One more search for `query` on `day` found nothing: one statement, inserting the row or adding one to it. */
export async function countMiss(db: Db, day: string, query: string): Promise<void> {
  await db
    .insertInto('search_misses')
    .values({ day, query, misses: 1 })
    .onConflict((oc) => oc.columns(['day', 'query']).doUpdateSet({ misses: sql<number>`search_misses.misses + 1` }))
    .execute();
}

/** Drops the counts of days before `beforeDay` (YYYY-MM-DD); the dashboard shows 90 days at most. */
export async function pruneMisses(db: Db, beforeDay: string): Promise<number> {
  const r = await db.deleteFrom('search_misses').where('day', '<', beforeDay).executeTakeFirst();
  return Number(r.numDeletedRows);
}
