import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { asSecretToken } from '../../lib/secret-token.ts';
import type { RouteContext } from '../../platform/context.ts';
import { errorPage } from '../../platform/errors.tsx';
import { setFlash, takeFlash } from '../../platform/flash.ts';
import { type FormBody, formField } from '../../platform/form-body.ts';
import { sendHtml } from '../../platform/html.ts';
import { clearSessionCookie, csrfToken, csrfValid, requireViewer } from '../../platform/session.ts';
import { findRecipient } from '../notifications/index.ts';
import {
  changeMyPassword,
  deleteMyAccount,
  exportMyData,
  mySessions,
  renameMe,
  revokeMySession,
  signOutEverywhereElse,
} from './account.service.ts';
import type { Viewer } from './auth.service.ts';
import { confirmEmailChange, type FlowDeps, isLinkLive, requestEmailChange } from './flows.service.ts';
import { sendTooMany } from './too-many.tsx';
import { requiredRoles, unusedRecoveryCodes } from './two-factor.service.ts';
import { type AccountPageProps, AccountPageView } from './views/account-page.tsx';
import { ConfirmLinkView, LinkExpiredView } from './views/flow-pages.tsx';

/** /account: profile, password, sessions, data export and deletion, for the signed-in person only. */
export function accountRoutes(ctx: RouteContext): FastifyPluginAsync {
  const settings = ctx.session;
  const db = ctx.database.db;
  const flowDeps: FlowDeps = { db, mailer: ctx.mailer, clock: ctx.clock, site: { name: ctx.site.name, url: ctx.site.url } };
  return async (app) => {
    const page = async (
      request: FastifyRequest,
      reply: FastifyReply,
      viewer: Viewer,
      extra: Partial<AccountPageProps> = {},
      status = 200,
    ) => {
      const flag = (request.query as { two_factor?: string } | undefined)?.two_factor;
      const twoFactor: AccountPageProps['twoFactor'] = {
        enabled: viewer.twoFactor,
        unusedCodes: viewer.twoFactor ? await unusedRecoveryCodes(db, viewer.userId) : 0,
        required: (await requiredRoles(db)).includes(viewer.role),
        ...(flag === 'wrong' || flag === 'off' ? { message: flag } : {}),
      };
      return sendHtml(
        reply,
        <AccountPageView
          site={ctx.site}
          viewer={viewer}
          csrfToken={csrfToken(request, reply, settings.https)}
          sessions={await mySessions(db, viewer)}
          twoFactor={twoFactor}
          notifyEmail={(await findRecipient(db, viewer.userId))?.notifyEmail ?? true}
          {...extra}
        />,
        status,
      );
    };
    const needViewer = (request: FastifyRequest, reply: FastifyReply) => requireViewer(request, reply, '/account');
    const expired = (
      request: FastifyRequest,
      reply: FastifyReply,
      viewer: Viewer,
      form: 'profile' | 'email' | 'password' | 'sessions' | 'delete',
    ) => page(request, reply, viewer, { notice: { form, error: 'This form had expired, so nothing was changed. Please try again.' } }, 403);

    type AccountForm = 'profile' | 'email' | 'password' | 'sessions' | 'delete';
    const FORMS: readonly AccountForm[] = ['profile', 'email', 'password', 'sessions', 'delete'];

    /** Post/redirect/get: a change that succeeded answers 303 to /account, which shows its message by its form once. */
    const done = (reply: FastifyReply, form: AccountForm, message: string) => {
      setFlash(reply, `${form}\n${message}`, settings.https);
      return reply.redirect(`/account#${form}-title`, 303);
    };

    app.get('/account', async (request, reply) => {
      const viewer = needViewer(request, reply);
      if (!viewer) return reply;
      const [form, ok] = (takeFlash(request, reply, settings.https) ?? '').split('\n', 2);
      const known = FORMS.find((f) => f === form);
      return page(request, reply, viewer, known && ok ? { notice: { form: known, ok } } : {});
    });

    app.post<{ Body: FormBody }>('/account/profile', async (request, reply) => {
      const viewer = needViewer(request, reply);
      if (!viewer) return reply;
      const name = formField(request.body, 'name', 200);
      if (!csrfValid(request, settings.https)) return expired(request, reply, viewer, 'profile');
      const issues = await renameMe(db, viewer, name);
      if (issues.length > 0) return page(request, reply, viewer, { name, notice: { form: 'profile', issues } }, 400);
      return done(reply, 'profile', 'Saved.');
    });

    app.post<{ Body: FormBody }>('/account/email', async (request, reply) => {
      const viewer = needViewer(request, reply);
      if (!viewer) return reply;
      const newEmail = formField(request.body, 'email', 254);
      if (!csrfValid(request, settings.https)) return expired(request, reply, viewer, 'email');
      const result = await requestEmailChange(flowDeps, viewer, {
        newEmail,
        password: formField(request.body, 'password', 1024),
        ip: request.ip,
      });
      if (result.kind === 'limited') return sendTooMany(ctx, reply, result.retryAt);
      if (result.kind === 'invalid')
        return page(request, reply, viewer, { newEmail, notice: { form: 'email', issues: result.issues } }, 400);
      return page(request, reply, viewer, {
        notice: {
          form: 'email',
          ok: `We sent a link to ${newEmail.trim().toLowerCase()}. Your address changes when you confirm it there.`,
        },
      });
    });

    app.get<{ Querystring: { token?: string } }>('/account/email/confirm', async (request, reply) => {
      const t = asSecretToken(request.query.token);
      if (!t || !(await isLinkLive(flowDeps, t, 'change_email'))) {
        return sendHtml(
          reply,
          <LinkExpiredView site={ctx.site} again={{ href: '/account', label: 'Ask again from your account page' }} />,
          410,
        );
      }
      return sendHtml(
        reply,
        <ConfirmLinkView
          site={ctx.site}
          csrfToken={csrfToken(request, reply, settings.https)}
          title="Confirm your new email"
          text="Press the button to make this address the one your account uses."
          action="/account/email/confirm"
          token={t}
          button="Confirm"
        />,
      );
    });

    app.post<{ Body: FormBody }>('/account/email/confirm', async (request, reply) => {
      const t = asSecretToken(request.body?.token);
      if (!csrfValid(request, settings.https) || !t) return reply.redirect(t ? `/account/email/confirm?token=${t}` : '/account', 303);
      const result = await confirmEmailChange(flowDeps, t);
      if (result.kind === 'expired')
        return sendHtml(
          reply,
          <LinkExpiredView site={ctx.site} again={{ href: '/account', label: 'Ask again from your account page' }} />,
          410,
        );
      if (result.kind === 'taken') {
        return sendHtml(
          reply,
          errorPage(
            ctx.site,
            409,
            { title: 'That address is taken', message: 'Another account uses that email now, so yours was not changed.' },
            request.viewer,
          ),
          409,
        );
      }
      return reply.redirect('/account', 303);
    });

    app.post<{ Body: FormBody }>('/account/password', async (request, reply) => {
      const viewer = needViewer(request, reply);
      if (!viewer) return reply;
      if (!csrfValid(request, settings.https)) return expired(request, reply, viewer, 'password');
      const result = await changeMyPassword(
        db,
        viewer,
        { current: formField(request.body, 'current', 1024), next: formField(request.body, 'next', 1024), ip: request.ip },
        ctx.clock,
      );
      if (result.kind === 'locked') return sendTooMany(ctx, reply, result.retryAt);
      if (result.kind === 'invalid') return page(request, reply, viewer, { notice: { form: 'password', issues: result.issues } }, 400);
      return done(reply, 'password', 'Password changed. Every other session was signed out.');
    });

    app.post<{ Body: FormBody }>('/account/sessions/revoke', async (request, reply) => {
      const viewer = needViewer(request, reply);
      if (!viewer) return reply;
      if (!csrfValid(request, settings.https)) return expired(request, reply, viewer, 'sessions');
      const idHash = formField(request.body, 'session', 64);
      if (/^[0-9a-f]{64}$/.test(idHash) && idHash !== viewer.sessionHash) await revokeMySession(db, viewer, idHash);
      return done(reply, 'sessions', 'That device is signed out.');
    });

    app.post('/account/sessions/revoke-others', async (request, reply) => {
      const viewer = needViewer(request, reply);
      if (!viewer) return reply;
      if (!csrfValid(request, settings.https)) return expired(request, reply, viewer, 'sessions');
      await signOutEverywhereElse(db, viewer);
      return done(reply, 'sessions', 'Signed out everywhere else.');
    });

    app.get('/account/export.json', async (request, reply) => {
      const viewer = needViewer(request, reply);
      if (!viewer) return reply;
      const data = await exportMyData(db, viewer);
      return reply
        .header('content-type', 'application/json; charset=utf-8')
        .header('content-disposition', 'attachment; filename="scholia-my-data.json"')
        .header('cache-control', 'no-store')
        .send(JSON.stringify({ exportedAt: ctx.clock.now().toISOString(), ...data }, null, 2));
    });

    app.post<{ Body: FormBody }>('/account/delete', async (request, reply) => {
      const viewer = needViewer(request, reply);
      if (!viewer) return reply;
      if (!csrfValid(request, settings.https)) return expired(request, reply, viewer, 'delete');
      const result = await deleteMyAccount(db, viewer, { password: formField(request.body, 'password', 1024), ip: request.ip }, ctx.clock);
      if (result.kind === 'locked') return sendTooMany(ctx, reply, result.retryAt);
      if (result.kind === 'wrong') {
        return page(
          request,
          reply,
          viewer,
          { notice: { form: 'delete', error: 'That is not your password, so nothing was deleted.' } },
          400,
        );
      }
      clearSessionCookie(reply, settings.https);
      return reply.redirect('/?deleted=1', 303);
    });
  };
}
