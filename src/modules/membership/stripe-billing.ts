import Stripe from 'stripe';
import type { StripeSettings } from '../../config.ts';
import {
  type BillingEvent,
  BillingEventMalformed,
  BillingEventRefused,
  type BillingProvider,
  BillingUnavailable,
  type CheckoutOutcome,
  type CheckoutRequest,
  MEMBERSHIP_EVENTS,
  type SubscriptionSnapshot,
} from './billing.ts';

/** How far a webhook's signed timestamp may lie behind (Stripe's own default) or ahead of our clock. */
const TOLERANCE_SECONDS = 300;

const idOf = (v: string | { id: string } | null | undefined): string | null => (v == null ? null : typeof v === 'string' ? v : v.id);

function snapshot(s: Stripe.Subscription): SubscriptionSnapshot {
  // Since API version 2025-03-31 the period lives on each item; older accounts still send it on the subscription.
  const itemEnds = s.items.data.map((i) => (i as { current_period_end?: number }).current_period_end ?? 0);
  const legacyEnd = (s as unknown as { current_period_end?: number }).current_period_end ?? 0;
  const periodEnd = Math.max(legacyEnd, ...itemEnds, s.trial_end ?? 0);
  const pm = s.default_payment_method;
  return {
    id: s.id,
    customerId: idOf(s.customer) ?? '',
    status: s.status,
    periodEndMs: periodEnd * 1000,
    trialEndMs: s.trial_end ? s.trial_end * 1000 : null,
    endedAtMs: s.ended_at ? s.ended_at * 1000 : null,
    cancelAtPeriodEnd: s.cancel_at_period_end,
    priceId: s.items.data[0]?.price?.id ?? null,
    cardFingerprint: pm && typeof pm !== 'string' ? (pm.card?.fingerprint ?? null) : null,
    createdMs: s.created * 1000,
  };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A customer as an event names it: its id, or the expanded customer; null when Stripe says none; else undefined. */
function customerOf(v: unknown): string | null | undefined {
  if (v === null) return null;
  const id = isRecord(v) ? v.id : v;
  return typeof id === 'string' && id !== '' ? id : undefined;
}

/**
 * Reads a signed Stripe event, checking every field Scholia goes on to use. The signature says who sent the bytes,
 * not that they are an event: a body hand-made with the signing secret, or an API version not met before, must be
 * refused here (400, and Stripe shows the delivery as failed), not fail half way through the database (500) or be
 * recorded under a missing id (SQLite takes a NULL primary key in billing_events). Membership events must name their customer as Stripe always does (an id, the expanded
 * customer, or null when there is none); other types are acknowledged and dropped, so their object only has to be
 * an object.
 */
export function parseStripeEvent(payload: unknown): BillingEvent {
  if (!isRecord(payload)) throw new BillingEventMalformed('the body is not a JSON object');
  const { id, type, data } = payload;
  if (typeof id !== 'string' || id === '') throw new BillingEventMalformed('the event has no id');
  if (typeof type !== 'string' || type === '') throw new BillingEventMalformed(`event ${id} has no type`);
  const object = isRecord(data) ? data.object : undefined;
  if (!isRecord(object)) throw new BillingEventMalformed(`event ${id} (${type}) has no data.object`);
  const customerId = customerOf(object.object === 'customer' ? object.id : object.customer);
  if (customerId === undefined && MEMBERSHIP_EVENTS.has(type))
    throw new BillingEventMalformed(`event ${id} (${type}) names no customer id`);
  return { id, type, customerId: customerId ?? null };
}

/** Every call goes through here so that a provider failure reaches callers as BillingUnavailable. */
async function call<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    const e = err as { type?: string; message?: string; statusCode?: number };
    throw new BillingUnavailable(`Stripe ${what} failed: ${e.type ?? 'error'} ${e.statusCode ?? ''} ${e.message ?? String(err)}`.trim());
  }
}

/** The real adapter: the Stripe SDK, at api.stripe.com or at the stand-in STRIPE_API_URL names. */
export function stripeBilling(settings: StripeSettings): BillingProvider {
  const stripe = new Stripe(settings.secretKey, {
    maxNetworkRetries: 2,
    timeout: 15_000,
    appInfo: { name: 'Scholia' },
    ...(settings.api ? { host: settings.api.host, port: settings.api.port, protocol: settings.api.protocol } : {}),
  });
  return {
    name: 'stripe',
    createCustomer: (user) =>
      call('customer creation', async () => {
        const c = await stripe.customers.create(
          { email: user.email, name: user.name, metadata: { scholia_user_id: String(user.userId) } },
          // Two tabs starting checkout at once make one customer.
          { idempotencyKey: `scholia-customer-${user.userId}` },
        );
        return c.id;
      }),
    createCheckout: (r: CheckoutRequest) =>
      call('checkout', async () => {
        const session = await stripe.checkout.sessions.create({
          mode: 'subscription',
          customer: r.customerId,
          client_reference_id: String(r.userId),
          line_items: [{ price: r.priceId, quantity: 1 }],
          // The card is collected even for the free trial, so the trial can turn into the plan without a step.
          payment_method_collection: 'always',
          subscription_data: {
            metadata: { scholia_user_id: String(r.userId) },
            ...(r.trialEndMs ? { trial_end: Math.floor(r.trialEndMs / 1000) } : {}),
          },
          success_url: r.successUrl,
          cancel_url: r.cancelUrl,
        });
        if (!session.url) throw new Error('checkout session has no URL');
        return { url: session.url };
      }),
    readCheckout: (sessionId) =>
      call('checkout lookup', async (): Promise<CheckoutOutcome> => {
        const s = await stripe.checkout.sessions.retrieve(sessionId);
        const userId = s.client_reference_id && /^\d+$/.test(s.client_reference_id) ? Number(s.client_reference_id) : null;
        return { userId, customerId: idOf(s.customer as string | { id: string } | null), complete: s.status === 'complete' };
      }),
    createPortal: (customerId, returnUrl) =>
      call('portal', async () => {
        const p = await stripe.billingPortal.sessions.create({ customer: customerId, return_url: returnUrl });
        return { url: p.url };
      }),
    listSubscriptions: (customerId) =>
      call('subscription list', async () => {
        const list = await stripe.subscriptions.list({
          customer: customerId,
          status: 'all',
          limit: 100,
          expand: ['data.default_payment_method'],
        });
        return list.data.map(snapshot);
      }),
    setCancelAtPeriodEnd: (subscriptionId, cancel) =>
      call('subscription update', async () => {
        await stripe.subscriptions.update(subscriptionId, { cancel_at_period_end: cancel });
      }),
    cancelNow: (subscriptionId) =>
      call('subscription cancel', async () => {
        await stripe.subscriptions.cancel(subscriptionId, { invoice_now: false, prorate: false });
      }),
    verifyEvent(rawBody, signatureHeader, nowMs): BillingEvent {
      const t = /(?:^|,)\s*t=(\d{1,12})(?:,|$)/.exec(signatureHeader)?.[1];
      if (!t) throw new BillingEventRefused('no timestamp in the Stripe-Signature header');
      // The SDK refuses old timestamps only; one far ahead of our clock is as suspect (a replay prepared in advance).
      if (Number(t) * 1000 > nowMs + TOLERANCE_SECONDS * 1000) throw new BillingEventRefused('timestamp in the future');
      let event: unknown;
      try {
        event = stripe.webhooks.constructEvent(rawBody, signatureHeader, settings.webhookSecret, TOLERANCE_SECONDS, undefined, nowMs);
      } catch (err) {
        // The SDK checks the signature before it parses the body, so a syntax error means signed bytes that are not JSON.
        if (err instanceof SyntaxError) throw new BillingEventMalformed(`the signed body is not JSON: ${err.message}`);
        throw new BillingEventRefused((err as Error).message);
      }
      // Typed as a Stripe.Event by the SDK, but nothing has checked its shape yet.
      return parseStripeEvent(event);
    },
  };
}
