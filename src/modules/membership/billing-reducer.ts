import { cardIdentity, extraTrials, membershipFromSubscription, pickSubscription, type SubscriptionSnapshot } from './billing.ts';
import { isMember, type MembershipState, trialIdentity } from './membership.ts';

// How one reconcile changes a person's membership, as a pure function. A webhook only names the customer (see
// docs/decisions/0007-stripe-billing.md), so what this reduces is not the event's payload but what Stripe lists
// when the event is handled. The service loads the stored membership, asks this, and writes what it answers; the
// tests fold it over every order of events without a database.

/** A membership as a reconcile reads and writes it: the subscription it follows, and the notice the billing page shows. */
export interface BillingMembership extends MembershipState {
  inTrial: boolean;
  subscriptionId: string | null;
  notice: string | null;
}

/** What one reconcile learns: a customer's subscriptions as Stripe lists them at `nowMs`, and whose customer it is. */
export interface StripeObservation {
  subscriptions: SubscriptionSnapshot[];
  nowMs: number;
  /** The person's address: one of the identities a trial is held under. */
  email: string;
  /**
   * The answer to a `hold_trial` step: true when every identity it named was held for this person (claimed now or
   * before), false when any belongs to someone else. Absent until the reducer asks.
   */
  trialHeld?: boolean;
}

export type ReconcileStep =
  /** Nothing to write: no subscription that gives a membership, or one that would cut short a membership from outside Stripe. */
  | { kind: 'ignore' }
  /** The followed subscription is a trial: hold these identities for the person, then ask again with `trialHeld`. */
  | { kind: 'hold_trial'; identities: string[] }
  | {
      kind: 'save';
      membership: BillingMembership;
      /** The subscription followed; its price names the plan. */
      subscription: SubscriptionSnapshot;
      refused: boolean;
      /** A trial the membership was not already following: its terms are mailed. */
      trialStarted: boolean;
      /** Subscriptions to end at Stripe after the write commits, charging nothing. */
      endNow: string[];
    };

export type SettledStep = Exclude<ReconcileStep, { kind: 'hold_trial' }>;

const TRIAL_REFUSED = 'trial_refused';

/**
 * The next step of one reconcile for a person's stored membership (null: none yet). Whether a trial's identities
 * are free is settled by a write that decides races between accounts, so the reducer cannot know it: it asks
 * (`hold_trial`), and the caller holds them in its transaction and asks again with the answer.
 */
export function reconcileMembership(current: BillingMembership | null, seen: StripeObservation & { trialHeld: boolean }): SettledStep;
export function reconcileMembership(current: BillingMembership | null, seen: StripeObservation): ReconcileStep;
export function reconcileMembership(current: BillingMembership | null, seen: StripeObservation): ReconcileStep {
  const chosen = pickSubscription(seen.subscriptions, current?.subscriptionId);
  const next = chosen ? membershipFromSubscription(chosen, seen.nowMs) : null;
  if (!chosen || !next) return { kind: 'ignore' };
  // A running complimentary membership or local trial outlives a subscription that gives nothing.
  if (current && current.source !== 'stripe' && isMember(current, seen.nowMs) && !isMember(next, seen.nowMs)) return { kind: 'ignore' };

  const sameSubscription = current?.subscriptionId === chosen.id;
  let refused = false;
  if (next.inTrial) {
    // A refusal is made once per subscription: until Stripe reports it ended (the cancel may have failed and be
    // retried), it is refused again without asking the identities, which by then could say otherwise (another card).
    if (sameSubscription && current?.notice === TRIAL_REFUSED) refused = true;
    else if (seen.trialHeld === undefined)
      return {
        kind: 'hold_trial',
        identities: [trialIdentity(seen.email), ...(chosen.cardFingerprint ? [cardIdentity(chosen.cardFingerprint)] : [])],
      };
    else refused = !seen.trialHeld;
  }

  const extras = extraTrials(seen.subscriptions, chosen).map((s) => s.id);
  if (refused)
    return {
      kind: 'save',
      membership: {
        status: 'expired',
        source: 'stripe',
        periodEnd: new Date(seen.nowMs).toISOString(),
        cancelAtPeriodEnd: false,
        subscriptionId: chosen.id,
        inTrial: false,
        notice: TRIAL_REFUSED,
      },
      subscription: chosen,
      refused: true,
      trialStarted: false,
      // A refused trial is still trialing at Stripe (only trials are refused), so nothing has been charged yet.
      endNow: [chosen.id, ...extras],
    };
  return {
    kind: 'save',
    // A notice belongs to the subscription it was about; following another one clears it.
    membership: { ...next, notice: sameSubscription ? (current?.notice ?? null) : null },
    subscription: chosen,
    refused: false,
    trialStarted: next.inTrial && !(current?.inTrial && sameSubscription),
    endNow: extras,
  };
}
