import { type Kysely, sql } from 'kysely';
import type { Database, MembershipStatus } from '../../db/database.ts';

type Db = Kysely<Database>;

export type MembershipSource = Database['memberships']['source'];

/**
 * Memberships by the state a person would see now (anything past its period end has expired, as effectiveStatus
 * decides) and by where they came from, site-wide (/metrics).
 */
export async function countMembershipsByState(
  db: Db,
  now: string,
): Promise<Array<{ state: MembershipStatus; source: MembershipSource; count: number }>> {
  // Grouped by the stored columns, with how many of each group are still within their period: a parameter inside
  // GROUP BY would not match the same expression in SELECT on PostgreSQL.
  const rows = await db
    .selectFrom('memberships')
    .select((eb) => [
      'status',
      'source',
      eb.fn.countAll<number | string | bigint>().as('n'),
      eb.fn.sum<number | string | bigint>(sql<number>`case when period_end > ${now} then 1 else 0 end`).as('running'),
    ])
    .groupBy(['status', 'source'])
    .execute();
  const counts = new Map<string, { state: MembershipStatus; source: MembershipSource; count: number }>();
  const add = (state: MembershipStatus, source: MembershipSource, n: number) => {
    if (n === 0) return;
    const key = `${state} ${source}`;
    const entry = counts.get(key) ?? { state, source, count: 0 };
    entry.count += n;
    counts.set(key, entry);
  };
  for (const r of rows) {
    const running = Number(r.running ?? 0);
    add(r.status, r.source, running);
    add('expired', r.source, Number(r.n) - running);
  }
  return [...counts.values()];
}

/**
 * People who started their one free trial, and of them those who now pay: a Stripe membership past its trial that
 * has not ended. A person holds a trial under one or two identities (their address, a card), so people are counted,
 * not claims. In local mode nothing is paid, so none convert.
 */
export async function countTrials(db: Db, now: string): Promise<{ started: number; converted: number }> {
  const started = await db
    .selectFrom('trial_claims')
    .select((eb) => eb.fn.count<number | string | bigint>('user_id').distinct().as('n'))
    .executeTakeFirst();
  const converted = await db
    .selectFrom('memberships as m')
    .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
    .where('m.source', '=', 'stripe')
    .where('m.in_trial', '=', 0)
    .where('m.status', 'in', ['active', 'past_due', 'canceled'])
    .where('m.period_end', '>', now)
    .where((eb) => eb.exists(eb.selectFrom('trial_claims as t').select('t.user_id').whereRef('t.user_id', '=', 'm.user_id')))
    .executeTakeFirst();
  return { started: Number(started?.n ?? 0), converted: Number(converted?.n ?? 0) };
}
