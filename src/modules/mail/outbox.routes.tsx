import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { RouteContext } from '../../platform/context.ts';
import { signedIn } from '../../platform/guard.tsx';
import { sendHtml } from '../../platform/html.ts';
import { Layout } from '../../views/layout.tsx';
import { LocalTime } from '../../views/local-time.tsx';
import { ACCOUNT_LIMITS, readOutboxPolicy } from '../accounts/index.ts';
import { readOutbox } from './mail.service.ts';

/** Admins read the outbox here when no SMTP server is configured (mail is never sent then). */
export function outboxRoutes(ctx: RouteContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    // `to` is cut rather than refused: the page is a filter, and a long address finds nothing either way.
    const schema = { querystring: Type.Object({ to: Type.Optional(Type.String()) }) };
    app.get('/admin/outbox', { schema, config: { allow: readOutboxPolicy, signInNext: '/admin/outbox' } }, async (request, reply) => {
      const viewer = signedIn(request);
      const to = request.query.to?.slice(0, ACCOUNT_LIMITS.email).toLowerCase();
      const mails = await readOutbox(ctx.database.db, { limit: 50, ...(to ? { to } : {}) });
      return sendHtml(
        reply,
        <Layout site={ctx.site} viewer={viewer} title="Outbox">
          <h1>Outbox</h1>
          <p class="muted">
            {ctx.mailer.kind === 'outbox'
              ? 'No mail server is configured (SMTP_URL), so the site keeps its mail here instead of sending it. Newest first.'
              : 'Mail goes out through the mail server (SMTP_URL). Each message is queued here first and sent moments later; this shows what was sent and what waits.'}
          </p>
          {mails.length === 0 ? <p>The outbox is empty.</p> : null}
          {mails.map((m) => (
            <article class="card" key={m.id}>
              <h2>{m.subject}</h2>
              <p class="meta">
                To {m.to} · <LocalTime iso={m.createdAt} />
                {ctx.mailer.kind === 'smtp'
                  ? m.sentAt
                    ? ' · sent'
                    : m.lastError
                      ? ` · not sent after ${m.attempts} tries: ${m.lastError}`
                      : ' · waiting to be sent'
                  : ''}
              </p>
              <pre class="mail-text">{m.text}</pre>
            </article>
          ))}
        </Layout>,
      );
    });
  };
}
