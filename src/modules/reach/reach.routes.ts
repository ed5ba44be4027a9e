import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { httpDate, notModified, weakEtag } from '../../lib/conditional-get.ts';
import { isoNow } from '../../lib/time.ts';
import type { RouteContext } from '../../platform/context.ts';
import { errorPage } from '../../platform/errors.tsx';
import { sendHtml } from '../../platform/html.ts';
import { SUBJECT_SLUG_PATTERN } from '../subjects/index.ts';
import { buildAtomFeed } from './feed.ts';
import {
  pagesSitemapEntries,
  questionSitemapEntries,
  type ReachSite,
  siteFeed,
  sitemapIndexEntries,
  subjectFeed,
} from './reach.service.ts';
import { buildRobots } from './robots.ts';
import { buildSitemapIndex, buildUrlset, parseQuestionSitemapName, SITEMAP_MAX_URLS } from './sitemap.ts';

const XML = 'application/xml; charset=utf-8';
const ATOM = 'application/atom+xml; charset=utf-8';
const TEXT = 'text/plain; charset=utf-8';
// Crawlers and feed readers poll; five minutes keeps them off the database without hiding a new answer for long.
const CACHE = 'public, max-age=300';

// A file name that names no sitemap is a 404 (parseQuestionSitemapName reads it); an absurdly long one too.
const SitemapParams = Type.Object({ file: Type.String({ maxLength: 100 }) });
const SubjectParams = Type.Object({ slug: Type.String({ pattern: SUBJECT_SLUG_PATTERN }) });
// Public: search engines and feed readers fetch these without an account.
const anyone = { allow: 'anyone' } as const;

export interface ReachOptions {
  /** URLs per questions sitemap: the protocol's 50,000 unless a test wants several small files. */
  questionsPerSitemap?: number;
}

/** robots.txt, the sitemaps and the Atom feeds: what search engines and feed readers fetch. */
export function reachRoutes(ctx: Pick<RouteContext, 'database' | 'site' | 'clock'>, options: ReachOptions = {}): FastifyPluginAsyncTypebox {
  const size = options.questionsPerSitemap ?? SITEMAP_MAX_URLS;
  if (!Number.isSafeInteger(size) || size < 1 || size > SITEMAP_MAX_URLS) {
    throw new Error(`questionsPerSitemap must be 1 to ${SITEMAP_MAX_URLS}, got ${size}`);
  }
  const site: ReachSite = { name: ctx.site.name, url: ctx.site.url };
  const sitemapIndexUrl = `${site.url}/sitemap.xml`;

  /**
   * A feed, sitemap or robots.txt with its validators: an ETag of the body, and Last-Modified from `dates` (the items'
   * last changes) where given; 304 when the request holds this very version. Only the feeds and the questions
   * sitemaps give dates, where every item has one. Taking an item away does not move the newest date, so a client
   * that sends only If-Modified-Since may keep a removed item until the next change; If-None-Match, which browsers,
   * feed readers and crawlers send when they have an ETag, takes precedence and sees every change.
   */
  const send = (
    request: FastifyRequest,
    reply: FastifyReply,
    type: string,
    body: string,
    dates?: ReadonlyArray<string | null | undefined>,
  ) => {
    const etag = weakEtag(body);
    const lastModified = newestOf(dates);
    reply.type(type).header('cache-control', CACHE).header('etag', etag);
    if (lastModified !== undefined) reply.header('last-modified', httpDate(lastModified));
    if (notModified(request.headers, { etag, lastModified })) return reply.code(304).send();
    return reply.send(body);
  };

  return async (app) => {
    const db = () => ctx.database.db;

    app.get('/robots.txt', { config: anyone }, async (request, reply) =>
      send(request, reply, TEXT, buildRobots(site.url, sitemapIndexUrl)),
    );

    app.get('/sitemap.xml', { config: anyone }, async (request, reply) =>
      send(request, reply, XML, buildSitemapIndex(await sitemapIndexEntries(db(), site, size))),
    );

    app.get('/sitemaps/:file', { schema: { params: SitemapParams }, config: anyone }, async (request, reply) => {
      const { file } = request.params;
      if (file === 'pages.xml') return send(request, reply, XML, buildUrlset(await pagesSitemapEntries(db(), site)));
      const n = parseQuestionSitemapName(file);
      const entries = n === null ? undefined : await questionSitemapEntries(db(), site, n, size);
      if (!entries) return sendHtml(reply, errorPage(ctx.site, 404, undefined, request.viewer), 404);
      return send(
        request,
        reply,
        XML,
        buildUrlset(entries),
        entries.map((e) => e.lastmod),
      );
    });

    app.get('/feed.xml', { config: anyone }, async (request, reply) => {
      const feed = await siteFeed(db(), site, isoNow(ctx.clock));
      return send(
        request,
        reply,
        ATOM,
        buildAtomFeed(feed),
        feed.entries.map((e) => e.updated),
      );
    });

    app.get('/subjects/:slug/feed.xml', { schema: { params: SubjectParams }, config: anyone }, async (request, reply) => {
      const feed = await subjectFeed(db(), site, request.params.slug, isoNow(ctx.clock));
      if (!feed) {
        return sendHtml(
          reply,
          errorPage(
            ctx.site,
            404,
            { title: 'We could not find that subject', message: 'There is no subject at this address, so there is no feed for it.' },
            request.viewer,
          ),
          404,
        );
      }
      return send(
        request,
        reply,
        ATOM,
        buildAtomFeed(feed),
        feed.entries.map((e) => e.updated),
      );
    });
  };
}

/**
 * The newest of `dates` in ms, when there is at least one and every one is a date. A newest date later than now
 * (dates written by a clock ahead of this one) gives none: Last-Modified may not be later than the response's Date,
 * and "now" would move from one request to the next, so a client's If-Modified-Since would never match.
 */
function newestOf(dates: ReadonlyArray<string | null | undefined> | undefined): number | undefined {
  if (dates === undefined || dates.length === 0) return undefined;
  let newest = Number.NEGATIVE_INFINITY;
  for (const d of dates) {
    const ms = d ? Date.parse(d) : Number.NaN;
    if (!Number.isFinite(ms)) return undefined;
    if (ms > newest) newest = ms;
  }
  return newest <= Date.now() ? newest : undefined;
}
