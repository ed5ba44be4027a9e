import type { MembershipState } from './membership.ts';

// The payment provider as the membership module needs it, and the pure rules that turn a provider's subscription
// into a membership. The Stripe adapter (stripe-billing.ts) implements the port; nothing else knows Stripe.

/** A subscription as the provider holds it now (always re-fetched, never taken from a webhook's payload). */
export interface SubscriptionSnapshot {
  id: string;
  customerId: string;
  /** The provider's status: trialing, active, past_due, canceled, unpaid, incomplete, incomplete_expired, paused. */
  status: string;
  /** End of the period paid for or of the trial, in ms. */
  periodEndMs: number;
  trialEndMs: number | null;
  endedAtMs: number | null;
  cancelAtPeriodEnd: boolean;
  priceId: string | null;
  /** The card's fingerprint: the same card gives the same value for every customer. */
  cardFingerprint: string | null;
  createdMs: number;
}

export interface CheckoutRequest {
  customerId: string;
  userId: number;
  priceId: string;
  /** Absent: the person has had their trial, so the subscription starts paid. */
  trialEndMs?: number;
  successUrl: string;
  cancelUrl: string;
}

export interface CheckoutOutcome {
  userId: number | null;
  customerId: string | null;
  complete: boolean;
}

/** Thrown by adapters when the provider cannot be reached or refuses; its message is safe to log, not to show. */
export class BillingUnavailable extends Error {
  override name = 'BillingUnavailable';
}

/** A webhook that is not from the provider, or is too old or from the future. */
export class BillingEventRefused extends Error {
  override name = 'BillingEventRefused';
}

/**
 * A webhook signed by the provider whose body is not an event Scholia can read (not JSON, no id or type, no
 * object, a customer that is not an id). Refused like a bad signature, so it never reaches the database half read;
 * its own class lets the webhook say which of the two it was.
 */
export class BillingEventMalformed extends BillingEventRefused {
  override name = 'BillingEventMalformed';
}

export interface BillingEvent {
  id: string;
  type: string;
  /** The customer the event concerns, when it names one. */
  customerId: string | null;
}

export interface BillingProvider {
  readonly name: 'stripe';
  createCustomer(user: { userId: number; email: string; name: string }): Promise<string>;
  createCheckout(request: CheckoutRequest): Promise<{ url: string }>;
  readCheckout(sessionId: string): Promise<CheckoutOutcome>;
  createPortal(customerId: string, returnUrl: string): Promise<{ url: string }>;
  listSubscriptions(customerId: string): Promise<SubscriptionSnapshot[]>;
  setCancelAtPeriodEnd(subscriptionId: string, cancel: boolean): Promise<void>;
  /** Ends a subscription at once, charging nothing (a refused trial). */
  cancelNow(subscriptionId: string): Promise<void>;
  /**
   * Checks the signature and the timestamp (at `nowMs`) and reads what the event is about. Throws
   * BillingEventRefused for a signature or timestamp not accepted, BillingEventMalformed for a body that is not an
   * event of the shape the provider sends; what it returns has been checked field by field.
   */
  verifyEvent(rawBody: Buffer, signatureHeader: string, nowMs: number): BillingEvent;
}

/** Webhook types that change a membership; the others are acknowledged and ignored. */
export const MEMBERSHIP_EVENTS = new Set([
  'checkout.session.completed',
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
  'customer.subscription.paused',
  'customer.subscription.resumed',
  'invoice.paid',
  'invoice.payment_failed',
]);

const GRANTING = new Set(['trialing', 'active', 'past_due']);
const ENDED = new Set(['canceled', 'unpaid', 'incomplete_expired', 'paused']);

/**
 * The subscription a person's membership follows when they have several (an old canceled one and a new one):
 * one that grants access first, the one already followed (`followedId`) before another that grants access too,
 * then the newest.
 */
export function pickSubscription(subs: SubscriptionSnapshot[], followedId?: string | null): SubscriptionSnapshot | undefined {
  const grants = (s: SubscriptionSnapshot) => Number(GRANTING.has(s.status));
  const followed = (s: SubscriptionSnapshot) => Number(s.id === followedId);
  return [...subs].sort((a, b) => grants(b) - grants(a) || followed(b) - followed(a) || b.createdMs - a.createdMs)[0];
}

/**
 * Trials beside the one followed: a second Checkout finished in another tab. Ended at once (nothing has been
 * charged on a trial), so one person never pays twice.
 */
export function extraTrials(subs: SubscriptionSnapshot[], chosen: SubscriptionSnapshot): SubscriptionSnapshot[] {
  return subs.filter((s) => s.id !== chosen.id && s.status === 'trialing');
}

/**
 * The membership a subscription gives. Stripe's "canceled" means ended; ours means "canceled, access until the
 * period ends", which Stripe shows as cancel_at_period_end on a live subscription. Past due keeps access while
 * Stripe retries the payment; unpaid, paused or expired checkouts end it. Incomplete (checkout not finished)
 * gives nothing.
 */
export function membershipFromSubscription(
  s: SubscriptionSnapshot,
  nowMs: number,
): (MembershipState & { subscriptionId: string; inTrial: boolean }) | null {
  if (ENDED.has(s.status)) {
    const end = Math.min(s.endedAtMs ?? nowMs, s.periodEndMs, nowMs);
    return {
      status: 'expired',
      source: 'stripe',
      periodEnd: new Date(end).toISOString(),
      cancelAtPeriodEnd: false,
      subscriptionId: s.id,
      inTrial: false,
    };
  }
  if (!GRANTING.has(s.status)) return null;
  const inTrial = s.status === 'trialing';
  const end = inTrial && s.trialEndMs ? s.trialEndMs : s.periodEndMs;
  return {
    status: s.cancelAtPeriodEnd ? 'canceled' : (s.status as 'trialing' | 'active' | 'past_due'),
    source: 'stripe',
    periodEnd: new Date(end).toISOString(),
    cancelAtPeriodEnd: s.cancelAtPeriodEnd,
    subscriptionId: s.id,
    inTrial,
  };
}

/** The card's one-trial identity, next to the email's (see trialIdentity). */
export function cardIdentity(fingerprint: string): string {
  return `card:${fingerprint}`;
}
