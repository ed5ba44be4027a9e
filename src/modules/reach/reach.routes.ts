import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { isoNow } from '../../lib/time.ts';
import type { RouteContext } from '../../platform/context.ts';
import { errorPage } from '../../platform/errors.tsx';
import { sendHtml } from '../../platform/html.ts';
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

export interface ReachOptions {
  /** URLs per questions sitemap: the protocol's 50,000 unless a test wants several small files. */
  questionsPerSitemap?: number;
}

/** robots.txt, the sitemaps and the Atom feeds: what search engines and feed readers fetch. */
export function reachRoutes(ctx: Pick<RouteContext, 'database' | 'site' | 'clock'>, options: ReachOptions = {}): FastifyPluginAsync {
  const size = options.questionsPerSitemap ?? SITEMAP_MAX_URLS;
  if (!Number.isSafeInteger(size) || size < 1 || size > SITEMAP_MAX_URLS) {
    throw new Error(`questionsPerSitemap must be 1 to ${SITEMAP_MAX_URLS}, got ${size}`);
  }
  const site: ReachSite = { name: ctx.site.name, url: ctx.site.url };
  const sitemapIndexUrl = `${site.url}/sitemap.xml`;

  const send = (reply: FastifyReply, type: string, body: string) => reply.type(type).header('cache-control', CACHE).send(body);

  return async (app) => {
    const db = () => ctx.database.db;

    app.get('/robots.txt', async (_request, reply) => send(reply, TEXT, buildRobots(site.url, sitemapIndexUrl)));

    app.get('/sitemap.xml', async (_request, reply) => send(reply, XML, buildSitemapIndex(await sitemapIndexEntries(db(), site, size))));

    app.get<{ Params: { file: string } }>('/sitemaps/:file', async (request, reply) => {
      const { file } = request.params;
      if (file === 'pages.xml') return send(reply, XML, buildUrlset(await pagesSitemapEntries(db(), site)));
      const n = parseQuestionSitemapName(file);
      const entries = n === null ? undefined : await questionSitemapEntries(db(), site, n, size);
      if (!entries) return sendHtml(reply, errorPage(ctx.site, 404, undefined, request.viewer), 404);
      return send(reply, XML, buildUrlset(entries));
    });

    app.get('/feed.xml', async (_request, reply) => send(reply, ATOM, buildAtomFeed(await siteFeed(db(), site, isoNow(ctx.clock)))));

    app.get<{ Params: { slug: string } }>('/subjects/:slug/feed.xml', async (request, reply) => {
      const { slug } = request.params;
      const feed = /^[a-z0-9-]{1,60}$/.test(slug) ? await subjectFeed(db(), site, slug, isoNow(ctx.clock)) : undefined;
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
      return send(reply, ATOM, buildAtomFeed(feed));
    });
  };
}
