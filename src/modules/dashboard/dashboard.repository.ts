import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Database } from '../../db/database.ts';
import { WAITING } from './dashboard.ts';

type Db = Kysely<Database>;

// The dashboard's reads: grouped counts over the site's own tables, the same SQL on both engines. Timestamps are
// ISO-8601 UTC text (decision 0002), so the first ten characters are the UTC day on either engine, with no date
// function. Every query is bounded by a range of days or a LIMIT.

/** The UTC day (YYYY-MM-DD) of an ISO timestamp column. Written out, never a parameter, so GROUP BY repeats it exactly. */
function dayOf(column: string): RawBuilder<string> {
  return sql<string>`substr(${sql.ref(column)}, 1, 10)`;
}

const toCounts = (rows: ReadonlyArray<{ day: string; n: string | number | bigint }>) => rows.map((r) => ({ day: r.day, n: Number(r.n) }));

export interface DayCount {
  day: string;
  n: number;
}

/** Questions students asked (imported and generated ones have no asker), by the day they were asked. */
export async function countAskedByDay(db: Db, from: string, to: string): Promise<DayCount[]> {
  const day = dayOf('created_at');
  const rows = await db
    .selectFrom('questions')
    .select([day.as('day'), (eb) => eb.fn.countAll<string | number>().as('n')])
    .where('asker_id', 'is not', null)
    .where('created_at', '>=', from)
    .where('created_at', '<=', to)
    .groupBy(day)
    .execute();
  return toCounts(rows);
}

/** Asked questions whose answer was published, by the day it was (hidden since or not: it was answered). */
export async function countAnsweredByDay(db: Db, from: string, to: string): Promise<DayCount[]> {
  const day = dayOf('published_at');
  const rows = await db
    .selectFrom('questions')
    .select([day.as('day'), (eb) => eb.fn.countAll<string | number>().as('n')])
    .where('asker_id', 'is not', null)
    .where('published_at', '>=', from)
    .where('published_at', '<=', to)
    .groupBy(day)
    .execute();
  return toCounts(rows);
}

/** When each asked question answered in the range was asked and published: the newest `limit`. */
export async function listAnswerTimes(
  db: Db,
  from: string,
  to: string,
  limit: number,
): Promise<Array<{ askedAt: string; publishedAt: string }>> {
  const rows = await db
    .selectFrom('questions')
    .select(['created_at as askedAt', 'published_at as publishedAt'])
    .where('asker_id', 'is not', null)
    .where('published_at', '>=', from)
    .where('published_at', '<=', to)
    .orderBy('published_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ askedAt: r.askedAt, publishedAt: r.publishedAt as string }));
}

/** Questions still waiting whose due time (asked + the target when they were asked) has passed. */
export async function countOverdue(db: Db, now: string): Promise<number> {
  const r = await db
    .selectFrom('questions')
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .where('status', 'in', [...WAITING])
    .where('due_at', 'is not', null)
    .where('due_at', '<', now)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

// Trials: every free trial, local or by card, claims its person's normalised email address (trial_claims; a card
// trial claims the card too, so only the email claims are counted, one per trial).
const EMAIL_CLAIM = 'email:%';

/** Free trials started, by day. */
export async function countTrialsByDay(db: Db, from: string, to: string): Promise<DayCount[]> {
  const day = dayOf('created_at');
  const rows = await db
    .selectFrom('trial_claims')
    .select([day.as('day'), (eb) => eb.fn.countAll<string | number>().as('n')])
    .where('identity', 'like', EMAIL_CLAIM)
    .where('created_at', '>=', from)
    .where('created_at', '<=', to)
    .groupBy(day)
    .execute();
  return toCounts(rows);
}

/**
 * Trials started between `from` and `to` (the caller shifts the range back by a trial's length, so these are the
 * trials that ended in it), and how many of their people pay now: a Stripe membership past its trial, active or
 * canceled but running (paid for its period). Only the current state of a membership is stored, so someone who
 * paid and has since left is not counted.
 */
export async function trialOutcomes(db: Db, from: string, to: string): Promise<{ ended: number; paying: number }> {
  // Literals written out, not parameters: PostgreSQL would read a bare parameter in a CASE as text, and sum fails.
  const paying = sql<string | number | null>`sum(case when ${sql.ref('m.source')} = 'stripe' and ${sql.ref('m.in_trial')} = 0 and ${sql.ref(
    'm.status',
  )} in ('active', 'canceled') then 1 else 0 end)`;
  const r = await db
    .selectFrom('trial_claims as t')
    .leftJoin('memberships as m', 'm.user_id', 't.user_id')
    .select((eb) => [eb.fn.countAll<string | number>().as('ended'), paying.as('paying')])
    .where('t.identity', 'like', EMAIL_CLAIM)
    .where('t.created_at', '>=', from)
    .where('t.created_at', '<=', to)
    .executeTakeFirstOrThrow();
  return { ended: Number(r.ended), paying: Number(r.paying ?? 0) };
}

export interface MembershipGroup {
  source: 'trial' | 'complimentary' | 'stripe';
  inTrial: boolean;
  status: string;
  canceled: boolean;
  n: number;
}

/** Memberships running now, counted by kind and state. */
export async function countRunningMemberships(db: Db, now: string): Promise<MembershipGroup[]> {
  const rows = await db
    .selectFrom('memberships')
    .select(['source', 'in_trial', 'status', 'cancel_at_period_end', (eb) => eb.fn.countAll<string | number>().as('n')])
    .where('status', '!=', 'expired')
    .where('period_end', '>', now)
    .groupBy(['source', 'in_trial', 'status', 'cancel_at_period_end'])
    .execute();
  return rows.map((r) => ({
    source: r.source,
    inTrial: r.in_trial === 1 || r.source === 'trial',
    status: r.status,
    canceled: r.cancel_at_period_end === 1,
    n: Number(r.n),
  }));
}

/**
 * Free trials (no card) canceled, by the day they were: nothing but cancelling and resuming changes such a
 * membership after it starts, so its last change is the cancellation.
 */
export async function countTrialCancelsByDay(db: Db, from: string, to: string): Promise<DayCount[]> {
  const day = dayOf('updated_at');
  const rows = await db
    .selectFrom('memberships')
    .select([day.as('day'), (eb) => eb.fn.countAll<string | number>().as('n')])
    .where('source', '=', 'trial')
    .where('cancel_at_period_end', '=', 1)
    .where('updated_at', '>=', from)
    .where('updated_at', '<=', to)
    .groupBy(day)
    .execute();
  return toCounts(rows);
}

/** Stripe memberships whose access ended, by the day it did (a subscription's end is all the table keeps of it). */
export async function countStripeEndsByDay(db: Db, from: string, to: string): Promise<DayCount[]> {
  const day = dayOf('period_end');
  const rows = await db
    .selectFrom('memberships')
    .select([day.as('day'), (eb) => eb.fn.countAll<string | number>().as('n')])
    .where('source', '=', 'stripe')
    .where('in_trial', '=', 0)
    // Ended or canceled: an active one just past its period end is waiting for its renewal to be reported.
    .where('status', 'in', ['expired', 'canceled'])
    .where('period_end', '>=', from)
    .where('period_end', '<=', to)
    .groupBy(day)
    .execute();
  return toCounts(rows);
}

export interface PayingPlan {
  planId: number | null;
  name: string | null;
  interval: 'month' | 'year' | null;
  priceMinor: number | null;
  currency: string | null;
  members: number;
}

/** Paying Stripe memberships running now (past their trial, active or canceled at period end), by plan. */
export async function countPayingByPlan(db: Db, now: string): Promise<PayingPlan[]> {
  const rows = await db
    .selectFrom('memberships as m')
    .leftJoin('plans as p', 'p.id', 'm.plan_id')
    .select([
      'm.plan_id as planId',
      'p.name',
      'p.interval',
      'p.price_minor as priceMinor',
      'p.currency',
      (eb) => eb.fn.countAll<string | number>().as('members'),
    ])
    .where('m.source', '=', 'stripe')
    .where('m.in_trial', '=', 0)
    .where('m.status', 'in', ['active', 'canceled'])
    .where('m.period_end', '>', now)
    .groupBy(['m.plan_id', 'p.name', 'p.interval', 'p.price_minor', 'p.currency'])
    .execute();
  return rows.map((r) => ({ ...r, members: Number(r.members) }));
}

/** The queries searched most often without a result over the days from `fromDay`. */
export async function topSearchMisses(db: Db, fromDay: string, limit: number): Promise<Array<{ query: string; searches: number }>> {
  const total = sql<string | number>`sum(${sql.ref('misses')})`;
  const rows = await db
    .selectFrom('search_misses')
    .select(['query', total.as('searches')])
    .where('day', '>=', fromDay)
    .groupBy('query')
    .orderBy(total, 'desc')
    .orderBy('query')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ query: r.query, searches: Number(r.searches) }));
}
