import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { asSecretToken } from '../../lib/secret-token.ts';
import type { RouteContext } from '../../platform/context.ts';
import { setFlash, takeFlash } from '../../platform/flash.ts';
import { type FormBody, formField } from '../../platform/form-body.ts';
import { sendHtml } from '../../platform/html.ts';
import { form } from '../../platform/schemas.ts';
import { emailField, text } from './account.forms.ts';
import type { FlowDeps, Limited } from './flows.service.ts';
import { sendTooMany } from './too-many.tsx';
import { ACCOUNT_LIMITS } from './user.ts';
import { LinkExpiredView } from './views/flow-pages.tsx';

/** What every emailed-link flow needs (sign-up, codes and links, reset, email change). */
export function flowDeps(ctx: RouteContext): FlowDeps {
  return { db: ctx.database.db, mailer: ctx.mailer, clock: ctx.clock, site: { name: ctx.site.name, url: ctx.site.url } };
}

export const EXPIRED_FORM = 'This form had expired, so nothing was sent. Please try again.';

/** 410 and a link to start again, for an emailed link that was used, ran out, or never was one. */
export function sendLinkExpired(ctx: RouteContext, reply: FastifyReply, again: { href: string; label: string }): FastifyReply {
  return sendHtml(reply, <LinkExpiredView site={ctx.site} again={again} />, 410);
}

/** An expired form under an emailed link's button: back to the link's page (a fresh token), or to start again. */
export async function backToLink(reply: FastifyReply, body: unknown, page: string, start: string): Promise<FastifyReply> {
  const t = asSecretToken((body as FormBody | undefined)?.token);
  return reply.redirect(t ? `${page}?token=${t}` : start, 303);
}

// "Check your email" pages (post/redirect/get): the address just typed rides once to the page that names it, in
// the flash cookie rather than the page's address, where it would land in logs and history. The page answers the
// same whether or not the address has an account, so nothing about the account rides along.
const SENT_TO = 'sent-to:';

export function flashSentTo(reply: FastifyReply, email: string, https: boolean): void {
  setFlash(reply, `${SENT_TO}${email.trim().toLowerCase()}`, https);
}

/** The address a code or link was just sent to, once; undefined when the page is reloaded. */
export function takeSentTo(request: FastifyRequest, reply: FastifyReply, https: boolean): string | undefined {
  const message = takeFlash(request, reply, https);
  return message?.startsWith(SENT_TO) ? message.slice(SENT_TO.length) : undefined;
}

/** Answers a form whose text is kept: the page with the address typed and what is wrong with it. */
type EmailForm = (request: FastifyRequest, reply: FastifyReply, email: string, error: string, status: number) => FastifyReply;

/**
 * The POST of a form that emails something to an address (a sign-in code, a reset link): the same answer whether
 * or not the address has an account, an hourly limit, then post/redirect/get to `${path}?sent=1`, where the page
 * says where it went.
 */
export function postEmailRequest(
  app: Parameters<FastifyPluginAsyncTypebox>[0],
  ctx: RouteContext,
  opts: {
    path: string;
    form: EmailForm;
    send: (input: { email: string; ip: string }) => Promise<Limited | { kind: 'sent' }>;
    limited: string;
  },
): void {
  const https = ctx.session.https;
  app.post(
    opts.path,
    {
      schema: { body: form({ email: emailField }) },
      config: {
        allow: 'anyone',
        onExpiredForm: async (request, reply) =>
          opts.form(request, reply, formField(request.body as FormBody, 'email', ACCOUNT_LIMITS.email).trim(), EXPIRED_FORM, 403),
      },
    },
    async (request, reply) => {
      const email = text(request.body.email).trim();
      if (email === '') return opts.form(request, reply, '', 'Enter your email.', 400);
      const result = await opts.send({ email, ip: request.ip });
      if (result.kind === 'limited') return sendTooMany(ctx, reply, result.retryAt, opts.limited);
      flashSentTo(reply, email, https);
      return reply.redirect(`${opts.path}?sent=1`, 303);
    },
  );
}
