import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { RouteContext } from '../../platform/context.ts';
import { signedIn } from '../../platform/guard.tsx';
import { field, form } from '../../platform/schemas.ts';
import { clearSessionCookie } from '../../platform/session.ts';
import { nameField, parsed, passwordField, text } from './account.forms.ts';
import { accountChanged, accountPage, expiredAccountForm, takeAccountNotice } from './account.pages.tsx';
import { changeMyPassword, deleteMyAccount, exportMyData, renameMe, revokeMySession, signOutEverywhereElse } from './account.service.ts';
import { sendTooMany } from './too-many.tsx';

// Every page and form here is the signed-in person's own; a visitor signs in and comes back to /account.
const OWN = { allow: 'signed-in', signInNext: '/account' } as const;

/** /account: profile, password, sessions, data export and deletion (the email change has its own routes). */
export function accountRoutes(ctx: RouteContext): FastifyPluginAsyncTypebox {
  const db = ctx.database.db;
  const page = accountPage(ctx);
  return async (app) => {
    app.get('/account', { schema: { querystring: Type.Object({ two_factor: parsed }) }, config: OWN }, async (request, reply) => {
      const notice = takeAccountNotice(ctx, request, reply);
      return page(request, reply, signedIn(request), notice ? { notice } : {});
    });

    app.post(
      '/account/profile',
      { schema: { body: form({ name: nameField }) }, config: { ...OWN, onExpiredForm: expiredAccountForm(ctx, 'profile') } },
      async (request, reply) => {
        const viewer = signedIn(request);
        const name = text(request.body.name);
        const issues = await renameMe(db, viewer, name);
        if (issues.length > 0) return page(request, reply, viewer, { name, notice: { form: 'profile', issues } }, 400);
        return accountChanged(ctx, reply, 'profile', 'Saved.');
      },
    );

    app.post(
      '/account/password',
      {
        schema: { body: form({ current: passwordField, newPassword: passwordField }) },
        config: { ...OWN, onExpiredForm: expiredAccountForm(ctx, 'password') },
      },
      async (request, reply) => {
        const viewer = signedIn(request);
        const passwords = { current: text(request.body.current), next: text(request.body.newPassword) };
        const result = await changeMyPassword(db, viewer, { ...passwords, ip: request.ip }, ctx.clock);
        if (result.kind === 'locked') return sendTooMany(ctx, reply, result.retryAt);
        if (result.kind === 'invalid') return page(request, reply, viewer, { notice: { form: 'password', issues: result.issues } }, 400);
        return accountChanged(ctx, reply, 'password', 'Password changed. Every other session was signed out.');
      },
    );

    app.post(
      '/account/sessions/revoke',
      // The hash of a session id: 64 hex digits.
      { schema: { body: form({ session: field(64) }) }, config: { ...OWN, onExpiredForm: expiredAccountForm(ctx, 'sessions') } },
      async (request, reply) => {
        const viewer = signedIn(request);
        const idHash = request.body.session ?? '';
        if (/^[0-9a-f]{64}$/.test(idHash) && idHash !== viewer.sessionHash) await revokeMySession(db, viewer, idHash);
        return accountChanged(ctx, reply, 'sessions', 'That device is signed out.');
      },
    );

    app.post(
      '/account/sessions/revoke-others',
      { schema: { body: form({}) }, config: { ...OWN, onExpiredForm: expiredAccountForm(ctx, 'sessions') } },
      async (request, reply) => {
        await signOutEverywhereElse(db, signedIn(request));
        return accountChanged(ctx, reply, 'sessions', 'Signed out everywhere else.');
      },
    );

    app.get('/account/export.json', { config: OWN }, async (request, reply) => {
      const data = await exportMyData(db, signedIn(request));
      return reply
        .header('content-type', 'application/json; charset=utf-8')
        .header('content-disposition', 'attachment; filename="scholia-my-data.json"')
        .header('cache-control', 'no-store')
        .send(JSON.stringify({ exportedAt: ctx.clock.now().toISOString(), ...data }, null, 2));
    });

    app.post(
      '/account/delete',
      { schema: { body: form({ password: passwordField }) }, config: { ...OWN, onExpiredForm: expiredAccountForm(ctx, 'delete') } },
      async (request, reply) => {
        const viewer = signedIn(request);
        const result = await deleteMyAccount(db, viewer, { password: text(request.body.password), ip: request.ip }, ctx.clock);
        if (result.kind === 'locked') return sendTooMany(ctx, reply, result.retryAt);
        if (result.kind === 'wrong') {
          const error = 'That is not your password, so nothing was deleted.';
          return page(request, reply, viewer, { notice: { form: 'delete', error } }, 400);
        }
        clearSessionCookie(reply, ctx.session.https);
        return reply.redirect('/?deleted=1', 303);
      },
    );
  };
}
