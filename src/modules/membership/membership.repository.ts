import type { Kysely } from 'kysely';
import { compileOnce } from '../../db/compiled.ts';
import type { Database } from '../../db/database.ts';
import type { MembershipState, PlanRow } from './membership.ts';

export type { PlanRow };

type Db = Kysely<Database>;

/** A membership as stored: its state, and for Stripe the subscription it mirrors. */
export interface MembershipRecord extends MembershipState {
  inTrial: boolean;
  subscriptionId: string | null;
  planId: number | null;
  notice: string | null;
}

// Every signed-in page looks the membership up: compiled once.
const membershipQuery = compileOnce((db: Db, userId: number) =>
  db
    .selectFrom('memberships')
    .select(['status', 'source', 'period_end', 'cancel_at_period_end', 'in_trial', 'subscription_id', 'plan_id', 'notice'])
    .where('user_id', '=', userId),
);

export async function findMembership(db: Db, userId: number): Promise<MembershipRecord | undefined> {
  const [row] = await membershipQuery(db, userId);
  return row
    ? {
        status: row.status,
        source: row.source,
        periodEnd: row.period_end,
        cancelAtPeriodEnd: row.cancel_at_period_end === 1,
        // Local trials made before the in_trial column existed are trials too.
        inTrial: row.in_trial === 1 || row.source === 'trial',
        subscriptionId: row.subscription_id,
        planId: row.plan_id,
        notice: row.notice,
      }
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

/** Whether anyone has had the trial of this identity. */
export async function trialClaimed(db: Db, identity: string): Promise<boolean> {
  return (await db.selectFrom('trial_claims').select('identity').where('identity', '=', identity).executeTakeFirst()) !== undefined;
}

/** Claims an identity's trial for this person, or confirms they hold it already; false if someone else does. */
export async function holdTrial(db: Db, identity: string, userId: number, at: string): Promise<boolean> {
  if (await claimTrial(db, identity, userId, at)) return true;
  const owner = await db.selectFrom('trial_claims').select('user_id').where('identity', '=', identity).executeTakeFirst();
  return owner?.user_id === userId;
}

/** A plan by id or Stripe price (offered or not: a withdrawn plan still bills its members); neither: the first offered Stripe plan. */
export async function findPlan(
  db: Db,
  by: { id?: number; priceId?: string },
): Promise<(PlanRow & { stripePriceId: string | null }) | undefined> {
  let q = db
    .selectFrom('plans')
    .select(['id', 'name', 'interval', 'price_minor as priceMinor', 'currency', 'stripe_price_id as stripePriceId']);
  if (by.id !== undefined) q = q.where('id', '=', by.id);
  else if (by.priceId !== undefined) q = q.where('stripe_price_id', '=', by.priceId);
  else q = q.where('active', '=', 1).where('stripe_price_id', 'is not', null);
  return q.orderBy('position').orderBy('id').limit(1).executeTakeFirst();
}

export async function saveMembership(
  db: Db,
  userId: number,
  m: MembershipState & { planId?: number | null; inTrial?: boolean; subscriptionId?: string | null; notice?: string | null },
  at: string,
): Promise<void> {
  const values = {
    status: m.status,
    source: m.source,
    plan_id: m.planId ?? null,
    period_end: m.periodEnd,
    cancel_at_period_end: m.cancelAtPeriodEnd ? 1 : 0,
    in_trial: m.inTrial ? 1 : 0,
    subscription_id: m.subscriptionId ?? null,
    notice: m.notice ?? null,
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
): Promise<Array<{ userId: number; email: string; name: string; periodEnd: string; source: string; planId: number | null }>> {
  return db
    .selectFrom('memberships as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['m.user_id as userId', 'u.email', 'u.name', 'm.period_end as periodEnd', 'm.source', 'm.plan_id as planId'])
    .where((eb) => eb.or([eb('m.source', '=', 'trial'), eb('m.in_trial', '=', 1)]))
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
