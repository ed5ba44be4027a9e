import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sameSitePath } from '../../lib/same-site-path.ts';
import type { RouteContext } from '../../platform/context.ts';
import { setFlash, takeFlash } from '../../platform/flash.ts';
import { signedIn } from '../../platform/guard.tsx';
import { sendHtml } from '../../platform/html.ts';
import { form, id } from '../../platform/schemas.ts';
import { csrfToken } from '../../platform/session.ts';
import { setStripeCancel, startCheckout } from './billing.service.ts';
import { cancelTrial, getMembership, hasHadTrial, listActivePlans, resumeTrial, startLocalTrial } from './membership.service.ts';
import { effectiveStatus, isMember } from './membership.ts';
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
    const m = await ctx.caches.reads.read(`membership:${viewer.userId}`, () => getMembership(ctx.database.db, viewer.userId));
    const now = ctx.clock.now().getTime();
    viewer.member = isMember(m, now);
    if (!m?.inTrial || effectiveStatus(m, now) === 'expired') return;
    const hoursLeft = Math.max(0, Math.ceil((Date.parse(m.periodEnd) - now) / 3600_000));
    viewer.trial = { endsAt: m.periodEnd, hoursLeft, canceled: m.cancelAtPeriodEnd, csrfToken: csrfToken(request, reply, settings.https) };
  });
}

/**
 * `?checkout=canceled` is where Stripe's Checkout sends back someone who left it; any other value shows nothing.
 * `?start=trial` is where a visitor who asked for the trial lands after signing up and confirming their address
 * (layout.tsx's trialSignUpPath): the page opens with the one button that starts it, which then leads `back`.
 */
const MembershipQuery = Type.Object({
  checkout: Type.Optional(Type.String()),
  start: Type.Optional(Type.String()),
  // Read by sameSitePath, like a form's next.
  back: Type.Optional(Type.String()),
});

const TrialBody = form({
  /** Stripe mode: the plan chosen on /membership; the paywall's button leaves it out (the default plan). */
  plan: Type.Optional(id()),
  // Read by sameSitePath, which turns anything that is not a path of this site (or is over 500 characters) into /.
  next: Type.Optional(Type.String()),
});

/** Where the trial a visitor asked for leads once it runs: the page they came from, or this one (never a loop back to the offer). */
function trialReturn(back: string | undefined): string {
  const path = sameSitePath(back);
  return path === '/' || path.startsWith('/membership') ? '/membership' : path;
}

/** /membership: the plans, and starting, canceling and resuming one's own trial or membership. */
export function membershipRoutes(ctx: RouteContext): FastifyPluginAsyncTypebox {
  const settings = ctx.session;
  const db = ctx.database.db;
  return async (app) => {
    const page = async (request: FastifyRequest, reply: FastifyReply, message?: string, status = 200, offer?: { next: string }) => {
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
          refused={status >= 400}
          trialUsed={viewer ? await hasHadTrial(db, viewer.email) : false}
          stripe={ctx.billing !== null}
          reminderHours={ctx.config.trialReminderHours}
          questionsPerMonth={ctx.config.questionsPerMonth}
          offer={offer}
        />,
        status,
      );
    };

    app.get('/membership', { schema: { querystring: MembershipQuery }, config: { allow: 'anyone' } }, async (request, reply) =>
      page(
        request,
        reply,
        takeFlash(request, reply, settings.https) ??
          (request.query.checkout === 'canceled' ? 'Checkout was canceled: nothing started and nothing was charged.' : undefined),
        200,
        request.query.start === 'trial' ? { next: trialReturn(request.query.back) } : undefined,
      ),
    );

    // Open to visitors only to send them to make an account: the trial is what they come for, so a visitor (one
    // whose session ended, say) goes to sign up rather than sign in, whatever the form's token.
    app.post(
      '/membership/trial',
      {
        schema: { body: TrialBody },
        config: {
          allow: 'anyone',
          onExpiredForm: async (request, reply) =>
            request.viewer
              ? page(request, reply, 'That form had expired, so nothing started. Please try again.', 403)
              : reply.redirect('/signup', 303),
        },
      },
      async (request, reply) => {
        const viewer = request.viewer;
        if (!viewer) return reply.redirect('/signup', 303);
        if (ctx.billing) {
          const started = await startCheckout(
            ctx.billing,
            { userId: viewer.userId, email: viewer.email, name: viewer.name },
            request.body.plan ?? null,
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
        return reply.redirect(sameSitePath(request.body.next), 303);
      },
    );

    for (const [path, cancel, run] of [
      ['/membership/cancel', true, cancelTrial],
      ['/membership/resume', false, resumeTrial],
    ] as const) {
      app.post(
        path,
        {
          schema: { body: form({}) },
          config: {
            allow: 'signed-in',
            signInNext: '/membership',
            onExpiredForm: (request, reply) => page(request, reply, 'That form had expired, so nothing changed.', 403),
          },
        },
        async (request, reply) => {
          const viewer = signedIn(request);
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
        },
      );
    }
  };
}
