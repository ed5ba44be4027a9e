import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { MembershipState, PlanRow } from './membership.ts';

export type { PlanRow };

type Db = Kysely<Database>;

export async function findMembership(db: Db, userId: number): Promise<MembershipState | undefined> {
  const row = await db
    .selectFrom('memberships')
    .select(['status', 'source', 'period_end', 'cancel_at_period_end'])
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row
    ? { status: row.status, source: row.source, periodEnd: row.period_end, cancelAtPeriodEnd: row.cancel_at_period_end === 1 }
    : undefined;
}

/** Claims the one trial of an identity; false when it was claimed before (the primary key decides races). */
export async function claimTrial(db: Db, identity: string, userId: number, at: string): Promise<boolean> {
  const r = await db
    .insertInto('trial_claims')
    .values({ identity, user_id: userId, created_at: at })
    .onConflict((oc) => oc.column('identity').doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0n) === 1;
}

export async function saveMembership(db: Db, userId: number, m: MembershipState & { planId?: number | null }, at: string): Promise<void> {
  const values = {
    status: m.status,
    source: m.source,
    plan_id: m.planId ?? null,
    period_end: m.periodEnd,
    cancel_at_period_end: m.cancelAtPeriodEnd ? 1 : 0,
    updated_at: at,
  };
  await db
    .insertInto('memberships')
    .values({ user_id: userId, created_at: at, ...values })
    .onConflict((oc) => oc.column('user_id').doUpdateSet(values))
    .execute();
}

export async function setCancelAtPeriodEnd(db: Db, userId: number, cancel: boolean, at: string): Promise<void> {
  await db
    .updateTable('memberships')
    .set({ cancel_at_period_end: cancel ? 1 : 0, status: cancel ? 'canceled' : 'trialing', updated_at: at })
    .where('user_id', '=', userId)
    .where('source', '=', 'trial')
    .execute();
}

export async function listActivePlans(db: Db): Promise<PlanRow[]> {
  return db
    .selectFrom('plans')
    .select(['id', 'name', 'interval', 'price_minor as priceMinor', 'currency'])
    .where('active', '=', 1)
    .orderBy('position')
    .orderBy('id')
    .execute();
}

export async function listAllPlans(db: Db): Promise<Array<PlanRow & { active: boolean; stripePriceId: string | null }>> {
  const rows = await db
    .selectFrom('plans')
    .select(['id', 'name', 'interval', 'price_minor as priceMinor', 'currency', 'active', 'stripe_price_id as stripePriceId'])
    .orderBy('position')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ ...r, active: r.active === 1 }));
}

export async function insertPlan(
  db: Db,
  p: { name: string; interval: 'month' | 'year'; priceMinor: number; currency: string; stripePriceId: string | null },
): Promise<void> {
  await db
    .insertInto('plans')
    .values({
      name: p.name,
      interval: p.interval,
      price_minor: p.priceMinor,
      currency: p.currency,
      stripe_price_id: p.stripePriceId,
      active: 1,
    })
    .execute();
}

export async function setPlanActive(db: Db, id: number, active: boolean): Promise<void> {
  await db
    .updateTable('plans')
    .set({ active: active ? 1 : 0 })
    .where('id', '=', id)
    .execute();
}

/** Running, not canceled trials that end within the window and have had no reminder. */
export async function listTrialsEndingSoon(
  db: Db,
  now: string,
  before: string,
): Promise<Array<{ userId: number; email: string; name: string; periodEnd: string }>> {
  return db
    .selectFrom('memberships as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['m.user_id as userId', 'u.email', 'u.name', 'm.period_end as periodEnd'])
    .where('m.source', '=', 'trial')
    .where('m.cancel_at_period_end', '=', 0)
    .where('m.reminder_sent_at', 'is', null)
    .where('m.period_end', '>', now)
    .where('m.period_end', '<=', before)
    .where('u.deleted_at', 'is', null)
    .limit(200)
    .execute();
}

/** Marks the reminder sent, only if no other process did (so each trial gets one). */
export async function claimReminder(db: Db, userId: number, at: string): Promise<boolean> {
  const r = await db
    .updateTable('memberships')
    .set({ reminder_sent_at: at })
    .where('user_id', '=', userId)
    .where('reminder_sent_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}
