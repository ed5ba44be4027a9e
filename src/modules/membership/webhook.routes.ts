import type { FastifyPluginAsync } from 'fastify';
import { type BillingDeps, handleEvent } from './billing.service.ts';
import { BillingEventMalformed, BillingEventRefused, BillingUnavailable } from './billing.ts';

/**
 * POST /webhooks/stripe: Stripe's events about checkouts, subscriptions and invoices. The body is kept as the raw
 * bytes Stripe signed. Refused (400): no or a bad signature, a timestamp older than five minutes (a replay) or
 * ahead of our clock, or a signed body that is not an event of Stripe's shape (the provider checks it field by
 * field, so nothing below reads a missing one). A 503 when Stripe cannot be reached for the re-fetch, so Stripe
 * delivers again later.
 */
export function stripeWebhookRoutes(deps: BillingDeps): FastifyPluginAsync {
  return async (app) => {
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    // Stripe signs the bytes of the body; no form, so no CSRF token, and no schema: the provider checks the event.
    app.post('/webhooks/stripe', { config: { allow: 'anyone', csrfExempt: 'Stripe signature' } }, async (request, reply) => {
      reply.header('cache-control', 'no-store');
      const signature = request.headers['stripe-signature'];
      if (typeof signature !== 'string' || !Buffer.isBuffer(request.body))
        return reply.code(400).send({ error: 'A Stripe-Signature header and a JSON body are required.' });
      let event: ReturnType<BillingDeps['billing']['verifyEvent']>;
      try {
        event = deps.billing.verifyEvent(request.body, signature, deps.clock.now().getTime());
      } catch (err) {
        if (!(err instanceof BillingEventRefused)) throw err;
        // The reason goes to the log only: the answer says which kind of refusal, nothing of the body or the parser.
        if (err instanceof BillingEventMalformed) {
          request.log.warn({ reason: err.message }, 'stripe webhook refused: signed, but not an event Scholia can read');
          return reply.code(400).send({ error: 'The signed body is not an event Scholia can read.' });
        }
        request.log.warn({ reason: err.message }, 'stripe webhook refused');
        return reply.code(400).send({ error: 'The signature or its timestamp was not accepted.' });
      }
      try {
        const result = await handleEvent(deps, event);
        request.log.info({ event: event.id, type: event.type, result }, 'stripe webhook');
        return reply.send({ received: true, result });
      } catch (err) {
        if (!(err instanceof BillingUnavailable)) throw err;
        request.log.warn({ event: event.id, reason: err.message }, 'stripe webhook: Stripe unreachable, asking for a retry');
        return reply.code(503).send({ error: 'Stripe could not be reached; deliver again later.' });
      }
    });
  };
}
