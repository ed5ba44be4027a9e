import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { RouteContext } from '../../app.ts';
import { type FormBody, formField } from '../../platform/form-body.ts';
import { sendHtml } from '../../platform/html.ts';
import { csrfToken, csrfValid, type SessionSettings } from '../../platform/session.ts';
import { cancelTrial, getMembership, listActivePlans, resumeTrial, startLocalTrial } from './membership.service.ts';
import { effectiveStatus } from './membership.ts';
import { MembershipPageView } from './views/membership-page.tsx';

const safePath = (raw: string) => (/^\/(?![/\\])[\x21-\x7e]*$/.test(raw) && raw.length < 500 ? raw : '/');

/** Puts the running trial on the viewer, so every page can show its banner. */
export function registerTrialBanner(app: FastifyInstance, ctx: RouteContext, settings: SessionSettings): void {
  app.addHook('preHandler', async (request, reply) => {
    const viewer = request.viewer;
    if (!viewer || request.method !== 'GET') return;
    const m = await getMembership(ctx.database.db, viewer.userId);
    if (!m || m.source !== 'trial' || effectiveStatus(m, ctx.clock.now().getTime()) === 'expired') return;
    const hoursLeft = Math.max(0, Math.ceil((Date.parse(m.periodEnd) - ctx.clock.now().getTime()) / 3600_000));
    viewer.trial = { endsAt: m.periodEnd, hoursLeft, canceled: m.cancelAtPeriodEnd, csrfToken: csrfToken(request, reply, settings.https) };
  });
}

export function membershipRoutes(ctx: RouteContext, settings: SessionSettings): FastifyPluginAsync {
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

    app.post<{ Body: FormBody }>('/membership/trial', async (request, reply) => {
      const viewer = request.viewer;
      if (!viewer) return reply.redirect('/signup', 303);
      if (!csrfValid(request, settings.https))
        return page(request, reply, 'That form had expired, so nothing started. Please try again.', 403);
      const result = await startLocalTrial(db, { userId: viewer.userId, email: viewer.email }, ctx.config.trialHours, ctx.clock);
      if (result === 'already_used')
        return page(request, reply, 'This account (or this email address) has already had its free trial.', 409);
      return reply.redirect(safePath(formField(request.body, 'next', 500)), 303);
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
