import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { asSecretToken } from '../../lib/secret-token.ts';
import type { RouteContext } from '../../platform/context.ts';
import { type FormBody, formField } from '../../platform/form-body.ts';
import { sendHtml } from '../../platform/html.ts';
import { form } from '../../platform/schemas.ts';
import { csrfToken } from '../../platform/session.ts';
import { codeField, emailField, parsed, TokenQuery, text } from './account.forms.ts';
import { backToLink, EXPIRED_FORM, flowDeps, postEmailRequest, sendLinkExpired, takeSentTo } from './flows.pages.tsx';
import { isLinkLive, requestSignInCode, signInWithCode, signInWithLink } from './flows.service.ts';
import { completeSignIn } from './sign-in.ts';
import { sendTooMany } from './too-many.tsx';
import { ACCOUNT_LIMITS } from './user.ts';
import { CodeEnterView, CodeRequestView, ConfirmLinkView } from './views/flow-pages.tsx';

const SEND_A_NEW_CODE = { href: '/login/code', label: 'Send a new code' };

/** Signing in without a password: a 6-digit code and a link, both emailed. */
export function codeSignInRoutes(ctx: RouteContext): FastifyPluginAsyncTypebox {
  const https = ctx.session.https;
  const deps = flowDeps(ctx);
  return async (app) => {
    const token = (request: FastifyRequest, reply: FastifyReply) => csrfToken(request, reply, https);
    const requestForm = (request: FastifyRequest, reply: FastifyReply, email: string, error: string, status: number) =>
      sendHtml(reply, <CodeRequestView site={ctx.site} csrfToken={token(request, reply)} email={email} error={error} />, status);
    const enterForm = (request: FastifyRequest, reply: FastifyReply, email: string | undefined, error?: string, status = 200) =>
      sendHtml(reply, <CodeEnterView site={ctx.site} csrfToken={token(request, reply)} email={email} error={error} />, status);

    app.get(
      '/login/code',
      { schema: { querystring: Type.Object({ sent: parsed }) }, config: { allow: 'anyone' } },
      async (request, reply) => {
        // After the code was asked for (post/redirect/get): where to type it.
        if (request.query.sent === '1') return enterForm(request, reply, takeSentTo(request, reply, https));
        return sendHtml(reply, <CodeRequestView site={ctx.site} csrfToken={token(request, reply)} email="" />);
      },
    );

    postEmailRequest(app, ctx, {
      path: '/login/code',
      form: requestForm,
      send: (input) => requestSignInCode(deps, input),
      limited: 'We have sent as many codes as we will in an hour.',
    });

    app.post(
      '/login/code/verify',
      {
        schema: { body: form({ email: emailField, code: codeField }) },
        config: {
          allow: 'anyone',
          onExpiredForm: async (request, reply) =>
            enterForm(request, reply, formField(request.body as FormBody, 'email', ACCOUNT_LIMITS.email), EXPIRED_FORM, 403),
        },
      },
      async (request, reply) => {
        const email = text(request.body.email);
        const result = await signInWithCode(deps, { email, code: text(request.body.code).replace(/\s+/g, ''), ip: request.ip });
        if (result.kind === 'limited')
          return sendTooMany(
            ctx,
            reply,
            result.retryAt,
            'To protect accounts, logging in is paused after several wrong codes or passwords.',
          );
        if (result.kind === 'invalid')
          return enterForm(
            request,
            reply,
            email,
            'That code is not right, or it has expired. Check the latest email, or send a new code.',
            401,
          );
        return completeSignIn(ctx, request, reply, result.userId);
      },
    );

    // The link in the same email: GET shows a button (mail scanners open links); the POST spends it.
    app.get('/login/link', { schema: { querystring: TokenQuery }, config: { allow: 'anyone' } }, async (request, reply) => {
      const t = asSecretToken(request.query.token);
      if (!t || !(await isLinkLive(deps, t, 'sign_in'))) return sendLinkExpired(ctx, reply, SEND_A_NEW_CODE);
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

    app.post(
      '/login/link',
      {
        schema: { body: form({ token: parsed }) },
        config: { allow: 'anyone', onExpiredForm: (request, reply) => backToLink(reply, request.body, '/login/link', '/login/code') },
      },
      async (request, reply) => {
        const t = asSecretToken(request.body.token);
        if (!t) return reply.redirect('/login/code', 303);
        const userId = await signInWithLink(deps, t);
        if (userId === null) return sendLinkExpired(ctx, reply, SEND_A_NEW_CODE);
        return completeSignIn(ctx, request, reply, userId);
      },
    );
  };
}
