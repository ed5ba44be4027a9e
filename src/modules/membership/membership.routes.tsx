import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { RouteContext } from '../../app.ts';
import { sameSitePath } from '../../lib/same-site-path.ts';
import { errorPage } from '../../platform/errors.tsx';
import { type FormBody, formField } from '../../platform/form-body.ts';
import { sendHtml } from '../../platform/html.ts';
import { csrfToken, csrfValid, requireAllowed } from '../../platform/session.ts';
import { isAdmin } from '../accounts/index.ts';
import {
  addPlan,
  cancelTrial,
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
    if (!m || m.source !== 'trial' || effectiveStatus(m, now) === 'expired') return;
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
        />,
        status,
      );
    };

    app.get('/membership', async (request, reply) => page(request, reply));

    app.get('/account/billing', async (request, reply) => {
      const viewer = request.viewer;
      if (!viewer) return reply.redirect('/login?next=%2Faccount%2Fbilling', 303);
      const m = await getMembership(db, viewer.userId);
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
        />,
      );
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
    app.get('/admin/plans', async (request, reply) => (adminOnly(request, reply) ? plansPage(request, reply) : reply));
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
      return plansPage(request, reply, { saved: true });
    });
    for (const [verb, active] of [
      ['withdraw', false],
      ['offer', true],
    ] as const) {
      app.post<{ Params: { id: string } }>(`/admin/plans/:id/${verb}`, async (request, reply) => {
        if (!adminOnly(request, reply)) return reply;
        if (csrfValid(request, settings.https) && /^\d{1,10}$/.test(request.params.id))
          await setPlanActive(db, Number(request.params.id), active);
        return plansPage(request, reply, { saved: true });
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
      const result = await startLocalTrial(db, { userId: viewer.userId, email: viewer.email }, ctx.config.trialHours, ctx.clock);
      if (result === 'already_used')
        return page(request, reply, 'This account (or this email address) has already had its free trial.', 409);
      return reply.redirect(sameSitePath(formField(request.body, 'next', 500)), 303);
    });

    for (const [path, run, done] of [
      ['/membership/cancel', cancelTrial, 'Your trial is canceled. You keep access until it ends, and nothing will be charged.'],
      ['/membership/resume', resumeTrial, 'Your trial is back on.'],
    ] as const) {
      app.post(path, async (request, reply) => {
        const viewer = request.viewer;
        if (!viewer) return reply.redirect('/login', 303);
        if (!csrfValid(request, settings.https)) return page(request, reply, 'That form had expired, so nothing changed.', 403);
        await run(db, viewer.userId, ctx.clock);
        return page(request, reply, done);
      });
    }
  };
}
