import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FieldIssue } from '../../lib/errors.ts';
import { sameSitePath } from '../../lib/same-site-path.ts';
import { asSecretToken } from '../../lib/secret-token.ts';
import type { RouteContext } from '../../platform/context.ts';
import { type FormBody, formField } from '../../platform/form-body.ts';
import { sendHtml } from '../../platform/html.ts';
import { form } from '../../platform/schemas.ts';
import { csrfToken } from '../../platform/session.ts';
import { emailField, nameField, parsed, passwordField, TokenQuery, text } from './account.forms.ts';
import { backToLink, EXPIRED_FORM, flashSentTo, flowDeps, sendLinkExpired, takeSentTo } from './flows.pages.tsx';
import { confirmEmail, isLinkLive, signUp } from './flows.service.ts';
import { completeSignIn } from './sign-in.ts';
import { sendTooMany } from './too-many.tsx';
import { ACCOUNT_LIMITS } from './user.ts';
import { CheckEmailView, ConfirmLinkView, SignUpPageView } from './views/flow-pages.tsx';

const SIGN_UP_AGAIN = { href: '/signup', label: 'Sign up again to get a new link' };

/** Sign-up, and the emailed link that confirms the address and signs in. */
export function signUpRoutes(ctx: RouteContext): FastifyPluginAsyncTypebox {
  const https = ctx.session.https;
  const deps = flowDeps(ctx);
  return async (app) => {
    const signUpForm = (
      request: FastifyRequest,
      reply: FastifyReply,
      fields: { name: string; email: string; next: string; issues?: FieldIssue[]; error?: string },
      status: number,
    ) => sendHtml(reply, <SignUpPageView site={ctx.site} csrfToken={csrfToken(request, reply, https)} {...fields} />, status);

    app.get(
      '/signup',
      { schema: { querystring: Type.Object({ next: parsed, sent: parsed }) }, config: { allow: 'anyone' } },
      async (request, reply) => {
        // After a sign-up (post/redirect/get), whoever is signed in on this browser.
        if (request.query.sent === '1')
          return sendHtml(reply, <CheckEmailView site={ctx.site} email={takeSentTo(request, reply, https)} what="verify" />);
        const next = sameSitePath(request.query.next);
        if (request.viewer) return reply.redirect(next, 303);
        return signUpForm(request, reply, { name: '', email: '', next }, 200);
      },
    );

    app.post(
      '/signup',
      {
        schema: { body: form({ name: nameField, email: emailField, password: passwordField, next: parsed }) },
        config: {
          allow: 'anyone',
          onExpiredForm: async (request, reply) => {
            const body = request.body as FormBody | undefined;
            const name = formField(body, 'name', ACCOUNT_LIMITS.name * 2);
            const email = formField(body, 'email', ACCOUNT_LIMITS.email * 2);
            return signUpForm(request, reply, { name, email, next: sameSitePath(body?.next), error: EXPIRED_FORM }, 403);
          },
        },
      },
      async (request, reply) => {
        const fields = { name: text(request.body.name), email: text(request.body.email), next: sameSitePath(request.body.next) };
        const result = await signUp(deps, { ...fields, password: text(request.body.password), ip: request.ip });
        if (result.kind === 'invalid') return signUpForm(request, reply, { ...fields, issues: result.issues }, 400);
        if (result.kind === 'limited')
          return sendTooMany(ctx, reply, result.retryAt, 'Too many accounts were started from here or for this address in the last hour.');
        // The same answer for a taken address as for a new one (the owner is told by mail).
        flashSentTo(reply, fields.email, https);
        return reply.redirect('/signup?sent=1', 303);
      },
    );

    // Email verification: GET shows a button (mail scanners open links); the POST spends the link and signs in.
    app.get('/verify', { schema: { querystring: TokenQuery }, config: { allow: 'anyone' } }, async (request, reply) => {
      const t = asSecretToken(request.query.token);
      if (!t || !(await isLinkLive(deps, t, 'verify_email'))) return sendLinkExpired(ctx, reply, SIGN_UP_AGAIN);
      return sendHtml(
        reply,
        <ConfirmLinkView
          site={ctx.site}
          csrfToken={csrfToken(request, reply, https)}
          title="Confirm your email"
          text="One more step: confirm this address to finish creating your account."
          action="/verify"
          token={t}
          button="Confirm"
        />,
      );
    });

    app.post(
      '/verify',
      {
        schema: { body: form({ token: parsed }) },
        config: { allow: 'anyone', onExpiredForm: (request, reply) => backToLink(reply, request.body, '/verify', '/signup') },
      },
      async (request, reply) => {
        const t = asSecretToken(request.body.token);
        if (!t) return reply.redirect('/signup', 303);
        const confirmed = await confirmEmail(deps, t);
        if (confirmed === null) return sendLinkExpired(ctx, reply, SIGN_UP_AGAIN);
        return completeSignIn(ctx, request, reply, confirmed.userId, sameSitePath(confirmed.next));
      },
    );
  };
}
