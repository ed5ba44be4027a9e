import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FieldIssue } from '../../lib/errors.ts';
import { asSecretToken } from '../../lib/secret-token.ts';
import type { RouteContext } from '../../platform/context.ts';
import type { FormBody } from '../../platform/form-body.ts';
import { sendHtml } from '../../platform/html.ts';
import { form } from '../../platform/schemas.ts';
import { csrfToken } from '../../platform/session.ts';
import { parsed, passwordField, TokenQuery, text } from './account.forms.ts';
import { EXPIRED_FORM, flowDeps, postEmailRequest, sendLinkExpired, takeSentTo } from './flows.pages.tsx';
import { isLinkLive, requestPasswordReset, resetPassword } from './flows.service.ts';
import { completeSignIn } from './sign-in.ts';
import { CheckEmailView, ResetConfirmView, ResetRequestView } from './views/flow-pages.tsx';

const ASK_AGAIN = { href: '/reset', label: 'Ask for a new reset link' };

/** A forgotten password: an emailed link to choose a new one, which signs in and ends every other session. */
export function resetRoutes(ctx: RouteContext): FastifyPluginAsyncTypebox {
  const https = ctx.session.https;
  const deps = flowDeps(ctx);
  return async (app) => {
    const requestForm = (request: FastifyRequest, reply: FastifyReply, email: string, error?: string, status = 200) =>
      sendHtml(
        reply,
        <ResetRequestView site={ctx.site} csrfToken={csrfToken(request, reply, https)} email={email} error={error} />,
        status,
      );
    const newPasswordForm = (
      request: FastifyRequest,
      reply: FastifyReply,
      token: string,
      problem: { issues?: FieldIssue[]; error?: string },
      status = 200,
    ) =>
      sendHtml(reply, <ResetConfirmView site={ctx.site} csrfToken={csrfToken(request, reply, https)} token={token} {...problem} />, status);

    app.get('/reset', { schema: { querystring: Type.Object({ sent: parsed }) }, config: { allow: 'anyone' } }, async (request, reply) => {
      // After a request (post/redirect/get), the same page for an address with an account and one without.
      if (request.query.sent === '1')
        return sendHtml(reply, <CheckEmailView site={ctx.site} email={takeSentTo(request, reply, https)} what="reset" />);
      return requestForm(request, reply, '');
    });

    postEmailRequest(app, ctx, {
      path: '/reset',
      form: requestForm,
      send: (input) => requestPasswordReset(deps, input),
      limited: 'We have sent as many reset links as we will in an hour.',
    });

    app.get('/reset/confirm', { schema: { querystring: TokenQuery }, config: { allow: 'anyone' } }, async (request, reply) => {
      const t = asSecretToken(request.query.token);
      if (!t || !(await isLinkLive(deps, t, 'reset_password'))) return sendLinkExpired(ctx, reply, ASK_AGAIN);
      return newPasswordForm(request, reply, t, {});
    });

    app.post(
      '/reset/confirm',
      {
        schema: { body: form({ token: parsed, password: passwordField }) },
        config: {
          allow: 'anyone',
          onExpiredForm: async (request, reply) => {
            const t = asSecretToken((request.body as FormBody | undefined)?.token);
            return t ? newPasswordForm(request, reply, t, { error: EXPIRED_FORM }, 403) : sendLinkExpired(ctx, reply, ASK_AGAIN);
          },
        },
      },
      async (request, reply) => {
        const t = asSecretToken(request.body.token);
        if (!t) return sendLinkExpired(ctx, reply, ASK_AGAIN);
        const result = await resetPassword(deps, t, text(request.body.password));
        if (result.kind === 'expired') return sendLinkExpired(ctx, reply, ASK_AGAIN);
        if (result.kind === 'invalid') return newPasswordForm(request, reply, t, { issues: result.issues }, 400);
        // Signed in (post/redirect/get: the answer is a 303 to where the person lands).
        return completeSignIn(ctx, request, reply, result.userId);
      },
    );
  };
}
