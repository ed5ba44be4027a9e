import { type Kysely, sql } from 'kysely';
import type { Database } from '../../db/database.ts';

type Db = Kysely<Database>;

export interface Throttle {
  key: string;
  failures: number;
  lockedUntil: string | null;
}

export async function findThrottles(db: Db, keys: readonly string[]): Promise<Throttle[]> {
  const rows = await db.selectFrom('auth_throttles').select(['key', 'failures', 'locked_until']).where('key', 'in', keys).execute();
  return rows.map((r) => ({ key: r.key, failures: r.failures, lockedUntil: r.locked_until }));
}

/**
 * Counts one more failure for the key in a single statement (so concurrent failures from several processes all
 * count), starting again from 1 when the last failure is older than `resetBefore`. Returns the new count.
 */
export async function addFailure(db: Db, key: string, now: string, resetBefore: string): Promise<number> {
  const row = await db
    .insertInto('auth_throttles')
    .values({ key, failures: 1, locked_until: null, updated_at: now })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        failures: sql<number>`case when auth_throttles.updated_at < ${resetBefore} then 1 else auth_throttles.failures + 1 end`,
        locked_until: sql<
          string | null
        >`case when auth_throttles.updated_at < ${resetBefore} then null else auth_throttles.locked_until end`,
        updated_at: now,
      }),
    )
    .returning('failures')
    .executeTakeFirstOrThrow();
  return Number(row.failures);
}

export async function lockUntil(db: Db, key: string, until: string): Promise<void> {
  await db.updateTable('auth_throttles').set({ locked_until: until }).where('key', '=', key).execute();
}

export async function clearThrottle(db: Db, key: string): Promise<void> {
  await db.deleteFrom('auth_throttles').where('key', '=', key).execute();
}

/** Throttles with nothing left to say: no failure since `before` and no lock still running at `now`. */
export async function deleteStaleThrottles(db: Db, before: string, now: string): Promise<void> {
  await db
    .deleteFrom('auth_throttles')
    .where('updated_at', '<', before)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
    .execute();
}
