import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { sameSitePath } from '../../lib/same-site-path.ts';
import type { RouteContext } from '../../platform/context.ts';
import { errorPage } from '../../platform/errors.tsx';
import { setFlash, takeFlash } from '../../platform/flash.ts';
import { type FormBody, formField } from '../../platform/form-body.ts';
import { sendHtml } from '../../platform/html.ts';
import { csrfToken, csrfValid, requireAllowed } from '../../platform/session.ts';
import { isAdmin } from '../accounts/index.ts';
import { finishCheckout, portalUrl, setStripeCancel, startCheckout } from './billing.service.ts';
import {
  addPlan,
  cancelTrial,
  findPlanById,
  getMembership,
  grantComplimentary,
  listActivePlans,
  listAllPlans,
  resumeTrial,
  setPlanActive,
  startLocalTrial,
} from './membership.service.ts';
import { effectiveStatus, isMember } from './membership.ts';
import { BillingView, PlansAdminView } from './views/admin-pages.tsx';
import { MembershipPageView } from './views/membership-page.tsx';

/**
 * Looks the signed-in viewer's membership up once per page (GET): whether they are a member, for every paywall
 * decision of the page, and a running trial, for the banner every page shows.
 */
export function registerMembershipOnViewer(app: FastifyInstance, ctx: RouteContext): void {
  const settings = ctx.session;
  app.addHook('preHandler', async (request, reply) => {
    const viewer = request.viewer;
    if (!viewer || request.method !== 'GET') return;
    const m = await getMembership(ctx.database.db, viewer.userId);
    const now = ctx.clock.now().getTime();
    viewer.member = isMember(m, now);
    if (!m?.inTrial || effectiveStatus(m, now) === 'expired') return;
    const hoursLeft = Math.max(0, Math.ceil((Date.parse(m.periodEnd) - now) / 3600_000));
    viewer.trial = { endsAt: m.periodEnd, hoursLeft, canceled: m.cancelAtPeriodEnd, csrfToken: csrfToken(request, reply, settings.https) };
  });
}

export function membershipRoutes(ctx: RouteContext): FastifyPluginAsync {
  const settings = ctx.session;
  const db = ctx.database.db;
  return async (app) => {
    const page = async (request: FastifyRequest, reply: import('fastify').FastifyReply, message?: string, status = 200) => {
      const viewer = request.viewer;
      const m = viewer ? await getMembership(db, viewer.userId) : undefined;
      return sendHtml(
        reply,
        <MembershipPageView
          site={ctx.site}
          viewer={viewer}
          csrfToken={viewer ? csrfToken(request, reply, settings.https) : ''}
          trialHours={ctx.config.trialHours}
          plans={await listActivePlans(db)}
          status={effectiveStatus(m, ctx.clock.now().getTime())}
          periodEnd={m?.periodEnd ?? null}
          message={message}
          stripe={ctx.billing !== null}
          reminderHours={ctx.config.trialReminderHours}
        />,
        status,
      );
    };

    app.get<{ Querystring: { checkout?: string } }>('/membership', async (request, reply) =>
      page(
        request,
        reply,
        takeFlash(request, reply, settings.https) ??
          (request.query.checkout === 'canceled' ? 'Checkout was canceled: nothing started and nothing was charged.' : undefined),
      ),
    );

    const billingPage = async (request: FastifyRequest, reply: FastifyReply, message?: string, status = 200) => {
      const viewer = request.viewer as NonNullable<FastifyRequest['viewer']>;
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
    app.get('/account/billing', async (request, reply) => {
      if (!request.viewer) return reply.redirect('/login?next=%2Faccount%2Fbilling', 303);
      return billingPage(request, reply);
    });

    // Stripe mode: the Customer Portal (cards, invoices) and the page Checkout returns to.
    app.post('/account/billing/portal', async (request, reply) => {
      const viewer = request.viewer;
      if (!viewer) return reply.redirect('/login?next=%2Faccount%2Fbilling', 303);
      if (!ctx.billing) return billingPage(request, reply, 'This site takes no payment, so there are no cards or invoices to manage.', 404);
      if (!csrfValid(request, settings.https)) return billingPage(request, reply, 'That form had expired. Please try again.', 403);
      const url = await portalUrl(ctx.billing, viewer.userId);
      if (!url)
        return billingPage(request, reply, 'The billing portal is not available for this account just now. Please try again later.', 503);
      return reply.redirect(url, 303);
    });
    app.get<{ Querystring: { session_id?: string } }>('/membership/welcome', async (request, reply) => {
      const viewer = request.viewer;
      const sessionId = request.query.session_id ?? '';
      if (!viewer) return reply.redirect(`/login?next=${encodeURIComponent(`/membership/welcome?session_id=${sessionId}`)}`, 303);
      if (!ctx.billing || !/^cs_[A-Za-z0-9_]{1,200}$/.test(sessionId))
        return sendHtml(reply, errorPage(ctx.site, 404, undefined, viewer), 404);
      const result = await finishCheckout(ctx.billing, viewer.userId, sessionId);
      if (result === 'not_yours') return sendHtml(reply, errorPage(ctx.site, 404, undefined, viewer), 404);
      if (result === 'unavailable')
        return billingPage(
          request,
          reply,
          'Thank you. Stripe is confirming your checkout; your membership shows here within a few minutes.',
        );
      const m = await getMembership(db, viewer.userId);
      const now = ctx.clock.now().getTime();
      if (m?.notice === 'trial_refused')
        return billingPage(
          request,
          reply,
          'This card or email address has had a free trial before, so no trial started and nothing was charged.',
          409,
        );
      if (!isMember(m, now))
        return billingPage(
          request,
          reply,
          'Thank you. Stripe is confirming your checkout; your membership shows here within a few minutes.',
        );
      return billingPage(request, reply, m?.inTrial ? 'Your free trial has started. Welcome!' : 'Welcome! You are a member.');
    });

    // Plans, set by admins.
    const emptyPlan = { name: '', interval: 'month', price: '', currency: 'USD', stripePriceId: '' };
    const plansPage = async (
      request: FastifyRequest,
      reply: FastifyReply,
      extra: { form?: typeof emptyPlan; issues?: { field: string; message: string }[]; saved?: boolean } = {},
      status = 200,
    ) => {
      const viewer = request.viewer as NonNullable<FastifyRequest['viewer']>;
      return sendHtml(
        reply,
        <PlansAdminView
          site={ctx.site}
          viewer={viewer}
          csrfToken={csrfToken(request, reply, settings.https)}
          plans={await listAllPlans(db)}
          form={extra.form ?? emptyPlan}
          issues={extra.issues}
          saved={extra.saved}
        />,
        status,
      );
    };
    const adminOnly = (request: FastifyRequest, reply: FastifyReply): boolean =>
      requireAllowed(ctx.site, request, reply, '/admin/plans', isAdmin, 'Only admins manage plans and memberships') !== null;
    app.get<{ Querystring: { saved?: string } }>('/admin/plans', async (request, reply) =>
      adminOnly(request, reply) ? plansPage(request, reply, request.query.saved === '1' ? { saved: true } : {}) : reply,
    );
    app.post<{ Body: FormBody }>('/admin/plans', async (request, reply) => {
      if (!adminOnly(request, reply)) return reply;
      const form = {
        name: formField(request.body, 'name', 100),
        interval: formField(request.body, 'interval', 10),
        price: formField(request.body, 'price', 20),
        currency: formField(request.body, 'currency', 10),
        stripePriceId: formField(request.body, 'stripePriceId', 100),
      };
      if (!csrfValid(request, settings.https))
        return plansPage(
          request,
          reply,
          { form, issues: [{ field: 'name', message: 'This form had expired. Please add the plan again.' }] },
          403,
        );
      const issues = await addPlan(db, form);
      if (issues.length > 0) return plansPage(request, reply, { form, issues }, 400);
      // Post/redirect/get: the list shows the plan, and a refresh does not add it twice.
      return reply.redirect('/admin/plans?saved=1', 303);
    });
    for (const [verb, active] of [
      ['withdraw', false],
      ['offer', true],
    ] as const) {
      app.post<{ Params: { id: string } }>(`/admin/plans/:id/${verb}`, async (request, reply) => {
        if (!adminOnly(request, reply)) return reply;
        if (csrfValid(request, settings.https) && /^\d{1,10}$/.test(request.params.id))
          await setPlanActive(db, Number(request.params.id), active);
        return reply.redirect('/admin/plans?saved=1', 303);
      });
    }

    // Complimentary memberships, given by admins (local mode's members).
    app.post<{ Params: { id: string }; Body: FormBody }>('/admin/users/:id/membership', async (request, reply) => {
      if (!adminOnly(request, reply)) return reply;
      if (!csrfValid(request, settings.https) || !/^\d{1,10}$/.test(request.params.id)) return reply.redirect('/admin/users', 303);
      const problem = await grantComplimentary(db, Number(request.params.id), formField(request.body, 'until', 20), ctx.clock);
      if (problem)
        return sendHtml(reply, errorPage(ctx.site, 400, { title: 'Membership not given', message: problem }, request.viewer), 400);
      return reply.redirect('/admin/users?granted=1', 303);
    });

    app.post<{ Body: FormBody }>('/membership/trial', async (request, reply) => {
      const viewer = request.viewer;
      if (!viewer) return reply.redirect('/signup', 303);
      if (!csrfValid(request, settings.https))
        return page(request, reply, 'That form had expired, so nothing started. Please try again.', 403);
      if (ctx.billing) {
        const planField = formField(request.body, 'plan', 12);
        const started = await startCheckout(
          ctx.billing,
          { userId: viewer.userId, email: viewer.email, name: viewer.name },
          /^\d{1,10}$/.test(planField) ? Number(planField) : null,
        );
        if ('url' in started) return reply.redirect(started.url, 303);
        const why = {
          already_member: ['You are already a member.', 409],
          no_plan: ['Memberships cannot be bought yet: no plan is set up. Please try again later.', 409],
          unavailable: [
            'Payments are unavailable just now, so nothing started and nothing was charged. Please try again in a few minutes.',
            503,
          ],
        } as const;
        return page(request, reply, why[started.problem][0], why[started.problem][1]);
      }
      const result = await startLocalTrial(db, { userId: viewer.userId, email: viewer.email }, ctx.config.trialHours, ctx.clock);
      if (result === 'already_used')
        return page(request, reply, 'This account (or this email address) has already had its free trial.', 409);
      return reply.redirect(sameSitePath(formField(request.body, 'next', 500)), 303);
    });

    for (const [path, cancel, run] of [
      ['/membership/cancel', true, cancelTrial],
      ['/membership/resume', false, resumeTrial],
    ] as const) {
      app.post(path, async (request, reply) => {
        const viewer = request.viewer;
        if (!viewer) return reply.redirect('/login', 303);
        if (!csrfValid(request, settings.https)) return page(request, reply, 'That form had expired, so nothing changed.', 403);
        const m = await getMembership(db, viewer.userId);
        if (m?.source === 'stripe' && ctx.billing) {
          const r = await setStripeCancel(ctx.billing, viewer.userId, cancel);
          if (r === 'unavailable')
            return page(request, reply, 'Stripe could not be reached, so nothing changed. Please try again in a few minutes.', 503);
        } else {
          await run(db, viewer.userId, ctx.clock);
        }
        const what = m?.inTrial ? 'trial' : 'membership';
        // Post/redirect/get: the membership page shows the result, and a refresh does not cancel again.
        setFlash(
          reply,
          cancel
            ? `Your ${what} is canceled. You keep access until it ends, and nothing ${m?.inTrial ? '' : 'more '}will be charged.`
            : `Your ${what} is back on.`,
          settings.https,
        );
        return reply.redirect('/membership', 303);
      });
    }
  };
}
