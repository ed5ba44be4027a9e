import cookie from '@fastify/cookie';
import Tokens from '@fastify/csrf';
import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { DatabaseHandle } from '../db/connect.ts';
import type { Clock } from '../lib/time.ts';
import { resolveSession, type SessionPolicy, type Viewer } from '../modules/accounts/index.ts';
import type { Site } from '../views/layout.tsx';
import type { SteadyReads } from './caches.ts';
import { errorPage } from './errors.tsx';
import { sendHtml } from './html.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in person, or null for a visitor. */
    viewer: Viewer | null;
  }
}

export interface SessionSettings {
  https: boolean;
  policy: SessionPolicy;
}

/** Over HTTPS the __Host- prefix makes browsers refuse the cookie unless it is Secure, host-only and Path=/. */
export function sessionCookieName(https: boolean): string {
  return https ? '__Host-scholia_session' : 'scholia_session';
}

/**
 * Cookies, form bodies, CSRF tokens and the viewer of each request. The session id lives only in an HttpOnly
 * cookie; the database keeps its hash (modules/accounts/auth.service.ts).
 */
export async function registerSessions(
  app: FastifyInstance,
  deps: { database: DatabaseHandle; clock: Clock; settings: SessionSettings; reads: SteadyReads },
): Promise<void> {
  const { settings } = deps;
  await app.register(cookie);
  await app.register(formbody, { bodyLimit: 64 * 1024 });

  const name = sessionCookieName(settings.https);
  app.decorateRequest('viewer', null);
  app.addHook('onRequest', async (request, reply) => {
    const token = request.cookies[name];
    // Static files are the same bytes for everyone: no session to read. Images are read with the session: one in a
    // members-only part is served by membership (modules/images/image.routes.ts); visitors send no cookie anyway.
    if (token === undefined || request.url.startsWith('/static/') || request.url === '/healthz') return;
    request.viewer = await resolveSession(deps.database.db, token, settings.policy, deps.clock, deps.reads);
    if (!request.viewer) clearSessionCookie(reply, settings.https);
    // Every page of a signed-in person has a form: Log out, in the header's account menu (a POST, so another site
    // cannot sign anyone out). Made here, so a page refused by the guard has it as much as any other.
    else request.viewer.csrfToken = csrfToken(request, reply, settings.https);
  });
}

export function setSessionCookie(reply: FastifyReply, token: string, settings: SessionSettings): void {
  reply.setCookie(sessionCookieName(settings.https), token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: settings.https,
    maxAge: Math.floor(settings.policy.absoluteMs / 1000),
  });
}

export function clearSessionCookie(reply: FastifyReply, https: boolean): void {
  reply.clearCookie(sessionCookieName(https), { path: '/', httpOnly: true, sameSite: 'lax', secure: https });
}

export function sessionToken(request: FastifyRequest, https: boolean): string | undefined {
  return request.cookies[sessionCookieName(https)];
}

/*
 * CSRF: a random secret in an HttpOnly, SameSite=Strict cookie, and in every form a token derived from it
 * (@fastify/csrf's tokens, the same scheme as @fastify/csrf-protection, used directly so that a refused form can
 * be shown again with what the person typed instead of an error page). A state change without a valid token
 * is refused before it does anything.
 */
const tokens = Tokens();

function csrfCookieName(https: boolean): string {
  return https ? '__Host-scholia_csrf' : 'scholia_csrf';
}

/** A token for a form on this page (sets the secret cookie the first time). */
export function csrfToken(request: FastifyRequest, reply: FastifyReply, https: boolean): string {
  const name = csrfCookieName(https);
  const existing = request.cookies[name];
  if (existing) return tokens.create(existing);
  const secret = tokens.secretSync();
  request.cookies[name] = secret;
  reply.setCookie(name, secret, { path: '/', httpOnly: true, sameSite: 'strict', secure: https });
  return tokens.create(secret);
}

/** True when the form carries a token made from this browser's secret. */
export function csrfValid(request: FastifyRequest, https: boolean): boolean {
  const secret = request.cookies[csrfCookieName(https)];
  const token = (request.body as { _csrf?: unknown } | undefined)?._csrf;
  return typeof secret === 'string' && secret !== '' && typeof token === 'string' && tokens.verify(secret, token);
}

/**
 * The signed-in viewer, or null after sending the visitor to sign in and come back to `back` (a same-site path).
 * Routes that need a person call this first.
 */
export function requireViewer(request: FastifyRequest, reply: FastifyReply, back: string): Viewer | null {
  if (request.viewer) return request.viewer;
  void reply.redirect(`/login?next=${encodeURIComponent(back)}`, 303);
  return null;
}

/**
 * For pages only some roles may use: the viewer when `allowed` says yes; otherwise sends a visitor to sign in
 * (and come back to `back`) or a signed-in person a 403 page titled `refusal`, and returns null.
 */
export function requireAllowed(
  site: Site,
  request: FastifyRequest,
  reply: FastifyReply,
  back: string,
  allowed: (viewer: Viewer) => boolean,
  refusal: string,
): Viewer | null {
  const viewer = requireViewer(request, reply, back);
  if (!viewer) return null;
  if (allowed(viewer)) return viewer;
  void sendHtml(reply, errorPage(site, 403, { title: refusal }, viewer), 403);
  return null;
}
