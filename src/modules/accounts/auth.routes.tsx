import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sameSitePath } from '../../lib/same-site-path.ts';
import type { RouteContext } from '../../platform/context.ts';
import { type FormBody, formField } from '../../platform/form-body.ts';
import { sendHtml } from '../../platform/html.ts';
import { form } from '../../platform/schemas.ts';
import { clearSessionCookie, csrfToken, sessionToken } from '../../platform/session.ts';
import { emailField, NextQuery, parsed, passwordField, text } from './account.forms.ts';
import { endSession, signInWithPassword } from './auth.service.ts';
import { signInLimit } from './flows.service.ts';
import { completeSignIn } from './sign-in.ts';
import { sendTooMany } from './too-many.tsx';
import { ACCOUNT_LIMITS } from './user.ts';
import { LoginPageView, LogoutPageView } from './views/auth-pages.tsx';

const GENERIC_FAILURE = 'That email and password do not match an account. Check them and try again.';

/** Signing in with a password, and out. */
export function authRoutes(ctx: RouteContext): FastifyPluginAsyncTypebox {
  const settings = ctx.session;
  return async (app) => {
    const loginForm = (
      request: FastifyRequest,
      reply: FastifyReply,
      fields: { email: string; next: string; error?: string },
      status = 200,
    ) =>
      sendHtml(
        reply,
        <LoginPageView
          site={ctx.site}
          csrfToken={csrfToken(request, reply, settings.https)}
          email={fields.email}
          next={fields.next}
          error={fields.error}
        />,
        status,
      );
    const logoutPage = (request: FastifyRequest, reply: FastifyReply, status = 200) =>
      request.viewer
        ? sendHtml(
            reply,
            <LogoutPageView site={ctx.site} viewer={request.viewer} csrfToken={csrfToken(request, reply, settings.https)} />,
            status,
          )
        : reply.redirect('/', 303);

    app.get('/login', { schema: { querystring: NextQuery }, config: { allow: 'anyone' } }, async (request, reply) => {
      const next = sameSitePath(request.query.next);
      if (request.viewer) return reply.redirect(next, 303);
      return loginForm(request, reply, { email: '', next });
    });

    app.post(
      '/login',
      {
        schema: { body: form({ email: emailField, password: passwordField, next: parsed }) },
        config: {
          allow: 'anyone',
          onExpiredForm: async (request, reply) => {
            const body = request.body as FormBody | undefined;
            return loginForm(
              request,
              reply,
              {
                email: formField(body, 'email', ACCOUNT_LIMITS.email),
                next: sameSitePath(body?.next),
                error: 'This form had expired, so nothing was sent. Please log in again.',
              },
              403,
            );
          },
        },
      },
      async (request, reply) => {
        const email = text(request.body.email);
        const password = text(request.body.password);
        const next = sameSitePath(request.body.next);
        if (email.trim() === '' || password === '') {
          return loginForm(request, reply, { email, next, error: 'Enter your email and your password.' }, 400);
        }
        const hourly = await signInLimit(ctx.database.db, ctx.clock, request.ip);
        const result = hourly
          ? ({ kind: 'locked', retryAt: hourly.retryAt } as const)
          : await signInWithPassword(ctx.database.db, { email, password, ip: request.ip }, ctx.clock);
        if (result.kind === 'locked') return sendTooMany(ctx, reply, result.retryAt);
        if (result.kind === 'invalid') return loginForm(request, reply, { email, next, error: GENERIC_FAILURE }, 401);
        if (result.kind === 'suspended') {
          return loginForm(
            request,
            reply,
            { email, next, error: 'This account is suspended. If you think that is a mistake, write to the site’s editors.' },
            403,
          );
        }
        return completeSignIn(ctx, request, reply, result.userId, next);
      },
    );

    app.get('/logout', { config: { allow: 'anyone' } }, async (request, reply) => logoutPage(request, reply));

    // A visitor's log-out changes nothing, so it is open to anyone; a forged one from another site is refused.
    app.post(
      '/logout',
      { schema: { body: form({}) }, config: { allow: 'anyone', onExpiredForm: async (request, reply) => logoutPage(request, reply, 403) } },
      async (request, reply) => {
        const token = sessionToken(request, settings.https);
        if (token) await endSession(ctx.database.db, token);
        clearSessionCookie(reply, settings.https);
        return reply.redirect('/', 303);
      },
    );
  };
}
