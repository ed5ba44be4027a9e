import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RouteContext } from '../../platform/context.ts';
import { sessionToken, setSessionCookie } from '../../platform/session.ts';
import { endSession, startSession } from './auth.service.ts';
import { beginSecondFactor, isEnabled, SECOND_FACTOR_TTL_MS } from './two-factor.service.ts';

export const SECOND_FACTOR_COOKIE = 'scholia_2fa';

/**
 * The end of every way of signing in (password, emailed code or link, verification, reset). With two-factor
 * sign-in on, the browser gets a short-lived token and goes to /login/2fa; otherwise a new session starts, ending
 * any session the browser had (a new id at every sign-in).
 */
export async function completeSignIn(
  ctx: RouteContext,
  request: FastifyRequest,
  reply: FastifyReply,
  userId: number,
  next = '/',
  opts: { secondFactorDone?: boolean } = {},
): Promise<FastifyReply> {
  const db = ctx.database.db;
  const settings = ctx.session;
  if (!opts.secondFactorDone && (await isEnabled(db, userId))) {
    const token = await beginSecondFactor(db, userId, ctx.clock);
    reply.setCookie(SECOND_FACTOR_COOKIE, token, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: settings.https,
      maxAge: Math.floor(SECOND_FACTOR_TTL_MS / 1000),
    });
    return reply.redirect(`/login/2fa?next=${encodeURIComponent(next)}`, 303);
  }
  const old = sessionToken(request, settings.https);
  if (old) await endSession(db, old);
  const id = await startSession(db, userId, { ip: request.ip, userAgent: request.headers['user-agent'] ?? '' }, settings.policy, ctx.clock);
  setSessionCookie(reply, id, settings);
  return reply.redirect(next, 303);
}
