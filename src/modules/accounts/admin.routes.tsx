import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { RouteContext } from '../../platform/context.ts';
import { errorPage } from '../../platform/errors.tsx';
import { sendHtml } from '../../platform/html.ts';
import { csrfToken, csrfValid } from '../../platform/session.ts';
import { type AdminResult, changeRole, listUsers, setSuspension } from './account.service.ts';
import { type Actor, canChangeRole, canSuspend } from './policy.ts';
import { AdminUsersView } from './views/admin-users-page.tsx';

const PAGE = 50;

/** /admin/users: editors and admins find users; admins change roles; both suspend and restore (policy.ts). */
export function adminUserRoutes(ctx: RouteContext): FastifyPluginAsync {
  const settings = ctx.session;
  const db = ctx.database.db;
  return async (app) => {
    const show = async (
      request: FastifyRequest,
      reply: FastifyReply,
      query: string,
      before: number | null,
      message?: { ok?: string; error?: string },
      status = 200,
    ) => {
      const viewer = request.viewer;
      if (!viewer) return reply.redirect(`/login?next=${encodeURIComponent('/admin/users')}`, 303);
      const actor: Actor = { userId: viewer.userId, role: viewer.role };
      const rows = await listUsers(db, ctx.database.engine, actor, { text: query, beforeId: before, limit: PAGE + 1 });
      if (rows === null)
        return sendHtml(
          reply,
          errorPage(
            ctx.site,
            403,
            { title: 'Only editors and admins manage users', message: 'This page is not open to your account.' },
            viewer,
          ),
          403,
        );
      const users = rows.slice(0, PAGE).map((u) => ({ ...u, canChangeRole: canChangeRole(actor, u), canSuspend: canSuspend(actor, u) }));
      const last = users[users.length - 1];
      const nextPath = rows.length > PAGE && last ? `/admin/users?${new URLSearchParams({ q: query, before: String(last.id) })}` : null;
      return sendHtml(
        reply,
        <AdminUsersView
          site={ctx.site}
          viewer={viewer}
          csrfToken={csrfToken(request, reply, settings.https)}
          query={query}
          users={users}
          nextPath={nextPath}
          message={message}
        />,
        status,
      );
    };

    app.get<{ Querystring: { q?: string; before?: string } }>('/admin/users', async (request, reply) => {
      const q =
        typeof request.query.q === 'string'
          ? request.query.q
              .replace(/[\u0000-\u001f]/g, '')
              .trim()
              .slice(0, 200)
          : '';
      const before =
        typeof request.query.before === 'string' && /^\d{1,10}$/.test(request.query.before) ? Number(request.query.before) : null;
      return show(request, reply, q, before);
    });

    const act = (
      path: string,
      run: (actor: Actor, targetId: number, body: Record<string, unknown>) => Promise<AdminResult>,
      done: string,
    ) =>
      app.post<{ Params: { id: string }; Body: Record<string, unknown> }>(path, async (request, reply) => {
        const viewer = request.viewer;
        if (!viewer) return reply.redirect(`/login?next=${encodeURIComponent('/admin/users')}`, 303);
        if (!csrfValid(request, settings.https))
          return show(request, reply, '', null, { error: 'This form had expired, so nothing was changed.' }, 403);
        const id = /^\d{1,10}$/.test(request.params.id) ? Number(request.params.id) : 0;
        const result = await run({ userId: viewer.userId, role: viewer.role }, id, request.body ?? {});
        if (result.kind === 'forbidden')
          return sendHtml(
            reply,
            errorPage(ctx.site, 403, { title: 'You cannot do that', message: 'Your role does not allow this change.' }, viewer),
            403,
          );
        if (result.kind === 'not_found')
          return sendHtml(
            reply,
            errorPage(ctx.site, 404, { title: 'No such user', message: 'That account does not exist or was deleted.' }, viewer),
            404,
          );
        if (result.kind === 'invalid') return show(request, reply, '', null, { error: result.message }, 400);
        return show(request, reply, '', null, { ok: done });
      });

    act(
      '/admin/users/:id/role',
      (actor, id, body) => changeRole(db, actor, id, typeof body.role === 'string' ? body.role : ''),
      'Role changed. They will sign in again.',
    );
    act('/admin/users/:id/suspend', (actor, id) => setSuspension(db, actor, id, true, ctx.clock), 'Suspended, and signed out everywhere.');
    act('/admin/users/:id/restore', (actor, id) => setSuspension(db, actor, id, false, ctx.clock), 'Restored.');
  };
}
