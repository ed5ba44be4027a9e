import type { FastifyPluginAsync } from 'fastify';
import type { FieldIssue } from '../../lib/errors.ts';
import { asSecretToken } from '../../lib/secret-token.ts';
import type { RouteContext } from '../../platform/context.ts';
import { type FormBody, formField } from '../../platform/form-body.ts';
import { sendHtml } from '../../platform/html.ts';
import { csrfToken, csrfValid } from '../../platform/session.ts';
import { Field, HiddenCsrf, issueFor } from '../../views/forms.tsx';
import { Layout } from '../../views/layout.tsx';
import { completeAdminSetup, isSetupTokenLive } from './setup.service.ts';
import { completeSignIn } from './sign-in.ts';
import { LinkExpiredView } from './views/flow-pages.tsx';

/** /setup: the one-time link the start log prints on a site with no admin. */
export function setupRoutes(ctx: RouteContext): FastifyPluginAsync {
  const settings = ctx.session;
  const db = ctx.database.db;
  return async (app) => {
    const expired = () => (
      <LinkExpiredView
        site={ctx.site}
        again={{ href: '/', label: 'Restart the server for a new setup link, or run: npx scholia user create --role admin' }}
      />
    );
    const form = (csrf: string, token: string, fields: { name: string; email: string }, issues?: FieldIssue[], error?: string) => (
      <Layout site={ctx.site} title="Create the first admin">
        <div class="form-page">
          <h1>Create the first admin</h1>
          {error || issues?.length ? (
            <p class="form-error" role="alert">
              {error ?? 'Please fix the fields marked below.'}
            </p>
          ) : null}
          <p>This site has no admin yet. The account you create here can manage users, roles and settings.</p>
          <form method="post" action="/setup" class="stack" novalidate>
            <HiddenCsrf token={csrf} />
            <input type="hidden" name="token" value={token} />
            <Field
              id="setup-name"
              name="name"
              label="Name"
              value={fields.name}
              error={issueFor(issues, 'name')}
              autocomplete="name"
              maxLength={100}
            />
            <Field
              id="setup-email"
              name="email"
              label="Email"
              type="email"
              value={fields.email}
              error={issueFor(issues, 'email')}
              autocomplete="email"
              maxLength={254}
            />
            <Field
              id="setup-password"
              name="password"
              label="Password"
              type="password"
              error={issueFor(issues, 'password')}
              autocomplete="new-password"
              maxLength={256}
            />
            <button type="submit" class="button">
              Create admin
            </button>
          </form>
        </div>
      </Layout>
    );

    app.get<{ Querystring: { token?: string } }>('/setup', async (request, reply) => {
      const token = asSecretToken(request.query.token);
      if (!token || !(await isSetupTokenLive(db, token, ctx.clock))) return sendHtml(reply, expired(), 410);
      return sendHtml(reply, form(csrfToken(request, reply, settings.https), token, { name: '', email: '' }));
    });

    app.post<{ Body: FormBody }>('/setup', async (request, reply) => {
      const token = asSecretToken(request.body?.token);
      const fields = { name: formField(request.body, 'name', 200), email: formField(request.body, 'email', 254) };
      if (!token) return sendHtml(reply, expired(), 410);
      if (!csrfValid(request, settings.https)) {
        return sendHtml(
          reply,
          form(csrfToken(request, reply, settings.https), token, fields, undefined, 'This form had expired. Please submit it again.'),
          403,
        );
      }
      const result = await completeAdminSetup(db, token, { ...fields, password: formField(request.body, 'password', 1024) }, ctx.clock);
      if (result.kind === 'expired') return sendHtml(reply, expired(), 410);
      if (result.kind === 'invalid')
        return sendHtml(reply, form(csrfToken(request, reply, settings.https), token, fields, result.issues), 400);
      return completeSignIn(ctx, request, reply, result.userId);
    });
  };
}
