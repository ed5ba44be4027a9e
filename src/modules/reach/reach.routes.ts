import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
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

  const send = (reply: FastifyReply, type: string, body: string) => reply.type(type).header('cache-control', CACHE).send(body);

  return async (app) => {
    const db = () => ctx.database.db;

    app.get('/robots.txt', { config: anyone }, async (_request, reply) => send(reply, TEXT, buildRobots(site.url, sitemapIndexUrl)));

    app.get('/sitemap.xml', { config: anyone }, async (_request, reply) =>
      send(reply, XML, buildSitemapIndex(await sitemapIndexEntries(db(), site, size))),
    );

    app.get('/sitemaps/:file', { schema: { params: SitemapParams }, config: anyone }, async (request, reply) => {
      const { file } = request.params;
      if (file === 'pages.xml') return send(reply, XML, buildUrlset(await pagesSitemapEntries(db(), site)));
      const n = parseQuestionSitemapName(file);
      const entries = n === null ? undefined : await questionSitemapEntries(db(), site, n, size);
      if (!entries) return sendHtml(reply, errorPage(ctx.site, 404, undefined, request.viewer), 404);
      return send(reply, XML, buildUrlset(entries));
    });

    app.get('/feed.xml', { config: anyone }, async (_request, reply) =>
      send(reply, ATOM, buildAtomFeed(await siteFeed(db(), site, isoNow(ctx.clock)))),
    );

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
      return send(reply, ATOM, buildAtomFeed(feed));
    });
  };
}
