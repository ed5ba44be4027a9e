import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { sameSitePath } from '../../lib/same-site-path.ts';
import { asSecretToken } from '../../lib/secret-token.ts';
import type { RouteContext } from '../../platform/context.ts';
import { type FormBody, formField } from '../../platform/form-body.ts';
import { sendHtml } from '../../platform/html.ts';
import { csrfToken, csrfValid } from '../../platform/session.ts';
import {
  confirmEmail,
  type FlowDeps,
  isLinkLive,
  type Limited,
  requestPasswordReset,
  requestSignInCode,
  resetPassword,
  signInWithCode,
  signInWithLink,
  signUp,
} from './flows.service.ts';
import { completeSignIn } from './sign-in.ts';
import { sendTooMany } from './too-many.tsx';
import {
  CheckEmailView,
  CodeEnterView,
  CodeRequestView,
  ConfirmLinkView,
  LinkExpiredView,
  ResetConfirmView,
  ResetRequestView,
  SignUpPageView,
} from './views/flow-pages.tsx';

const EXPIRED_FORM = 'This form had expired, so nothing was sent. Please try again.';

/** Sign-up with email verification, sign-in by emailed code or link, and password reset. */
export function accountFlowRoutes(ctx: RouteContext): FastifyPluginAsync {
  const settings = ctx.session;
  const deps: FlowDeps = { db: ctx.database.db, mailer: ctx.mailer, clock: ctx.clock, site: { name: ctx.site.name, url: ctx.site.url } };

  return async (app) => {
    const token = (request: FastifyRequest, reply: FastifyReply) => csrfToken(request, reply, settings.https);
    const limitedPage = (reply: FastifyReply, l: Limited, reason: string) => sendTooMany(ctx, reply, l.retryAt, reason);
    const signIn = (request: FastifyRequest, reply: FastifyReply, userId: number) => completeSignIn(ctx, request, reply, userId);

    // Sign-up.
    app.get<{ Querystring: { next?: string } }>('/signup', async (request, reply) => {
      const next = sameSitePath(request.query.next);
      if (request.viewer) return reply.redirect(next, 303);
      return sendHtml(reply, <SignUpPageView site={ctx.site} csrfToken={token(request, reply)} name="" email="" next={next} />);
    });
    app.post<{ Body: FormBody }>('/signup', async (request, reply) => {
      const name = formField(request.body, 'name', 200);
      const email = formField(request.body, 'email', 254);
      const password = formField(request.body, 'password', 1024);
      const next = sameSitePath(formField(request.body, 'next', 500));
      const again = (status: number, extra: { issues?: { field: string; message: string }[]; error?: string }) =>
        sendHtml(
          reply,
          <SignUpPageView site={ctx.site} csrfToken={token(request, reply)} name={name} email={email} next={next} {...extra} />,
          status,
        );
      if (!csrfValid(request, settings.https)) return again(403, { error: EXPIRED_FORM });
      const result = await signUp(deps, { name, email, password, ip: request.ip, next });
      if (result.kind === 'invalid') return again(400, { issues: result.issues });
      if (result.kind === 'limited')
        return limitedPage(reply, result, 'Too many accounts were started from here or for this address in the last hour.');
      return sendHtml(reply, <CheckEmailView site={ctx.site} email={email.trim().toLowerCase()} what="verify" />);
    });

    // Email verification: GET shows a button; the POST spends the link and signs in.
    app.get<{ Querystring: { token?: string } }>('/verify', async (request, reply) => {
      const t = asSecretToken(request.query.token);
      if (!t || !(await isLinkLive(deps, t, 'verify_email'))) {
        return sendHtml(
          reply,
          <LinkExpiredView site={ctx.site} again={{ href: '/signup', label: 'Sign up again to get a new link' }} />,
          410,
        );
      }
      return sendHtml(
        reply,
        <ConfirmLinkView
          site={ctx.site}
          csrfToken={token(request, reply)}
          title="Confirm your email"
          text="One more step: confirm this address to finish creating your account."
          action="/verify"
          token={t}
          button="Confirm"
        />,
      );
    });
    app.post<{ Body: FormBody }>('/verify', async (request, reply) => {
      const t = asSecretToken(request.body?.token);
      if (!csrfValid(request, settings.https) || !t) return reply.redirect(t ? `/verify?token=${t}` : '/signup', 303);
      const confirmed = await confirmEmail(deps, t);
      if (confirmed === null)
        return sendHtml(
          reply,
          <LinkExpiredView site={ctx.site} again={{ href: '/signup', label: 'Sign up again to get a new link' }} />,
          410,
        );
      return completeSignIn(ctx, request, reply, confirmed.userId, sameSitePath(confirmed.next));
    });

    // Sign-in with an emailed code or link.
    app.get('/login/code', async (request, reply) =>
      sendHtml(reply, <CodeRequestView site={ctx.site} csrfToken={token(request, reply)} email="" />),
    );
    app.post<{ Body: FormBody }>('/login/code', async (request, reply) => {
      const email = formField(request.body, 'email', 254).trim();
      if (!csrfValid(request, settings.https))
        return sendHtml(
          reply,
          <CodeRequestView site={ctx.site} csrfToken={token(request, reply)} email={email} error={EXPIRED_FORM} />,
          403,
        );
      if (email === '')
        return sendHtml(
          reply,
          <CodeRequestView site={ctx.site} csrfToken={token(request, reply)} email="" error="Enter your email." />,
          400,
        );
      const result = await requestSignInCode(deps, { email, ip: request.ip });
      if (result.kind === 'limited') return limitedPage(reply, result, 'We have sent as many codes as we will in an hour.');
      return sendHtml(reply, <CodeEnterView site={ctx.site} csrfToken={token(request, reply)} email={email.toLowerCase()} />);
    });
    app.post<{ Body: FormBody }>('/login/code/verify', async (request, reply) => {
      const email = formField(request.body, 'email', 254);
      const code = formField(request.body, 'code', 20).replace(/\s+/g, '');
      const again = (status: number, error: string) =>
        sendHtml(reply, <CodeEnterView site={ctx.site} csrfToken={token(request, reply)} email={email} error={error} />, status);
      if (!csrfValid(request, settings.https)) return again(403, EXPIRED_FORM);
      const result = await signInWithCode(deps, { email, code, ip: request.ip });
      if (result.kind === 'limited')
        return limitedPage(reply, result, 'To protect accounts, logging in is paused after several wrong codes or passwords.');
      if (result.kind === 'invalid')
        return again(401, 'That code is not right, or it has expired. Check the latest email, or send a new code.');
      return signIn(request, reply, result.userId);
    });
    app.get<{ Querystring: { token?: string } }>('/login/link', async (request, reply) => {
      const t = asSecretToken(request.query.token);
      if (!t || !(await isLinkLive(deps, t, 'sign_in'))) {
        return sendHtml(reply, <LinkExpiredView site={ctx.site} again={{ href: '/login/code', label: 'Send a new code' }} />, 410);
      }
      return sendHtml(
        reply,
        <ConfirmLinkView
          site={ctx.site}
          csrfToken={token(request, reply)}
          title="Log in to Scholia"
          text="Press the button to log in on this device."
          action="/login/link"
          token={t}
          button="Log in"
        />,
      );
    });
    app.post<{ Body: FormBody }>('/login/link', async (request, reply) => {
      const t = asSecretToken(request.body?.token);
      if (!csrfValid(request, settings.https) || !t) return reply.redirect(t ? `/login/link?token=${t}` : '/login/code', 303);
      const userId = await signInWithLink(deps, t);
      if (userId === null)
        return sendHtml(reply, <LinkExpiredView site={ctx.site} again={{ href: '/login/code', label: 'Send a new code' }} />, 410);
      return signIn(request, reply, userId);
    });

    // Password reset.
    app.get('/reset', async (request, reply) =>
      sendHtml(reply, <ResetRequestView site={ctx.site} csrfToken={token(request, reply)} email="" />),
    );
    app.post<{ Body: FormBody }>('/reset', async (request, reply) => {
      const email = formField(request.body, 'email', 254).trim();
      if (!csrfValid(request, settings.https))
        return sendHtml(
          reply,
          <ResetRequestView site={ctx.site} csrfToken={token(request, reply)} email={email} error={EXPIRED_FORM} />,
          403,
        );
      if (email === '')
        return sendHtml(
          reply,
          <ResetRequestView site={ctx.site} csrfToken={token(request, reply)} email="" error="Enter your email." />,
          400,
        );
      const result = await requestPasswordReset(deps, { email, ip: request.ip });
      if (result.kind === 'limited') return limitedPage(reply, result, 'We have sent as many reset links as we will in an hour.');
      return sendHtml(reply, <CheckEmailView site={ctx.site} email={email.toLowerCase()} what="reset" />);
    });
    app.get<{ Querystring: { token?: string } }>('/reset/confirm', async (request, reply) => {
      const t = asSecretToken(request.query.token);
      if (!t || !(await isLinkLive(deps, t, 'reset_password'))) {
        return sendHtml(reply, <LinkExpiredView site={ctx.site} again={{ href: '/reset', label: 'Ask for a new reset link' }} />, 410);
      }
      return sendHtml(reply, <ResetConfirmView site={ctx.site} csrfToken={token(request, reply)} token={t} />);
    });
    app.post<{ Body: FormBody }>('/reset/confirm', async (request, reply) => {
      const t = asSecretToken(request.body?.token);
      const password = formField(request.body, 'password', 1024);
      if (!t)
        return sendHtml(reply, <LinkExpiredView site={ctx.site} again={{ href: '/reset', label: 'Ask for a new reset link' }} />, 410);
      if (!csrfValid(request, settings.https))
        return sendHtml(reply, <ResetConfirmView site={ctx.site} csrfToken={token(request, reply)} token={t} error={EXPIRED_FORM} />, 403);
      const result = await resetPassword(deps, t, password);
      if (result.kind === 'expired')
        return sendHtml(reply, <LinkExpiredView site={ctx.site} again={{ href: '/reset', label: 'Ask for a new reset link' }} />, 410);
      if (result.kind === 'invalid')
        return sendHtml(
          reply,
          <ResetConfirmView site={ctx.site} csrfToken={token(request, reply)} token={t} issues={result.issues} />,
          400,
        );
      return signIn(request, reply, result.userId);
    });
  };
}
