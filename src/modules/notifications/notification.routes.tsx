import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isoNow } from '../../lib/time.ts';
import type { RouteContext } from '../../platform/context.ts';
import { setFlash, takeFlash } from '../../platform/flash.ts';
import { signedIn } from '../../platform/guard.tsx';
import { sendHtml } from '../../platform/html.ts';
import { field, form } from '../../platform/schemas.ts';
import { csrfToken } from '../../platform/session.ts';
import { countUnread, findRecipient, listNotifications, markAllRead, setNotifyEmail } from './notification.service.tsx';
import { NotificationsView } from './views/notifications-page.tsx';

/** The bell: every page (GET) of a signed-in person shows how many notifications are unread. */
export function registerUnreadOnViewer(app: FastifyInstance, ctx: RouteContext): void {
  app.addHook('preHandler', async (request) => {
    const viewer = request.viewer;
    if (!viewer || request.method !== 'GET') return;
    viewer.unread = await ctx.caches.reads.read(`unread:${viewer.userId}`, () => countUnread(ctx.database.db, viewer.userId));
  });
}

export function notificationRoutes(ctx: RouteContext): FastifyPluginAsyncTypebox {
  const db = ctx.database.db;
  const https = ctx.session.https;
  return async (app) => {
    const page = async (request: FastifyRequest, reply: FastifyReply, message?: string) => {
      const viewer = signedIn(request);
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
      );
    };
    app.get('/notifications', { config: { allow: 'signed-in' } }, async (request, reply) =>
      page(request, reply, takeFlash(request, reply, https)),
    );
    app.post('/notifications/read', { config: { allow: 'signed-in', signInNext: '/notifications' } }, async (request, reply) => {
      await markAllRead(db, signedIn(request).userId, isoNow(ctx.clock));
      // Post/redirect/get: the list shows it once.
      setFlash(reply, 'All read.', https);
      return reply.redirect('/notifications', 303);
    });
    // The switch on /account: email about my questions, on or off.
    app.post(
      '/account/notifications',
      { schema: { body: form({ email: field(5) }) }, config: { allow: 'signed-in', signInNext: '/account' } },
      async (request, reply) => {
        await setNotifyEmail(db, signedIn(request).userId, request.body.email === 'on');
        return reply.redirect('/account?saved=notifications#notifications', 303);
      },
    );
  };
}
