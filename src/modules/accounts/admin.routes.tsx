import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RouteContext } from '../../platform/context.ts';
import { errorPage } from '../../platform/errors.tsx';
import { signedIn } from '../../platform/guard.tsx';
import { sendHtml } from '../../platform/html.ts';
import { field, form, IdParams } from '../../platform/schemas.ts';
import { csrfToken } from '../../platform/session.ts';
import { parsed } from './account.forms.ts';
import { type AdminResult, changeRole, listUsers, setSuspension } from './account.service.ts';
import { type Actor, canChangeRole, canSuspend, changeRolesPolicy, manageUsersPolicy, type RoutePolicy } from './policy.ts';
import { ACCOUNT_LIMITS } from './user.ts';
import { AdminUsersView } from './views/admin-users-page.tsx';

const PAGE = 50;

/** /admin/users: editors and admins find users; admins change roles; both suspend and restore (policy.ts). */
export function adminUserRoutes(ctx: RouteContext): FastifyPluginAsyncTypebox {
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
      const viewer = signedIn(request);
      const actor: Actor = { userId: viewer.userId, role: viewer.role };
      const rows = await listUsers(db, ctx.database.engine, actor, { text: query, beforeId: before, limit: PAGE + 1 });
      if (rows === null) return sendHtml(reply, errorPage(ctx.site, 403, { title: manageUsersPolicy.refusal }, viewer), 403);
      const users = rows.slice(0, PAGE).map((u) => ({ ...u, canChangeRole: canChangeRole(actor, u), canSuspend: canSuspend(actor, u) }));
      const last = users[users.length - 1];
      const nextPath = rows.length > PAGE && last ? `/admin/users?${new URLSearchParams({ q: query, before: String(last.id) })}` : null;
      return sendHtml(
        reply,
        <AdminUsersView
          site={ctx.site}
          viewer={viewer}
          csrfToken={csrfToken(request, reply, ctx.session.https)}
          query={query}
          users={users}
          nextPath={nextPath}
          message={message}
        />,
        status,
      );
    };

    // Both read leniently, as before: a link with a mangled `before` shows the first page, a long search is cut.
    const listQuery = Type.Object({ q: parsed, before: parsed });
    app.get(
      '/admin/users',
      { schema: { querystring: listQuery }, config: { allow: manageUsersPolicy, signInNext: '/admin/users' } },
      async (request, reply) => {
        const q = (request.query.q ?? '')
          .replace(/[\u0000-\u001f]/g, '')
          .trim()
          .slice(0, ACCOUNT_LIMITS.userSearch);
        const before = /^\d{1,10}$/.test(request.query.before ?? '') ? Number(request.query.before) : null;
        return show(request, reply, q, before);
      },
    );

    // One change to one user: the policy says who may use the form, the service whether this user may be changed.
    // Only the role change sends `role`.
    const body = form({ role: field(20) });
    const act = (
      path: string,
      policy: RoutePolicy,
      run: (actor: Actor, targetId: number, role: string) => Promise<AdminResult>,
      done: string,
    ) =>
      app.post(
        path,
        {
          schema: { params: IdParams, body },
          config: {
            allow: policy,
            signInNext: '/admin/users',
            onExpiredForm: (request, reply) =>
              show(request, reply, '', null, { error: 'This form had expired, so nothing was changed.' }, 403),
          },
        },
        async (request, reply) => {
          const viewer = signedIn(request);
          const result = await run({ userId: viewer.userId, role: viewer.role }, request.params.id, request.body.role ?? '');
          if (result.kind === 'forbidden') {
            const refusal = { title: 'You cannot do that', message: 'Your role does not allow this change.' };
            return sendHtml(reply, errorPage(ctx.site, 403, refusal, viewer), 403);
          }
          if (result.kind === 'not_found') {
            const missing = { title: 'No such user', message: 'That account does not exist or was deleted.' };
            return sendHtml(reply, errorPage(ctx.site, 404, missing, viewer), 404);
          }
          if (result.kind === 'invalid') return show(request, reply, '', null, { error: result.message }, 400);
          return show(request, reply, '', null, { ok: done });
        },
      );

    act(
      '/admin/users/:id/role',
      changeRolesPolicy,
      (actor, id, role) => changeRole(db, actor, id, role),
      'Role changed. They will sign in again.',
    );
    act(
      '/admin/users/:id/suspend',
      manageUsersPolicy,
      (actor, id) => setSuspension(db, actor, id, true, ctx.clock),
      'Suspended, and signed out everywhere.',
    );
    act('/admin/users/:id/restore', manageUsersPolicy, (actor, id) => setSuspension(db, actor, id, false, ctx.clock), 'Restored.');
  };
}
