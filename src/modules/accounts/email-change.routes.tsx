import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { asSecretToken } from '../../lib/secret-token.ts';
import type { RouteContext } from '../../platform/context.ts';
import { errorPage } from '../../platform/errors.tsx';
import { signedIn } from '../../platform/guard.tsx';
import { sendHtml } from '../../platform/html.ts';
import { form } from '../../platform/schemas.ts';
import { csrfToken } from '../../platform/session.ts';
import { emailField, parsed, passwordField, TokenQuery, text } from './account.forms.ts';
import { accountChanged, accountPage, expiredAccountForm } from './account.pages.tsx';
import { backToLink, flowDeps, sendLinkExpired } from './flows.pages.tsx';
import { confirmEmailChange, isLinkLive, requestEmailChange } from './flows.service.ts';
import { sendTooMany } from './too-many.tsx';
import { normaliseEmail } from './user.ts';
import { ConfirmLinkView } from './views/flow-pages.tsx';

const ASK_AGAIN = { href: '/account', label: 'Ask again from your account page' };

/** A new address for the account: asked for on /account, confirmed from the link mailed to it. */
export function emailChangeRoutes(ctx: RouteContext): FastifyPluginAsyncTypebox {
  const https = ctx.session.https;
  const deps = flowDeps(ctx);
  const page = accountPage(ctx);
  return async (app) => {
    app.post(
      '/account/email',
      {
        schema: { body: form({ email: emailField, password: passwordField }) },
        config: { allow: 'signed-in', signInNext: '/account', onExpiredForm: expiredAccountForm(ctx, 'email') },
      },
      async (request, reply) => {
        const viewer = signedIn(request);
        const newEmail = text(request.body.email);
        const result = await requestEmailChange(deps, viewer, { newEmail, password: text(request.body.password), ip: request.ip });
        if (result.kind === 'limited') return sendTooMany(ctx, reply, result.retryAt);
        if (result.kind === 'invalid')
          return page(request, reply, viewer, { newEmail, notice: { form: 'email', issues: result.issues } }, 400);
        const sentTo = normaliseEmail(newEmail);
        return accountChanged(ctx, reply, 'email', `We sent a link to ${sentTo}. Your address changes when you confirm it there.`);
      },
    );

    // The link works in any browser, signed in or not: it proves the person reads the new address.
    app.get('/account/email/confirm', { schema: { querystring: TokenQuery }, config: { allow: 'anyone' } }, async (request, reply) => {
      const t = asSecretToken(request.query.token);
      if (!t || !(await isLinkLive(deps, t, 'change_email'))) return sendLinkExpired(ctx, reply, ASK_AGAIN);
      return sendHtml(
        reply,
        <ConfirmLinkView
          site={ctx.site}
          csrfToken={csrfToken(request, reply, https)}
          title="Confirm your new email"
          text="Press the button to make this address the one your account uses."
          action="/account/email/confirm"
          token={t}
          button="Confirm"
        />,
      );
    });

    app.post(
      '/account/email/confirm',
      {
        schema: { body: form({ token: parsed }) },
        config: {
          allow: 'anyone',
          onExpiredForm: (request, reply) => backToLink(reply, request.body, '/account/email/confirm', '/account'),
        },
      },
      async (request, reply) => {
        const t = asSecretToken(request.body.token);
        if (!t) return reply.redirect('/account', 303);
        const result = await confirmEmailChange(deps, t);
        if (result.kind === 'expired') return sendLinkExpired(ctx, reply, ASK_AGAIN);
        if (result.kind === 'taken') {
          const message = 'Another account uses that email now, so yours was not changed.';
          return sendHtml(reply, errorPage(ctx.site, 409, { title: 'That address is taken', message }, request.viewer), 409);
        }
        return reply.redirect('/account', 303);
      },
    );
  };
}
