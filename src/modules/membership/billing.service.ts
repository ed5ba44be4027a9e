import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { Clock } from '../../lib/time.ts';
import type { Mailer } from '../mail/index.ts';
import * as billingRepo from './billing.repository.ts';
import { type BillingEvent, type BillingProvider, BillingUnavailable, MEMBERSHIP_EVENTS } from './billing.ts';
import { reconcileMembership, type SettledStep } from './billing-reducer.ts';
import { trialStartedMail } from './emails.tsx';
import * as repo from './membership.repository.ts';
import { isMember, trialIdentity } from './membership.ts';

type Db = Kysely<Database>;

export interface BillingDeps {
  db: Db;
  billing: BillingProvider;
  clock: Clock;
  mailer: Mailer;
  site: { name: string; url: string };
  trialHours: number;
  reminderHours: number;
}

export type CheckoutStart = { url: string } | { problem: 'already_member' | 'no_plan' | 'unavailable' };

/**
 * Sends a person to Stripe Checkout for a plan: with the free trial if their address has not had one (the card is
 * collected either way), otherwise straight to the paid plan. The trial is claimed only when the subscription
 * arrives, so an abandoned checkout costs nothing.
 */
export async function startCheckout(
  deps: BillingDeps,
  user: { userId: number; email: string; name: string },
  planId: number | null,
): Promise<CheckoutStart> {
  const now = deps.clock.now().getTime();
  if (isMember(await repo.findMembership(deps.db, user.userId), now)) return { problem: 'already_member' };
  const offered = (await repo.listAllPlans(deps.db)).filter((p) => p.active && p.stripePriceId);
  const plan = planId === null ? offered[0] : offered.find((p) => p.id === planId);
  if (!plan?.stripePriceId) return { problem: 'no_plan' };
  const trial = !(await repo.trialClaimed(deps.db, trialIdentity(user.email)));
  try {
    let customerId = await billingRepo.findCustomerId(deps.db, user.userId);
    if (!customerId) {
      const created = await deps.billing.createCustomer(user);
      customerId = await billingRepo.linkCustomer(deps.db, user.userId, created, new Date(now).toISOString());
    }
    return await deps.billing.createCheckout({
      customerId,
      userId: user.userId,
      priceId: plan.stripePriceId,
      ...(trial ? { trialEndMs: now + deps.trialHours * 3600_000 } : {}),
      successUrl: `${deps.site.url}/membership/welcome?session_id={CHECKOUT_SESSION_ID}`,
      cancelUrl: `${deps.site.url}/membership?checkout=canceled`,
    });
  } catch (err) {
    if (err instanceof BillingUnavailable) return { problem: 'unavailable' };
    throw err;
  }
}

export type SyncResult = 'applied' | 'duplicate' | 'ignored' | 'unknown_customer';

/**
 * Brings one customer's membership in line with what Stripe holds now. Webhook payloads only say which customer
 * to look at: the subscriptions are re-fetched, so events in any order, late or repeated, end in Stripe's state.
 * With an event, its id is recorded in the same transaction as the change, so a redelivery changes nothing.
 * A trial is claimed here, per normalised address and per card; a trial whose address or card had one under
 * another account is ended at once, with nothing charged.
 */
export async function syncCustomer(deps: BillingDeps, customerId: string, event?: BillingEvent): Promise<SyncResult> {
  const nowDate = deps.clock.now();
  const now = nowDate.toISOString();
  const owner = await billingRepo.findCustomerOwner(deps.db, customerId);
  if (!owner) {
    // A customer made outside Scholia: acknowledged (Stripe stops retrying), recorded, no effect.
    if (event) await billingRepo.recordEvent(deps.db, event.id, event.type, now);
    return 'unknown_customer';
  }
  const seen = { subscriptions: await deps.billing.listSubscriptions(customerId), nowMs: nowDate.getTime(), email: owner.email };

  const outcome = await deps.db.transaction().execute(async (trx) => {
    if (event && !(await billingRepo.recordEvent(trx, event.id, event.type, now))) return { result: 'duplicate' as const };
    // The decision is made on the row read in this transaction, the one the write replaces.
    const current = (await repo.findMembership(trx, owner.userId)) ?? null;
    const asked = reconcileMembership(current, seen);
    let step: SettledStep;
    if (asked.kind === 'hold_trial') {
      let held = true;
      // Every identity is held even after one is refused: a refused attempt still uses up the free ones' trials.
      for (const identity of asked.identities) {
        if (!(await repo.holdTrial(trx, identity, owner.userId, now))) held = false;
      }
      step = reconcileMembership(current, { ...seen, trialHeld: held });
    } else {
      step = asked;
    }
    if (step.kind === 'ignore') return { result: 'ignored' as const };
    const priceId = step.subscription.priceId;
    const plan = priceId ? await repo.findPlan(trx, { priceId }) : undefined;
    await repo.saveMembership(trx, owner.userId, { ...step.membership, planId: plan?.id ?? null }, now);
    return { result: 'applied' as const, step, plan };
  });

  // Side effects after the commit.
  if (outcome.result === 'applied') {
    const { step, plan } = outcome;
    for (const subscriptionId of step.endNow) await deps.billing.cancelNow(subscriptionId);
    if (step.trialStarted && !owner.deleted)
      await deps.mailer.send(
        trialStartedMail(deps.site, owner.email, owner.name, step.membership.periodEnd, plan ?? null, deps.reminderHours),
      );
  }
  return outcome.result;
}

/** A verified webhook event: membership events sync their customer; anything else is acknowledged. */
export async function handleEvent(deps: BillingDeps, event: BillingEvent): Promise<SyncResult> {
  if (!MEMBERSHIP_EVENTS.has(event.type) || !event.customerId) {
    await billingRepo.recordEvent(deps.db, event.id, event.type, deps.clock.now().toISOString());
    return 'ignored';
  }
  return syncCustomer(deps, event.customerId, event);
}

/** The return page after Checkout: syncs at once (the webhook may come later) if the session is this person's. */
export async function finishCheckout(deps: BillingDeps, userId: number, sessionId: string): Promise<'ok' | 'not_yours' | 'unavailable'> {
  try {
    const outcome = await deps.billing.readCheckout(sessionId);
    if (outcome.userId !== userId || !outcome.customerId) return 'not_yours';
    if ((await billingRepo.findCustomerId(deps.db, userId)) !== outcome.customerId) return 'not_yours';
    await syncCustomer(deps, outcome.customerId);
    return 'ok';
  } catch (err) {
    if (err instanceof BillingUnavailable) return 'unavailable';
    throw err;
  }
}

/** Cancel (at the period's end) or resume a Stripe subscription, then mirror Stripe's answer. */
export async function setStripeCancel(deps: BillingDeps, userId: number, cancel: boolean): Promise<'ok' | 'none' | 'unavailable'> {
  const m = await repo.findMembership(deps.db, userId);
  const customerId = await billingRepo.findCustomerId(deps.db, userId);
  if (m?.source !== 'stripe' || !m.subscriptionId || !customerId) return 'none';
  try {
    await deps.billing.setCancelAtPeriodEnd(m.subscriptionId, cancel);
    await syncCustomer(deps, customerId);
    return 'ok';
  } catch (err) {
    if (err instanceof BillingUnavailable) return 'unavailable';
    throw err;
  }
}

export async function portalUrl(deps: BillingDeps, userId: number): Promise<string | null> {
  const customerId = await billingRepo.findCustomerId(deps.db, userId);
  if (!customerId) return null;
  try {
    return (await deps.billing.createPortal(customerId, `${deps.site.url}/account/billing`)).url;
  } catch (err) {
    if (err instanceof BillingUnavailable) return null;
    throw err;
  }
}

/**
 * Re-syncs every customer from Stripe: catches up on webhooks that never arrived (an outage, a wrong endpoint).
 * One customer's failure is counted and the walk goes on.
 */
export async function reconcileAll(
  deps: BillingDeps,
  progress?: { start(total: number): void; tick(): void; stop(): void },
): Promise<{ customers: number; failed: number }> {
  const total = await billingRepo.countCustomers(deps.db);
  progress?.start(total);
  let after = 0;
  let customers = 0;
  let failed = 0;
  for (;;) {
    const page = await billingRepo.listCustomers(deps.db, after, 100);
    if (page.length === 0) break;
    for (const c of page) {
      try {
        await syncCustomer(deps, c.customerId);
      } catch {
        failed++;
      }
      customers++;
      progress?.tick();
    }
    after = page[page.length - 1]?.userId ?? after;
  }
  progress?.stop();
  return { customers, failed };
}

/** The daily reconcile, run by whichever app process claims it first each day. */
export async function reconcileDaily(deps: BillingDeps): Promise<{ customers: number; failed: number } | null> {
  const now = deps.clock.now();
  const due = new Date(now.getTime() - 24 * 3600_000).toISOString();
  if (!(await billingRepo.claimDailyReconcile(deps.db, now.toISOString(), due))) return null;
  return reconcileAll(deps);
}
