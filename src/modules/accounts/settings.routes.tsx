import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { RouteContext } from '../../platform/context.ts';
import { setFlash, takeFlash } from '../../platform/flash.ts';
import { signedIn } from '../../platform/guard.tsx';
import { sendHtml } from '../../platform/html.ts';
import { form } from '../../platform/schemas.ts';
import { csrfToken } from '../../platform/session.ts';
import { siteSettingsPolicy } from './policy.ts';
import { requiredRoles, setRequiredRoles } from './two-factor.service.ts';
import { isRole, ROLES, type Role } from './user.ts';
import { TwoFactorSettingsView } from './views/two-factor-pages.tsx';

// Admins only; a visitor signs in and comes back to /account, as from every two-factor page.
const ADMINS = { allow: siteSettingsPolicy, signInNext: '/account' } as const;
const SAVED = 'Saved.';

/** /admin/settings: which roles must use two-factor sign-in. */
export function settingsRoutes(ctx: RouteContext): FastifyPluginAsyncTypebox {
  const https = ctx.session.https;
  const db = ctx.database.db;
  return async (app) => {
    app.get('/admin/settings', { config: ADMINS }, async (request, reply) => {
      const saved = takeFlash(request, reply, https) === SAVED;
      return sendHtml(
        reply,
        <TwoFactorSettingsView
          site={ctx.site}
          viewer={signedIn(request)}
          csrfToken={csrfToken(request, reply, https)}
          required={await requiredRoles(db)}
          saved={saved}
        />,
      );
    });

    // A checkbox per role, so `require` repeats (one value arrives as a list of one); unknown roles are ignored.
    const body = form({ require: Type.Optional(Type.Array(Type.String({ maxLength: 20 }), { maxItems: 2 * ROLES.length })) });
    app.post(
      '/admin/settings',
      { schema: { body }, config: { ...ADMINS, onExpiredForm: async (_request, reply) => reply.redirect('/admin/settings', 303) } },
      async (request, reply) => {
        const roles = (request.body.require ?? []).filter((r): r is Role => isRole(r));
        await setRequiredRoles(db, roles);
        // Post/redirect/get: the page shows the roles as saved, and says so once.
        setFlash(reply, SAVED, https);
        return reply.redirect('/admin/settings', 303);
      },
    );
  };
}
