import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { sameSitePath } from '../../lib/same-site-path.ts';
import type { RouteContext } from '../../platform/context.ts';
import { sendHtml } from '../../platform/html.ts';
import { clearSessionCookie, csrfToken, csrfValid, sessionToken } from '../../platform/session.ts';
import { endSession, signInWithPassword } from './auth.service.ts';
import { signInLimit } from './flows.service.ts';
import { completeSignIn } from './sign-in.ts';
import { sendTooMany } from './too-many.tsx';
import { LoginPageView, LogoutPageView } from './views/auth-pages.tsx';

const GENERIC_FAILURE = 'That email and password do not match an account. Check them and try again.';

export function authRoutes(ctx: RouteContext): FastifyPluginAsync {
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

    app.get<{ Querystring: { next?: string } }>('/login', async (request, reply) => {
      const next = sameSitePath(request.query.next);
      if (request.viewer) return reply.redirect(next, 303);
      return loginForm(request, reply, { email: '', next });
    });

    app.post<{ Body: Record<string, unknown> }>('/login', async (request, reply) => {
      const body = request.body ?? {};
      const email = typeof body.email === 'string' ? body.email.slice(0, 254) : '';
      const password = typeof body.password === 'string' ? body.password.slice(0, 1024) : '';
      const next = sameSitePath(body.next);
      if (!csrfValid(request, settings.https)) {
        return loginForm(request, reply, { email, next, error: 'This form had expired, so nothing was sent. Please log in again.' }, 403);
      }
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
    });

    app.get('/logout', async (request, reply) => {
      if (!request.viewer) return reply.redirect('/', 303);
      return sendHtml(
        reply,
        <LogoutPageView site={ctx.site} viewer={request.viewer} csrfToken={csrfToken(request, reply, settings.https)} />,
      );
    });

    app.post('/logout', async (request: FastifyRequest, reply) => {
      if (!csrfValid(request, settings.https)) {
        if (!request.viewer) return reply.redirect('/', 303);
        return sendHtml(
          reply,
          <LogoutPageView site={ctx.site} viewer={request.viewer} csrfToken={csrfToken(request, reply, settings.https)} />,
          403,
        );
      }
      const token = sessionToken(request, settings.https);
      if (token) await endSession(ctx.database.db, token);
      clearSessionCookie(reply, settings.https);
      return reply.redirect('/', 303);
    });
  };
}
