import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sameSitePath } from '../../lib/same-site-path.ts';
import { asSecretToken } from '../../lib/secret-token.ts';
import type { RouteContext } from '../../platform/context.ts';
import { errorPage } from '../../platform/errors.tsx';
import type { FormBody } from '../../platform/form-body.ts';
import { signedIn } from '../../platform/guard.tsx';
import { sendHtml } from '../../platform/html.ts';
import { form } from '../../platform/schemas.ts';
import { csrfToken } from '../../platform/session.ts';
import { codeField, NextQuery, parsed, passwordField, text } from './account.forms.ts';
import type { Viewer } from './auth.service.ts';
import { completeSignIn, SECOND_FACTOR_COOKIE } from './sign-in.ts';
import { sendTooMany } from './too-many.tsx';
import {
  confirmEnrolment,
  disableTwoFactor,
  finishSecondFactor,
  mustEnrol,
  pendingEnrolment,
  regenerateRecoveryCodes,
  requiredRoles,
  startEnrolment,
} from './two-factor.service.ts';
import { EnrolStartView, EnrolView, RecoveryCodesView, SecondFactorView } from './views/two-factor-pages.tsx';

// Paths a person who must set up two-factor sign-in may still use.
const ENROL_PATHS = ['/account/2fa/setup', '/account/2fa/enable', '/logout', '/static/', '/healthz', '/favicon.ico'];

/**
 * Where the site requires two-factor sign-in for a role, a signed-in person of that role who has not set it up
 * can do nothing else until they do.
 */
export function registerTwoFactorGate(app: FastifyInstance, ctx: RouteContext): void {
  app.addHook('preHandler', async (request, reply) => {
    const viewer = request.viewer;
    if (!viewer || ENROL_PATHS.some((p) => request.url === p || request.url.startsWith(p))) return;
    if (await mustEnrol(ctx.database.db, viewer, ctx.caches.reads)) await reply.redirect('/account/2fa/setup', 303);
  });
}

// Setting it up and changing it are the signed-in person's own; a visitor signs in and comes back to /account.
const OWN = { allow: 'signed-in', signInNext: '/account' } as const;

/** The second step of signing in, and setting up, turning off and renewing two-factor sign-in. */
export function twoFactorRoutes(ctx: RouteContext): FastifyPluginAsyncTypebox {
  const db = ctx.database.db;
  return async (app) => {
    const token = (request: FastifyRequest, reply: FastifyReply) => csrfToken(request, reply, ctx.session.https);
    const codeForm = (request: FastifyRequest, reply: FastifyReply, next: string, error: string, status: number) =>
      sendHtml(reply, <SecondFactorView site={ctx.site} csrfToken={token(request, reply)} next={next} error={error} />, status);

    // The second step of signing in, for the browser that passed the first (it holds the short-lived cookie).
    app.get('/login/2fa', { schema: { querystring: NextQuery }, config: { allow: 'anyone' } }, async (request, reply) => {
      if (!request.cookies[SECOND_FACTOR_COOKIE]) return reply.redirect('/login', 303);
      return sendHtml(
        reply,
        <SecondFactorView site={ctx.site} csrfToken={token(request, reply)} next={sameSitePath(request.query.next)} />,
      );
    });
    app.post(
      '/login/2fa',
      {
        schema: { body: form({ code: codeField, next: parsed }) },
        config: {
          allow: 'anyone',
          onExpiredForm: async (request, reply) => {
            if (!asSecretToken(request.cookies[SECOND_FACTOR_COOKIE])) return reply.redirect('/login', 303);
            const next = sameSitePath((request.body as FormBody | undefined)?.next);
            return codeForm(request, reply, next, 'This form had expired. Please enter the code again.', 403);
          },
        },
      },
      async (request, reply) => {
        const next = sameSitePath(request.body.next);
        const pending = asSecretToken(request.cookies[SECOND_FACTOR_COOKIE]);
        if (!pending) return reply.redirect('/login', 303);
        const result = await finishSecondFactor(db, pending, text(request.body.code), request.ip, ctx.clock);
        if (result.kind === 'locked') return sendTooMany(ctx, reply, result.retryAt);
        if (result.kind === 'expired') return reply.redirect('/login', 303);
        if (result.kind === 'invalid')
          return codeForm(request, reply, next, 'That code is not right. Codes change every 30 seconds; each works once.', 401);
        reply.clearCookie(SECOND_FACTOR_COOKIE, { path: '/' });
        return completeSignIn(ctx, request, reply, result.userId, next, { secondFactorDone: true });
      },
    );

    // Setting it up. The GET changes nothing: it shows the secret in progress, or a button whose POST makes one.
    // A form refused with `error` when nothing is being set up (already on, or never started) goes back to that page.
    const enrolPage = async (request: FastifyRequest, reply: FastifyReply, viewer: Viewer, error?: string, status = 200) => {
      const enrolment = await pendingEnrolment(db, viewer, ctx.site.name);
      const required = error === undefined && (await mustEnrol(db, viewer));
      if (!enrolment) {
        if (error !== undefined) return reply.redirect('/account/2fa/setup', 303);
        return sendHtml(reply, <EnrolStartView site={ctx.site} viewer={viewer} csrfToken={token(request, reply)} required={required} />);
      }
      return sendHtml(
        reply,
        <EnrolView
          site={ctx.site}
          viewer={viewer}
          csrfToken={token(request, reply)}
          secret={enrolment.secret}
          qrDataUri={enrolment.qrDataUri}
          required={required}
          error={error}
        />,
        status,
      );
    };
    app.get('/account/2fa/setup', { config: OWN }, async (request, reply) => {
      const viewer = signedIn(request);
      if (viewer.twoFactor) return reply.redirect('/account', 303);
      return enrolPage(request, reply, viewer);
    });
    // Post/redirect/get: the setup page shows the secret this made.
    app.post('/account/2fa/setup', { schema: { body: form({}) }, config: OWN }, async (request, reply) => {
      const viewer = signedIn(request);
      if (viewer.twoFactor) return reply.redirect('/account', 303);
      await startEnrolment(db, viewer);
      return reply.redirect('/account/2fa/setup', 303);
    });
    app.post(
      '/account/2fa/enable',
      {
        schema: { body: form({ code: codeField }) },
        config: {
          ...OWN,
          onExpiredForm: (request, reply) =>
            enrolPage(request, reply, signedIn(request), 'This form had expired. Enter the current code again.', 403),
        },
      },
      async (request, reply) => {
        const viewer = signedIn(request);
        const codes = await confirmEnrolment(db, viewer, text(request.body.code), ctx.clock);
        // The recovery codes are secrets shown once, on this answer: never carried in a cookie to a GET page.
        if (codes) return sendHtml(reply, <RecoveryCodesView site={ctx.site} viewer={viewer} codes={codes} />);
        const error = 'That code does not match. Check the time on your phone and enter the newest code.';
        return enrolPage(request, reply, viewer, error, 400);
      },
    );

    // A form here that expired changes nothing and goes back to the account page, as a wrong code would.
    const backToAccount = async (_request: FastifyRequest, reply: FastifyReply) => reply.redirect('/account', 303);
    app.post(
      '/account/2fa/disable',
      { schema: { body: form({ password: passwordField, code: codeField }) }, config: { ...OWN, onExpiredForm: backToAccount } },
      async (request, reply) => {
        const viewer = signedIn(request);
        if ((await requiredRoles(db)).includes(viewer.role)) {
          const refusal = {
            title: 'Two-factor sign-in is required',
            message: 'This site requires it for your role, so it cannot be turned off.',
          };
          return sendHtml(reply, errorPage(ctx.site, 403, refusal, viewer), 403);
        }
        const input = { password: text(request.body.password), code: text(request.body.code), ip: request.ip };
        const result = await disableTwoFactor(db, viewer, input, ctx.clock);
        if (result instanceof Date) return sendTooMany(ctx, reply, result);
        return reply.redirect(result === 'wrong' ? '/account?two_factor=wrong' : '/account?two_factor=off', 303);
      },
    );
    // New recovery codes, shown once on this answer like the first ones.
    app.post(
      '/account/2fa/recovery',
      { schema: { body: form({ code: codeField }) }, config: { ...OWN, onExpiredForm: backToAccount } },
      async (request, reply) => {
        const viewer = signedIn(request);
        const codes = await regenerateRecoveryCodes(db, viewer, text(request.body.code), ctx.clock);
        if (!codes) return reply.redirect('/account?two_factor=wrong', 303);
        return sendHtml(reply, <RecoveryCodesView site={ctx.site} viewer={viewer} codes={codes} />);
      },
    );
  };
}
