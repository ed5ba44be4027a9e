import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RouteContext } from '../../platform/context.ts';
import { errorPage } from '../../platform/errors.tsx';
import { signedIn } from '../../platform/guard.tsx';
import { sendHtml } from '../../platform/html.ts';
import { form } from '../../platform/schemas.ts';
import { csrfToken } from '../../platform/session.ts';
import { finishCheckout, portalUrl } from './billing.service.ts';
import { findPlanById, getMembership } from './membership.service.ts';
import { effectiveStatus, isMember } from './membership.ts';
import { BillingView } from './views/admin-pages.tsx';

/** A Checkout Session id as Stripe writes them; anything else names no checkout of ours (404). */
const CHECKOUT_SESSION = /^cs_[A-Za-z0-9_]{1,200}$/;

// Read leniently: the id is checked against CHECKOUT_SESSION below, so a damaged link is a 404 like an unknown one.
const WelcomeQuery = Type.Object({ session_id: Type.Optional(Type.String()) });

const CONFIRMING = 'Thank you. Stripe is confirming your checkout; your membership shows here within a few minutes.';

/** /account/billing: one's own membership and payments; in Stripe mode the Customer Portal and Checkout's return. */
export function membershipBillingRoutes(ctx: RouteContext): FastifyPluginAsyncTypebox {
  const settings = ctx.session;
  const db = ctx.database.db;
  return async (app) => {
    const billingPage = async (request: FastifyRequest, reply: FastifyReply, message?: string, status = 200) => {
      const viewer = signedIn(request);
      const m = await getMembership(db, viewer.userId);
      const plan = m?.planId ? await findPlanById(db, m.planId) : undefined;
      return sendHtml(
        reply,
        <BillingView
          site={ctx.site}
          viewer={viewer}
          csrfToken={csrfToken(request, reply, settings.https)}
          status={effectiveStatus(m, ctx.clock.now().getTime())}
          source={m?.source ?? null}
          periodEnd={m?.periodEnd ?? null}
          canceled={m?.cancelAtPeriodEnd ?? false}
          inTrial={m?.inTrial ?? false}
          plan={plan ?? null}
          notice={m?.notice ?? null}
          stripe={ctx.billing !== null}
          message={message}
        />,
        status,
      );
    };
    const noPayments = (request: FastifyRequest, reply: FastifyReply) =>
      billingPage(request, reply, 'This site takes no payment, so there are no cards or invoices to manage.', 404);

    app.get('/account/billing', { config: { allow: 'signed-in', signInNext: '/account/billing' } }, async (request, reply) =>
      billingPage(request, reply),
    );

    // Stripe mode: the Customer Portal (cards, invoices) and the page Checkout returns to.
    app.post(
      '/account/billing/portal',
      {
        schema: { body: form({}) },
        config: {
          allow: 'signed-in',
          signInNext: '/account/billing',
          // In local mode there is no portal, expired form or not.
          onExpiredForm: (request, reply) =>
            ctx.billing ? billingPage(request, reply, 'That form had expired. Please try again.', 403) : noPayments(request, reply),
        },
      },
      async (request, reply) => {
        if (!ctx.billing) return noPayments(request, reply);
        const url = await portalUrl(ctx.billing, signedIn(request).userId);
        if (!url)
          return billingPage(request, reply, 'The billing portal is not available for this account just now. Please try again later.', 503);
        return reply.redirect(url, 303);
      },
    );

    app.get(
      '/membership/welcome',
      {
        schema: { querystring: WelcomeQuery },
        config: {
          allow: 'signed-in',
          signInNext: (request) => `/membership/welcome?session_id=${(request.query as { session_id?: string }).session_id ?? ''}`,
        },
      },
      async (request, reply) => {
        const viewer = signedIn(request);
        const sessionId = request.query.session_id ?? '';
        if (!ctx.billing || !CHECKOUT_SESSION.test(sessionId)) return sendHtml(reply, errorPage(ctx.site, 404, undefined, viewer), 404);
        const result = await finishCheckout(ctx.billing, viewer.userId, sessionId);
        if (result === 'not_yours') return sendHtml(reply, errorPage(ctx.site, 404, undefined, viewer), 404);
        if (result === 'unavailable') return billingPage(request, reply, CONFIRMING);
        const m = await getMembership(db, viewer.userId);
        if (m?.notice === 'trial_refused')
          return billingPage(
            request,
            reply,
            'This card or email address has had a free trial before, so no trial started and nothing was charged.',
            409,
          );
        if (!isMember(m, ctx.clock.now().getTime())) return billingPage(request, reply, CONFIRMING);
        return billingPage(request, reply, m?.inTrial ? 'Your free trial has started. Welcome!' : 'Welcome! You are a member.');
      },
    );
  };
}
