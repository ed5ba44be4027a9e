// Orders in which Stripe may deliver a subscription's events. The pure reducer is folded over every one of them;
// over HTTP a fixed sample is enough to show the service drives that same reducer.

/** The six events of one subscription's life, in the order Stripe sends them. */
export const SUBSCRIPTION_EVENTS = [
  'checkout.session.completed',
  'customer.subscription.created',
  'customer.subscription.updated',
  'invoice.paid',
  'invoice.payment_failed',
  'customer.subscription.deleted',
] as const;

export type SubscriptionEvent = (typeof SUBSCRIPTION_EVENTS)[number];

/** Every ordering of a list (720 for six), the given order first and its reverse last. */
export function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((x, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((p) => [x, ...p]));
}

/**
 * `count` of the orderings, the same on every run: the first and the last, and the rest at even steps between.
 * Permutations come grouped by their first item, so even steps give each item its turn to arrive first.
 */
export function spreadSample<T>(all: readonly T[], count: number): T[] {
  if (count >= all.length) return [...all];
  const last = all.length - 1;
  return Array.from({ length: count }, (_, k) => all[Math.round((k * last) / (count - 1))] as T);
}
