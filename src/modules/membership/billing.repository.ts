import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';

type Db = Kysely<Database>;

export async function findCustomerId(db: Db, userId: number): Promise<string | undefined> {
  return (await db.selectFrom('billing_customers').select('customer_id').where('user_id', '=', userId).executeTakeFirst())?.customer_id;
}

/** Links a person to their provider customer; the first link wins, and its id is returned. */
export async function linkCustomer(db: Db, userId: number, customerId: string, at: string): Promise<string> {
  await db
    .insertInto('billing_customers')
    .values({ user_id: userId, customer_id: customerId, created_at: at })
    .onConflict((oc) => oc.doNothing())
    .execute();
  return (await findCustomerId(db, userId)) ?? customerId;
}

export async function findCustomerOwner(
  db: Db,
  customerId: string,
): Promise<{ userId: number; email: string; name: string; deleted: boolean } | undefined> {
  const row = await db
    .selectFrom('billing_customers as b')
    .innerJoin('users as u', 'u.id', 'b.user_id')
    .select(['u.id as userId', 'u.email', 'u.name', 'u.deleted_at'])
    .where('b.customer_id', '=', customerId)
    .executeTakeFirst();
  return row ? { userId: row.userId, email: row.email, name: row.name, deleted: row.deleted_at !== null } : undefined;
}

/** Records that an event took effect; false if it had already (a redelivery). Run in the effect's transaction. */
export async function recordEvent(db: Db, eventId: string, type: string, at: string): Promise<boolean> {
  const r = await db
    .insertInto('billing_events')
    .values({ event_id: eventId, type, received_at: at })
    .onConflict((oc) => oc.column('event_id').doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0n) === 1;
}

/** Customers in user order, a page at a time (reconcile walks all of them). */
export async function listCustomers(db: Db, afterUserId: number, limit: number): Promise<Array<{ userId: number; customerId: string }>> {
  return db
    .selectFrom('billing_customers')
    .select(['user_id as userId', 'customer_id as customerId'])
    .where('user_id', '>', afterUserId)
    .orderBy('user_id')
    .limit(limit)
    .execute();
}

export async function countCustomers(db: Db): Promise<number> {
  const r = await db
    .selectFrom('billing_customers')
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

const RECONCILED_KEY = 'billing.reconciled_at';

/**
 * Takes the daily reconcile for this process if the last one started before `dueBefore`: a compare-and-set on the
 * stored time, so of several app processes one runs it.
 */
export async function claimDailyReconcile(db: Db, now: string, dueBefore: string): Promise<boolean> {
  const inserted = await db
    .insertInto('site_settings')
    .values({ key: RECONCILED_KEY, value: now })
    .onConflict((oc) => oc.column('key').doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1) return true;
  const r = await db
    .updateTable('site_settings')
    .set({ value: now })
    .where('key', '=', RECONCILED_KEY)
    .where('value', '<', dueBefore)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}
