import type { FastifyPluginAsync } from 'fastify';
import { formatDate } from '../../lib/time.ts';
import type { RouteContext } from '../../platform/context.ts';
import { sendHtml } from '../../platform/html.ts';
import { requireAllowed } from '../../platform/session.ts';
import { Layout } from '../../views/layout.tsx';
import { canReadOutbox } from '../accounts/index.ts';
import { readOutbox } from './mail.service.ts';

/** Admins read the outbox here when no SMTP server is configured (mail is never sent then). */
export function outboxRoutes(ctx: RouteContext): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Querystring: { to?: string } }>('/admin/outbox', async (request, reply) => {
      const viewer = requireAllowed(ctx.site, request, reply, '/admin/outbox', canReadOutbox, 'Only admins can read the outbox');
      if (!viewer) return reply;
      const to = typeof request.query.to === 'string' ? request.query.to.slice(0, 254).toLowerCase() : undefined;
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
                To {m.to} · {formatDate(m.createdAt)} {m.createdAt.slice(11, 16)} UTC
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
