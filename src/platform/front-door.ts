import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { notModified } from '../lib/conditional-get.ts';
import type { CachedPage, ContentCoding, PageCache } from '../lib/page-cache.ts';
import { BROTLI_CACHED_PAGE, COMPRESS_MIN_BYTES, compressBody, preferredCodingOf } from './compression.ts';
import { VISITOR_PAGE_CACHE_CONTROL } from './http-cache.ts';

/**
 * The front door: a visitor's question page that the page cache holds, confirmed at the database's current change
 * stamp, is answered here, before Fastify sees the request, as a cache in front of the application would (nginx's
 * proxy cache, Varnish). Everything else, and every case this is not sure of, goes on to Fastify unchanged.
 *
 * Why: such a page costs a few microseconds of work, and Fastify's request lifecycle (routing, the request and reply
 * objects, a dozen hooks that have nothing to do for a cached page) was most of what a visitor's page cost.
 *
 * What keeps it correct:
 * - Only a page confirmed at this very change stamp (PageCache.getUnchanged) is served: nothing has been committed
 *   anywhere since its version was last read, so an edit through this process or any other shows at once. A page
 *   not confirmed at this stamp goes to the question route, which reads the version and confirms or renders it.
 *   Engines without a change stamp (PostgreSQL) never take this path.
 * - Only a request that carries no session cookie: a signed-in reader gets their own page from the route.
 * - Only the canonical address (the cached page's slug), by GET or HEAD, and only while the app is not closing (a
 *   response then asks the client to close the connection, which the route's hooks add).
 * - The response is the route's, byte for byte: the same body in the same coding, and the same headers (security
 *   headers, the page's ETag, Cache-Control, Vary, the math style policy), which a test compares; a conditional
 *   request gets the same 304.
 * - It is counted in /metrics under the question route, as the route would count it.
 */

export interface FrontDoorDeps {
  pages: PageCache;
  changeStamp: () => number;
  now: () => number;
  /** The session cookie's name: a request carrying it goes to the route. */
  sessionCookie: string;
  compression: boolean;
  /** The headers every response carries (platform/security-headers.ts). */
  headers: Readonly<Record<string, string>>;
  /** The same headers, for a page with math (KaTeX's inline styles allowed, see platform/html.ts). */
  mathHeaders: Readonly<Record<string, string>>;
  closing: () => boolean;
  /** Counts a response in /metrics: the route it stands for, its method and status, and how long it took. */
  observe: (method: string, status: number, route: string, seconds: number) => void;
  /** Logs the request as the app's onResponse hook does, when request lines are logged at all (LOG_LEVEL info). */
  log?: ((line: { method: string; url: string; status: number; ms: number }) => void) | undefined;
}

/** The question route whose cached pages the front door serves, as Fastify names it in /metrics. */
export const FRONT_DOOR_ROUTE = '/q/:id/:slug';

/** `/q/123/some-slug`, with an optional query string; digits as the site writes them (no leading zero). */
const QUESTION_PATH = /^\/q\/([1-9]\d{0,15})\/([^/?#]+)(?:\?|$)/;

/**
 * A request handler for node's HTTP server: true when it answered the request, false to pass it on. Called for
 * every request, so what it does for one it does not answer is a few string checks.
 */
export function frontDoor(deps: FrontDoorDeps): (req: IncomingMessage, res: ServerResponse) => boolean {
  const cookieMark = `${deps.sessionCookie}=`;
  return (req, res) => {
    const method = req.method;
    if (method !== 'GET' && method !== 'HEAD') return false;
    const url = req.url;
    if (url === undefined || url.charCodeAt(1) !== 113 /* q */) return false;
    const match = QUESTION_PATH.exec(url);
    if (match === null) return false;
    if (req.headers.cookie?.includes(cookieMark)) return false;
    if (deps.closing()) return false;
    const start = process.hrtime.bigint();
    const key = match[1] as string;
    const page = deps.pages.getUnchanged(key, deps.changeStamp(), deps.now());
    if (page === undefined || page.tag !== match[2]) return false;
    const status = send(deps, req, res, key, page, method === 'HEAD');
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    deps.observe(method, status, FRONT_DOOR_ROUTE, seconds);
    deps.log?.({ method, url, status, ms: Math.round(seconds * 1000) });
    return true;
  };
}

function send(deps: FrontDoorDeps, req: IncomingMessage, res: ServerResponse, key: string, page: CachedPage, head: boolean): number {
  const headers: Record<string, string | number> = {
    ...(page.math ? deps.mathHeaders : deps.headers),
    etag: page.etag,
    'cache-control': VISITOR_PAGE_CACHE_CONTROL,
    'content-type': 'text/html; charset=utf-8',
  };
  // The route's compression hook names Accept-Encoding in Vary on every HTML response while compression is on.
  if (deps.compression) headers.vary = 'accept-encoding';
  if (notModified(req.headers, page)) {
    res.writeHead(304, headers);
    res.end();
    return 304;
  }
  const coding: ContentCoding | null = deps.compression && page.body.length >= COMPRESS_MIN_BYTES ? preferredCodingOf(req.headers) : null;
  let body = page.body;
  if (coding !== null) {
    body = deps.pages.encoded(key, page, coding, (b) => compressBody(b, coding, BROTLI_CACHED_PAGE));
    headers['content-encoding'] = coding;
  }
  headers['content-length'] = body.length;
  res.writeHead(200, headers);
  if (head) res.end();
  else res.end(body);
  return 200;
}

/**
 * Node's HTTP server for Fastify's `serverFactory`, with the front door before Fastify's handler, and the timeouts
 * Fastify gives the server it makes itself (it leaves them to whoever makes the server).
 */
export function serverWithFrontDoor(
  handler: RequestListener,
  options: { keepAliveTimeout?: number; requestTimeout?: number; connectionTimeout?: number; maxRequestsPerSocket?: number },
  door: (req: IncomingMessage, res: ServerResponse) => boolean,
): Server {
  const server = createServer((req, res) => {
    if (!door(req, res)) handler(req, res);
  });
  if (options.keepAliveTimeout !== undefined) server.keepAliveTimeout = options.keepAliveTimeout;
  if (options.requestTimeout !== undefined) server.requestTimeout = options.requestTimeout;
  if (options.connectionTimeout !== undefined) server.setTimeout(options.connectionTimeout);
  if (options.maxRequestsPerSocket) server.maxRequestsPerSocket = options.maxRequestsPerSocket;
  return server;
}
