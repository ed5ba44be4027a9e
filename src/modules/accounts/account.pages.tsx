import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RouteContext } from '../../platform/context.ts';
import { setFlash, takeFlash } from '../../platform/flash.ts';
import { signedIn } from '../../platform/guard.tsx';
import { sendHtml } from '../../platform/html.ts';
import { csrfToken } from '../../platform/session.ts';
import { educatorPath } from '../educators/index.ts';
import { findRecipient } from '../notifications/index.ts';
import { mySessions } from './account.service.ts';
import type { Viewer } from './auth.service.ts';
import { requiredRoles, unusedRecoveryCodes } from './two-factor.service.ts';
import { canAnswer } from './user.ts';
import { type AccountPageProps, AccountPageView } from './views/account-page.tsx';

export type AccountForm = NonNullable<AccountPageProps['notice']>['form'];
const FORMS: readonly AccountForm[] = ['profile', 'email', 'password', 'sessions', 'delete'];

/** /account with everything on it, and `extra` for one form: its text given back, its message. */
export function accountPage(ctx: RouteContext) {
  const db = ctx.database.db;
  return async (request: FastifyRequest, reply: FastifyReply, viewer: Viewer, extra: Partial<AccountPageProps> = {}, status = 200) => {
    const flag = (request.query as { two_factor?: string } | undefined)?.two_factor;
    const twoFactor: AccountPageProps['twoFactor'] = {
      enabled: viewer.twoFactor,
      unusedCodes: viewer.twoFactor ? await unusedRecoveryCodes(db, viewer.userId) : 0,
      required: (await requiredRoles(db)).includes(viewer.role),
      ...(flag === 'wrong' || flag === 'off' ? { message: flag } : {}),
    };
    return sendHtml(
      reply,
      <AccountPageView
        site={ctx.site}
        viewer={viewer}
        csrfToken={csrfToken(request, reply, ctx.session.https)}
        sessions={await mySessions(db, viewer)}
        twoFactor={twoFactor}
        notifyEmail={(await findRecipient(db, viewer.userId))?.notifyEmail ?? true}
        photoPath={canAnswer(viewer.role) ? `${educatorPath({ id: viewer.userId, name: viewer.name })}/photo` : undefined}
        {...extra}
      />,
      status,
    );
  };
}

/** The account page's own answer to one of its forms sent too late: the page, the message by that form. */
export function expiredAccountForm(ctx: RouteContext, form: AccountForm) {
  const page = accountPage(ctx);
  return async (request: FastifyRequest, reply: FastifyReply) =>
    page(
      request,
      reply,
      signedIn(request),
      { notice: { form, error: 'This form had expired, so nothing was changed. Please try again.' } },
      403,
    );
}

/** Post/redirect/get: a change that succeeded answers 303 to /account, which shows its message by its form once. */
export function accountChanged(ctx: RouteContext, reply: FastifyReply, form: AccountForm, message: string): FastifyReply {
  setFlash(reply, `${form}\n${message}`, ctx.session.https);
  return reply.redirect(`/account#${form}-title`, 303);
}

/** The message a change carried to /account, by the form it belongs to. */
export function takeAccountNotice(ctx: RouteContext, request: FastifyRequest, reply: FastifyReply): AccountPageProps['notice'] {
  const [form, ok] = (takeFlash(request, reply, ctx.session.https) ?? '').split('\n', 2);
  const known = FORMS.find((f) => f === form);
  return known && ok ? { form: known, ok } : undefined;
}
