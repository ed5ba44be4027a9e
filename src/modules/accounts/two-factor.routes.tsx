import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { sameSitePath } from '../../lib/same-site-path.ts';
import { asSecretToken } from '../../lib/secret-token.ts';
import type { RouteContext } from '../../platform/context.ts';
import { errorPage } from '../../platform/errors.tsx';
import { type FormBody, formField } from '../../platform/form-body.ts';
import { sendHtml } from '../../platform/html.ts';
import { csrfToken, csrfValid, requireViewer } from '../../platform/session.ts';
import type { Viewer } from './auth.service.ts';
import { canChangeSiteSettings } from './policy.ts';
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
  setRequiredRoles,
  startEnrolment,
} from './two-factor.service.ts';
import { isRole, type Role } from './user.ts';
import { EnrolStartView, EnrolView, RecoveryCodesView, SecondFactorView, TwoFactorSettingsView } from './views/two-factor-pages.tsx';

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
    if (await mustEnrol(ctx.database.db, viewer)) await reply.redirect('/account/2fa/setup', 303);
  });
}

export function twoFactorRoutes(ctx: RouteContext): FastifyPluginAsync {
  const settings = ctx.session;
  const db = ctx.database.db;
  return async (app) => {
    const token = (request: FastifyRequest, reply: FastifyReply) => csrfToken(request, reply, settings.https);
    const needViewer = (request: FastifyRequest, reply: FastifyReply) => requireViewer(request, reply, '/account');
    const locked = (reply: FastifyReply, retryAt: Date) => sendTooMany(ctx, reply, retryAt);

    // The second step of signing in.
    app.get<{ Querystring: { next?: string } }>('/login/2fa', async (request, reply) => {
      if (!request.cookies[SECOND_FACTOR_COOKIE]) return reply.redirect('/login', 303);
      return sendHtml(
        reply,
        <SecondFactorView site={ctx.site} csrfToken={token(request, reply)} next={sameSitePath(request.query.next)} />,
      );
    });
    app.post<{ Body: FormBody }>('/login/2fa', async (request, reply) => {
      const next = sameSitePath(request.body?.next);
      const pending = asSecretToken(request.cookies[SECOND_FACTOR_COOKIE]);
      if (!pending) return reply.redirect('/login', 303);
      const again = (status: number, error: string) =>
        sendHtml(reply, <SecondFactorView site={ctx.site} csrfToken={token(request, reply)} next={next} error={error} />, status);
      if (!csrfValid(request, settings.https)) return again(403, 'This form had expired. Please enter the code again.');
      const result = await finishSecondFactor(db, pending, formField(request.body, 'code', 40), request.ip, ctx.clock);
      if (result.kind === 'locked') return locked(reply, result.retryAt);
      if (result.kind === 'expired') return reply.redirect('/login', 303);
      if (result.kind === 'invalid') return again(401, 'That code is not right. Codes change every 30 seconds; each works once.');
      reply.clearCookie(SECOND_FACTOR_COOKIE, { path: '/' });
      return completeSignIn(ctx, request, reply, result.userId, next, { secondFactorDone: true });
    });

    // Setting it up. The GET changes nothing: it shows the secret in progress, or a button whose POST makes one.
    const showEnrolment = async (request: FastifyRequest, reply: FastifyReply, viewer: Viewer, create: boolean) => {
      const enrolment =
        (await pendingEnrolment(db, viewer, ctx.site.name)) ?? (create ? await startEnrolment(db, viewer, ctx.site.name) : null);
      const required = await mustEnrol(db, viewer);
      if (!enrolment)
        return sendHtml(reply, <EnrolStartView site={ctx.site} viewer={viewer} csrfToken={token(request, reply)} required={required} />);
      return sendHtml(
        reply,
        <EnrolView
          site={ctx.site}
          viewer={viewer}
          csrfToken={token(request, reply)}
          secret={enrolment.secret}
          qrDataUri={enrolment.qrDataUri}
          required={required}
        />,
      );
    };
    app.get('/account/2fa/setup', async (request, reply) => {
      const viewer = needViewer(request, reply);
      if (!viewer) return reply;
      if (viewer.twoFactor) return reply.redirect('/account', 303);
      return showEnrolment(request, reply, viewer, false);
    });
    app.post('/account/2fa/setup', async (request, reply) => {
      const viewer = needViewer(request, reply);
      if (!viewer) return reply;
      if (viewer.twoFactor) return reply.redirect('/account', 303);
      if (!csrfValid(request, settings.https)) return showEnrolment(request, reply, viewer, false);
      return showEnrolment(request, reply, viewer, true);
    });
    app.post<{ Body: FormBody }>('/account/2fa/enable', async (request, reply) => {
      const viewer = needViewer(request, reply);
      if (!viewer) return reply;
      const enrolment = await pendingEnrolment(db, viewer, ctx.site.name);
      if (!enrolment) return reply.redirect('/account/2fa/setup', 303);
      const show = (status: number, error: string) =>
        sendHtml(
          reply,
          <EnrolView
            site={ctx.site}
            viewer={viewer}
            csrfToken={token(request, reply)}
            secret={enrolment.secret}
            qrDataUri={enrolment.qrDataUri}
            required={false}
            error={error}
          />,
          status,
        );
      if (!csrfValid(request, settings.https)) return show(403, 'This form had expired. Enter the current code again.');
      const codes = await confirmEnrolment(db, viewer, formField(request.body, 'code', 20), ctx.clock);
      if (!codes) return show(400, 'That code does not match. Check the time on your phone and enter the newest code.');
      return sendHtml(reply, <RecoveryCodesView site={ctx.site} viewer={viewer} codes={codes} />);
    });
    app.post<{ Body: FormBody }>('/account/2fa/disable', async (request, reply) => {
      const viewer = needViewer(request, reply);
      if (!viewer) return reply;
      if (!csrfValid(request, settings.https)) return reply.redirect('/account', 303);
      if ((await requiredRoles(db)).includes(viewer.role)) {
        return sendHtml(
          reply,
          errorPage(
            ctx.site,
            403,
            { title: 'Two-factor sign-in is required', message: 'This site requires it for your role, so it cannot be turned off.' },
            viewer,
          ),
          403,
        );
      }
      const result = await disableTwoFactor(
        db,
        viewer,
        { password: formField(request.body, 'password', 1024), code: formField(request.body, 'code', 40), ip: request.ip },
        ctx.clock,
      );
      if (result instanceof Date) return locked(reply, result);
      if (result === 'wrong') return reply.redirect('/account?two_factor=wrong', 303);
      return reply.redirect('/account?two_factor=off', 303);
    });
    app.post<{ Body: FormBody }>('/account/2fa/recovery', async (request, reply) => {
      const viewer = needViewer(request, reply);
      if (!viewer) return reply;
      if (!csrfValid(request, settings.https)) return reply.redirect('/account', 303);
      const codes = await regenerateRecoveryCodes(db, viewer, formField(request.body, 'code', 40), ctx.clock);
      if (!codes) return reply.redirect('/account?two_factor=wrong', 303);
      return sendHtml(reply, <RecoveryCodesView site={ctx.site} viewer={viewer} codes={codes} />);
    });

    // Which roles must use it.
    app.get('/admin/settings', async (request, reply) => {
      const viewer = needViewer(request, reply);
      if (!viewer) return reply;
      if (!canChangeSiteSettings(viewer))
        return sendHtml(reply, errorPage(ctx.site, 403, { title: 'Only admins change site settings' }, viewer), 403);
      return sendHtml(
        reply,
        <TwoFactorSettingsView site={ctx.site} viewer={viewer} csrfToken={token(request, reply)} required={await requiredRoles(db)} />,
      );
    });
    app.post<{ Body: FormBody }>('/admin/settings', async (request, reply) => {
      const viewer = needViewer(request, reply);
      if (!viewer) return reply;
      if (!canChangeSiteSettings(viewer))
        return sendHtml(reply, errorPage(ctx.site, 403, { title: 'Only admins change site settings' }, viewer), 403);
      if (!csrfValid(request, settings.https)) return reply.redirect('/admin/settings', 303);
      const raw = request.body?.require;
      const roles = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).filter(
        (r): r is Role => typeof r === 'string' && isRole(r),
      );
      await setRequiredRoles(db, roles);
      return sendHtml(
        reply,
        <TwoFactorSettingsView site={ctx.site} viewer={viewer} csrfToken={token(request, reply)} required={roles} saved />,
      );
    });
  };
}
