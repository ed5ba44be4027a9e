import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { asSecretToken } from '../../lib/secret-token.ts';
import type { RouteContext } from '../../platform/context.ts';
import { type FormBody, formField } from '../../platform/form-body.ts';
import { sendHtml } from '../../platform/html.ts';
import { form } from '../../platform/schemas.ts';
import { csrfToken } from '../../platform/session.ts';
import { emailField, nameField, parsed, passwordField, TokenQuery, text } from './account.forms.ts';
import { sendLinkExpired } from './flows.pages.tsx';
import { completeAdminSetup, isSetupTokenLive } from './setup.service.ts';
import { completeSignIn } from './sign-in.ts';
import { ACCOUNT_LIMITS } from './user.ts';
import { type SetupPageProps, SetupPageView } from './views/setup-page.tsx';

const NEW_LINK = { href: '/', label: 'Restart the server for a new setup link, or run: npx scholia user create --role admin' };

/** /setup: the one-time link the start log prints on a site with no admin. */
export function setupRoutes(ctx: RouteContext): FastifyPluginAsyncTypebox {
  const db = ctx.database.db;
  return async (app) => {
    const setupForm = (request: FastifyRequest, reply: FastifyReply, fields: Omit<SetupPageProps, 'site' | 'csrfToken'>, status = 200) =>
      sendHtml(reply, <SetupPageView site={ctx.site} csrfToken={csrfToken(request, reply, ctx.session.https)} {...fields} />, status);

    app.get('/setup', { schema: { querystring: TokenQuery }, config: { allow: 'anyone' } }, async (request, reply) => {
      const token = asSecretToken(request.query.token);
      if (!token || !(await isSetupTokenLive(db, token, ctx.clock))) return sendLinkExpired(ctx, reply, NEW_LINK);
      return setupForm(request, reply, { token, name: '', email: '' });
    });

    app.post(
      '/setup',
      {
        schema: { body: form({ token: parsed, name: nameField, email: emailField, password: passwordField }) },
        config: {
          allow: 'anyone',
          onExpiredForm: async (request, reply) => {
            const body = request.body as FormBody | undefined;
            const token = asSecretToken(body?.token);
            if (!token) return sendLinkExpired(ctx, reply, NEW_LINK);
            const fields = {
              name: formField(body, 'name', 2 * ACCOUNT_LIMITS.name),
              email: formField(body, 'email', 2 * ACCOUNT_LIMITS.email),
            };
            return setupForm(request, reply, { token, ...fields, error: 'This form had expired. Please submit it again.' }, 403);
          },
        },
      },
      async (request, reply) => {
        const token = asSecretToken(request.body.token);
        if (!token) return sendLinkExpired(ctx, reply, NEW_LINK);
        const fields = { name: text(request.body.name), email: text(request.body.email) };
        const result = await completeAdminSetup(db, token, { ...fields, password: text(request.body.password) }, ctx.clock);
        if (result.kind === 'expired') return sendLinkExpired(ctx, reply, NEW_LINK);
        if (result.kind === 'invalid') return setupForm(request, reply, { token, ...fields, issues: result.issues }, 400);
        // Post/redirect/get: signed in as the new admin, a 303 to the home page (and from there to two-factor setup).
        return completeSignIn(ctx, request, reply, result.userId);
      },
    );
  };
}
