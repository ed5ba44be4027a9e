import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { Clock } from '../../lib/time.ts';
import { LOCKOUT } from './auth.ts';
import { deleteWindowsBefore } from './rate.repository.ts';
import { deleteDeadSessions } from './session.repository.ts';
import { deleteStaleThrottles } from './throttle.repository.ts';

/**
 * Deletes what has stopped mattering: hourly-limit windows older than two hours, lockout counters already
 * forgotten, and dead sessions. Without it these tables grow with every visitor address. (In Redis the same keys
 * expire by themselves.) Run once a minute by each app process; deleting twice is harmless.
 */
export async function pruneAccountData(db: Kysely<Database>, clock: Clock, sessionIdleMs: number): Promise<void> {
  const now = clock.now().getTime();
  await deleteWindowsBefore(db, new Date(now - 2 * 3600_000).toISOString());
  await deleteStaleThrottles(db, new Date(now - LOCKOUT.forgetAfterMs).toISOString(), new Date(now).toISOString());
  await deleteDeadSessions(db, new Date(now).toISOString(), new Date(now - sessionIdleMs).toISOString());
}
