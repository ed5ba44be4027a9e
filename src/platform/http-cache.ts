import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { notModified, weakEtag } from '../lib/conditional-get.ts';

/**
 * What browsers and shared caches (a CDN, a proxy) may keep of a visitor's page: all of it, on condition that they ask
 * again before each use, sending its ETag, and get 304 with no body while it has not changed. Not kept for a while
 * without asking: the same address shows a signed-in reader another page, and a copy served unasked would show them
 * signed out. Asked each time, the server sees their session cookie and answers in full, `private, no-store` (app.ts),
 * never with a 304 on a visitor's ETag.
 */
export const VISITOR_PAGE_CACHE_CONTROL = 'public, max-age=0, must-revalidate';

/**
 * Routes whose page is the same for every visitor, so the hook below may give it an ETag and let shared caches keep
 * it. The question page (question.routes.tsx) does the same itself, from its cache entry, so a 304 costs no render.
 * Only routes here: a visitor's form page carries a CSRF token tied to their cookie and must stay theirs alone.
 */
const PUBLIC_PAGES: ReadonlySet<string> = new Set([
  '/',
  '/subjects',
  '/subjects/:slug',
  '/subjects/:slug/:topic',
  '/guides',
  '/guides/:slug',
  '/guides/:slug/:section',
  '/educators/:ref',
]);

/** Marks a visitor's page as one shared caches may keep under `etag`. */
export function markVisitorPage(reply: FastifyReply, etag: string): FastifyReply {
  return reply.header('etag', etag).header('cache-control', VISITOR_PAGE_CACHE_CONTROL);
}

/**
 * The public pages above, as a visitor gets them: an ETag of the rendered page, the cache policy, and 304 when the
 * request already holds that page. The page is still rendered (what the 304 saves is sending it). Runs before
 * @fastify/compress (a route-level hook, so later), which therefore hashes and compares the identity bytes.
 */
export function registerVisitorPageValidation(app: FastifyInstance): void {
  app.addHook('onSend', (request: FastifyRequest, reply, payload, done) => {
    if (
      request.viewer !== null ||
      reply.statusCode !== 200 ||
      (request.method !== 'GET' && request.method !== 'HEAD') ||
      !PUBLIC_PAGES.has(request.routeOptions.url ?? '') ||
      // A response that sets a cookie, or that its route gave its own policy or ETag, is left as it is.
      reply.hasHeader('set-cookie') ||
      reply.hasHeader('cache-control') ||
      reply.hasHeader('etag') ||
      !String(reply.getHeader('content-type') ?? '').startsWith('text/html') ||
      (typeof payload !== 'string' && !Buffer.isBuffer(payload))
    ) {
      done(null, payload);
      return;
    }
    const etag = weakEtag(payload);
    markVisitorPage(reply, etag);
    if (notModified(request.headers, { etag })) {
      reply.code(304);
      done(null, null);
      return;
    }
    done(null, payload);
  });
}
