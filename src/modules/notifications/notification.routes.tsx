import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { isoNow } from '../../lib/time.ts';
import type { RouteContext } from '../../platform/context.ts';
import { setFlash, takeFlash } from '../../platform/flash.ts';
import { type FormBody, formField } from '../../platform/form-body.ts';
import { sendHtml } from '../../platform/html.ts';
import { csrfToken, csrfValid, requireViewer } from '../../platform/session.ts';
import type { Viewer } from '../accounts/index.ts';
import { countUnread, findRecipient, listNotifications, markAllRead, setNotifyEmail } from './notification.service.tsx';
import { NotificationsView } from './views/notifications-page.tsx';

/** The bell: every page (GET) of a signed-in person shows how many notifications are unread. */
export function registerUnreadOnViewer(app: FastifyInstance, ctx: RouteContext): void {
  app.addHook('preHandler', async (request) => {
    const viewer = request.viewer;
    if (!viewer || request.method !== 'GET') return;
    viewer.unread = await countUnread(ctx.database.db, viewer.userId);
  });
}

export function notificationRoutes(ctx: RouteContext): FastifyPluginAsync {
  const db = ctx.database.db;
  const https = ctx.session.https;
  return async (app) => {
    const page = async (request: FastifyRequest, reply: FastifyReply, viewer: Viewer, message?: string, status = 200) => {
      const who = await findRecipient(db, viewer.userId);
      return sendHtml(
        reply,
        <NotificationsView
          site={ctx.site}
          viewer={viewer}
          csrfToken={csrfToken(request, reply, https)}
          items={await listNotifications(db, viewer.userId, 100)}
          notifyEmail={who?.notifyEmail ?? true}
          message={message}
        />,
        status,
      );
    };
    app.get('/notifications', async (request, reply) => {
      const viewer = requireViewer(request, reply, '/notifications');
      return viewer ? page(request, reply, viewer, takeFlash(request, reply, https)) : reply;
    });
    app.post('/notifications/read', async (request, reply) => {
      const viewer = requireViewer(request, reply, '/notifications');
      if (!viewer) return reply;
      if (!csrfValid(request, https)) return page(request, reply, viewer, 'That form had expired; nothing changed.', 403);
      await markAllRead(db, viewer.userId, isoNow(ctx.clock));
      // Post/redirect/get: the list shows it once.
      setFlash(reply, 'All read.', https);
      return reply.redirect('/notifications', 303);
    });
    // The switch on /account: email about my questions, on or off.
    app.post<{ Body: FormBody }>('/account/notifications', async (request, reply) => {
      const viewer = requireViewer(request, reply, '/account');
      if (!viewer) return reply;
      if (csrfValid(request, https)) await setNotifyEmail(db, viewer.userId, formField(request.body, 'email', 5) === 'on');
      return reply.redirect('/account?saved=notifications#notifications', 303);
    });
  };
}
