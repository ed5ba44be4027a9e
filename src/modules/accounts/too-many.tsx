import type { FastifyReply } from 'fastify';
import type { RouteContext } from '../../platform/context.ts';
import { sendHtml } from '../../platform/html.ts';
import { TooManyAttemptsView } from './views/auth-pages.tsx';

/** Every limited request: 429, Retry-After in seconds, and a page that says when to try again. */
export function sendTooMany(ctx: RouteContext, reply: FastifyReply, retryAt: Date, reason?: string): FastifyReply {
  const now = ctx.clock.now();
  reply.header('retry-after', String(Math.max(1, Math.ceil((retryAt.getTime() - now.getTime()) / 1000))));
  return sendHtml(reply, <TooManyAttemptsView site={ctx.site} retryAt={retryAt} now={now} reason={reason} />, 429);
}
