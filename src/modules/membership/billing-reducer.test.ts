import { describe, expect, it } from 'vitest';
import { permutations, SUBSCRIPTION_EVENTS, type SubscriptionEvent } from '../../../test/helpers/orderings.ts';
import type { SubscriptionSnapshot } from './billing.ts';
import { type BillingMembership, reconcileMembership, type StripeObservation } from './billing-reducer.ts';
import type { MembershipState } from './membership.ts';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const T0 = Date.UTC(2026, 10, 26, 12, 0, 0);
const TRIAL_END = T0 + 2 * DAY;
const EMAIL = 'ana.b+school@gmail.com';
const ME = 'user 1';

const subscription = (over: Partial<SubscriptionSnapshot> = {}): SubscriptionSnapshot => ({
  id: 'sub_1',
  customerId: 'cus_1',
  status: 'trialing',
  periodEndMs: TRIAL_END,
  trialEndMs: TRIAL_END,
  endedAtMs: null,
  cancelAtPeriodEnd: false,
  priceId: 'price_monthly',
  cardFingerprint: 'fp_1',
  createdMs: T0,
  ...over,
});

const seenAt = (nowMs: number, ...subscriptions: SubscriptionSnapshot[]): StripeObservation => ({ subscriptions, nowMs, email: EMAIL });

/** The stored membership and the one-trial claims (identity to the account holding it; null once that account is gone). */
interface World {
  membership: BillingMembership | null;
  claims: ReadonlyMap<string, string | null>;
}

const fresh: World = { membership: null, claims: new Map() };

/**
 * One reconcile, as the service runs it: ask the reducer, hold the identities it names (all of them, each taken if
 * free), ask again with the answer, keep what it says to save. The database's part is played by a map.
 */
function handle(world: World, seen: StripeObservation): World {
  const claims = new Map(world.claims);
  let step = reconcileMembership(world.membership, seen);
  if (step.kind === 'hold_trial') {
    let held = true;
    for (const identity of step.identities) {
      if (!claims.has(identity)) claims.set(identity, ME);
      if (claims.get(identity) !== ME) held = false;
    }
    step = reconcileMembership(world.membership, { ...seen, trialHeld: held });
  }
  return { membership: step.kind === 'save' ? step.membership : world.membership, claims };
}

// Stripe's final state for the subscription, and the membership it must give (as the HTTP test has it).
const FINALS = [
  ['active', 'active'],
  ['past_due', 'past_due'],
  ['canceled', 'expired'],
  ['cancel_at_period_end', 'canceled'],
  ['trialing', 'trialing'],
] as const satisfies ReadonlyArray<readonly [string, MembershipState['status']]>;
type Final = (typeof FINALS)[number][0];

/**
 * The subscription at the moment Stripe sent each event: a trial, converted, renewed, a failed payment, then its
 * final state, a minute apart. As in the HTTP test, the final state is set on a subscription put back to trialing.
 */
function lifeOfSubscription(final: Final): Record<SubscriptionEvent, { atMs: number; snapshot: SubscriptionSnapshot }> {
  const at = (k: number) => T0 + k * MINUTE;
  const trialing = subscription();
  const active = subscription({ status: 'active', periodEndMs: at(2) + 30 * DAY });
  const pastDue = subscription({ status: 'past_due', periodEndMs: at(4) + 30 * DAY });
  const end = {
    active: { ...pastDue, status: 'active', periodEndMs: at(5) + 30 * DAY },
    past_due: { ...pastDue, periodEndMs: at(5) + 30 * DAY },
    canceled: { ...pastDue, status: 'canceled', endedAtMs: at(5) },
    cancel_at_period_end: { ...pastDue, status: 'trialing', cancelAtPeriodEnd: true },
    trialing: { ...pastDue, status: 'trialing' },
  }[final];
  return {
    'checkout.session.completed': { atMs: at(0), snapshot: trialing },
    'customer.subscription.created': { atMs: at(1), snapshot: trialing },
    'customer.subscription.updated': { atMs: at(2), snapshot: active },
    'invoice.paid': { atMs: at(3), snapshot: active },
    'invoice.payment_failed': { atMs: at(4), snapshot: pastDue },
    'customer.subscription.deleted': { atMs: at(5), snapshot: end },
  };
}

/**
 * Handles the events in this order of arrival. An event cannot arrive before it was sent, so each is handled at
 * the latest moment among those arrived so far, reading the subscription as Stripe has it then (never the
 * payload). `lateOnly`: every event arrives after the last was sent, as in the HTTP test.
 */
function deliver(order: readonly SubscriptionEvent[], final: Final, lateOnly = false): World {
  const life = lifeOfSubscription(final);
  const last = life['customer.subscription.deleted'];
  let moment = life[order[0] as SubscriptionEvent];
  let world = fresh;
  for (const type of order) {
    if (life[type].atMs > moment.atMs) moment = life[type];
    const now = lateOnly ? last : moment;
    world = handle(world, seenAt(now.atMs, now.snapshot));
  }
  return world;
}

describe('reconcileMembership over every order of a subscription’s six events', () => {
  const orderings = permutations(SUBSCRIPTION_EVENTS);

  it('has all 720 orderings, in order first', () => {
    expect(orderings).toHaveLength(720);
    expect(new Set(orderings.map((o) => o.join())).size).toBe(720);
    expect(orderings[0]).toEqual([...SUBSCRIPTION_EVENTS]);
  });

  it.each(FINALS)('ends in Stripe’s final state %s (membership %s) whenever the events arrive', (final, expected) => {
    const inOrder = deliver(SUBSCRIPTION_EVENTS, final).membership;
    expect(inOrder).toMatchObject({ status: expected, source: 'stripe', subscriptionId: 'sub_1', notice: null });
    const differing = orderings.filter((order) => {
      const reached = deliver(order, final).membership;
      return JSON.stringify(reached) !== JSON.stringify(inOrder);
    });
    // Named in full on failure: the orderings that ended elsewhere.
    expect(differing.map((o) => o.join(' > '))).toEqual([]);
  });

  it.each(FINALS)('ends in %s whatever the order when every event arrives after Stripe got there', (final, expected) => {
    const inOrder = deliver(SUBSCRIPTION_EVENTS, final, true).membership;
    expect(inOrder?.status).toBe(expected);
    for (const order of orderings) expect(deliver(order, final, true).membership).toEqual(inOrder);
  });
});

describe('reconcileMembership', () => {
  it('asks for the address’s and the card’s trial before starting one, and starts it once', () => {
    const seen = seenAt(T0, subscription());
    expect(reconcileMembership(null, seen)).toEqual({ kind: 'hold_trial', identities: ['email:anab@gmail.com', 'card:fp_1'] });
    const started = reconcileMembership(null, { ...seen, trialHeld: true });
    expect(started).toMatchObject({
      kind: 'save',
      membership: { status: 'trialing', inTrial: true, periodEnd: new Date(TRIAL_END).toISOString(), subscriptionId: 'sub_1' },
      trialStarted: true,
      endNow: [],
    });
    const again = reconcileMembership(started.kind === 'save' ? started.membership : null, { ...seen, trialHeld: true });
    expect(again).toMatchObject({ kind: 'save', trialStarted: false });
  });

  it('refuses a trial whose card had one under another account, ends it at Stripe, and asks no more about it', () => {
    const world = handle({ membership: null, claims: new Map([['card:fp_1', 'user 2']]) }, seenAt(T0, subscription()));
    expect(world.membership).toEqual({
      status: 'expired',
      source: 'stripe',
      periodEnd: new Date(T0).toISOString(),
      cancelAtPeriodEnd: false,
      inTrial: false,
      subscriptionId: 'sub_1',
      notice: 'trial_refused',
    });
    // The free identity was used up by the attempt.
    expect(world.claims.get('email:anab@gmail.com')).toBe(ME);
    expect(reconcileMembership(null, { ...seenAt(T0, subscription()), trialHeld: false })).toMatchObject({ endNow: ['sub_1'] });
    // Stripe has not ended it yet (the cancel failed): refused again, without asking the identities.
    const later = reconcileMembership(world.membership, seenAt(T0 + MINUTE, subscription({ cardFingerprint: 'fp_new' })));
    expect(later).toMatchObject({ kind: 'save', refused: true, endNow: ['sub_1'], membership: { notice: 'trial_refused' } });
  });

  it('leaves the membership as Stripe has it when an old event arrives after the newer ones', () => {
    const ended = deliver(SUBSCRIPTION_EVENTS, 'canceled');
    const canceled = lifeOfSubscription('canceled')['customer.subscription.deleted'];
    // The late checkout.session.completed carried a trialing subscription; what is read is Stripe's canceled one.
    const late = handle(ended, seenAt(canceled.atMs + 5 * MINUTE, canceled.snapshot));
    expect(late.membership).toEqual(ended.membership);
    expect(late.membership?.status).toBe('expired');
  });

  it('follows the subscription already followed and ends a second trial from another tab', () => {
    const first = subscription({ id: 'sub_first', createdMs: T0 });
    const second = subscription({ id: 'sub_second', createdMs: T0 + MINUTE });
    const current: BillingMembership = {
      status: 'trialing',
      source: 'stripe',
      periodEnd: new Date(TRIAL_END).toISOString(),
      cancelAtPeriodEnd: false,
      inTrial: true,
      subscriptionId: 'sub_first',
      notice: null,
    };
    const step = reconcileMembership(current, { ...seenAt(T0 + 2 * MINUTE, second, first), trialHeld: true });
    expect(step).toMatchObject({ kind: 'save', subscription: { id: 'sub_first' }, trialStarted: false, endNow: ['sub_second'] });
  });

  it('lets a running complimentary membership outlive a subscription that gives nothing, and keeps nothing to save otherwise', () => {
    const complimentary: BillingMembership = {
      status: 'active',
      source: 'complimentary',
      periodEnd: new Date(T0 + 90 * DAY).toISOString(),
      cancelAtPeriodEnd: false,
      inTrial: false,
      subscriptionId: null,
      notice: null,
    };
    const ended = subscription({ status: 'canceled', endedAtMs: T0 - DAY, periodEndMs: T0 - DAY });
    expect(reconcileMembership(complimentary, seenAt(T0, ended))).toEqual({ kind: 'ignore' });
    // A paid subscription takes over from it.
    expect(reconcileMembership(complimentary, seenAt(T0, subscription({ status: 'active', periodEndMs: T0 + 30 * DAY })))).toMatchObject({
      kind: 'save',
      membership: { status: 'active', source: 'stripe' },
    });
    // No subscription, or only a checkout not finished: nothing to write.
    expect(reconcileMembership(null, seenAt(T0))).toEqual({ kind: 'ignore' });
    expect(reconcileMembership(null, seenAt(T0, subscription({ status: 'incomplete' })))).toEqual({ kind: 'ignore' });
  });

  it('keeps a notice while following the same subscription and drops it on another', () => {
    const refused: BillingMembership = {
      status: 'expired',
      source: 'stripe',
      periodEnd: new Date(T0).toISOString(),
      cancelAtPeriodEnd: false,
      inTrial: false,
      subscriptionId: 'sub_1',
      notice: 'trial_refused',
    };
    const canceledAtStripe = subscription({ status: 'canceled', endedAtMs: T0 });
    expect(reconcileMembership(refused, seenAt(T0 + MINUTE, canceledAtStripe))).toMatchObject({ membership: { notice: 'trial_refused' } });
    const paid = subscription({ id: 'sub_2', status: 'active', periodEndMs: T0 + 30 * DAY, createdMs: T0 + MINUTE });
    expect(reconcileMembership(refused, seenAt(T0 + MINUTE, canceledAtStripe, paid))).toMatchObject({
      membership: { status: 'active', subscriptionId: 'sub_2', notice: null },
    });
  });
});
