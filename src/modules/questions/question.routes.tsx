import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { notModified, weakEtag } from '../../lib/conditional-get.ts';
import { mathToText } from '../../lib/math.ts';
import type { CachedPage } from '../../lib/page-cache.ts';
import { truncate } from '../../lib/text.ts';
import { acceptsGzip, BROTLI_CACHED_PAGE, COMPRESS_MIN_BYTES, compressBody, preferredCoding } from '../../platform/compression.ts';
import type { RouteContext } from '../../platform/context.ts';
import { errorPage } from '../../platform/errors.tsx';
import { allowMathStyles, type RenderedPage, renderPageWithMath, sendHtml, sendRendered } from '../../platform/html.ts';
import { markVisitorPage } from '../../platform/http-cache.ts';
import { csrfToken } from '../../platform/session.ts';
import type { ViewerInfo } from '../../views/layout.tsx';
import { adFor, showsAds } from '../ads/index.ts';
import { guidePath, listGuideLinks } from '../guides/index.ts';
import { fillMemberPage, STAND_IN_MEMBER } from './member-pages.tsx';
import { QuestionParams } from './question.schema.ts';
import { getQuestionPage, getQuestionVersion, presentQuestionPage } from './question.service.ts';
import type { QuestionPage, QuestionPageModel } from './question.ts';
import { questionPath } from './question.ts';
import { type Gate, QuestionPageView } from './views/question-page.tsx';

export function questionRoutes(ctx: RouteContext): FastifyPluginAsyncTypebox {
  const cache = ctx.caches.pages;

  return async (app) => {
    const notFound = (reply: FastifyReply, id: number | null, viewer: ViewerInfo | null) =>
      sendHtml(
        reply,
        errorPage(
          ctx.site,
          404,
          {
            title: 'We could not find that question',
            message:
              id === null
                ? 'Question addresses look like /q/123/what-caused-the-french-revolution. This one does not.'
                : `There is no published question number ${id}. It may have been removed, or the link may be mistyped. Search for it, or browse the subjects.`,
          },
          viewer,
        ),
        404,
      );

    /** The call to start the trial, for a page whose expert answer this reader gets only as a preview. */
    const paywallFor = (request: FastifyRequest, reply: FastifyReply, page: QuestionPageModel): Gate | undefined => {
      if (!page.answer || page.answer.body.full) return undefined;
      return {
        trialHours: ctx.config.trialHours,
        cardTrial: ctx.billing !== null,
        reminderHours: ctx.config.trialReminderHours,
        signedIn: request.viewer !== null,
        ...(request.viewer ? { csrfToken: csrfToken(request, reply, ctx.session.https) } : {}),
        returnPath: questionPath(page),
      };
    };

    /** The page as this viewer may see it: the paywall decided by decideAccess, an ad slot only for non-members. */
    const render = async (
      request: FastifyRequest,
      reply: FastifyReply,
      source: QuestionPage,
      member: boolean,
      shown: ViewerInfo | null = request.viewer,
    ): Promise<RenderedPage> => {
      // The one gate: from here on the page holds the whole expert answer only for a reader who may read it.
      const page = await presentQuestionPage(
        { db: ctx.database.db, previews: ctx.caches.previews },
        { member },
        source,
        ctx.config.paywallPreviewWords,
      );
      const gate = paywallFor(request, reply, page);
      const ad = showsAds({ member }) ? await adFor(ctx.database.db, 'question-sidebar', page.id, ctx.config.adSnippetOrigins) : undefined;
      // Free links only. A visitor's cached page shows a newly published guide within the cache's TTL, as ads do.
      const guides = (
        await listGuideLinks(
          { db: ctx.database.db, caches: ctx.caches, clock: ctx.clock },
          page.subject.id,
          page.topics.map((t) => t.id),
        )
      ).map((g) => ({ href: guidePath(g), title: g.title }));
      return renderPageWithMath(
        <QuestionPageView site={ctx.site} viewer={shown} page={page} description={describe(page)} gate={gate} ad={ad} guides={guides} />,
      );
    };

    /**
     * A visitor's page from the cache: 304 when the request holds it already (no render, no hashing: the entry keeps
     * its ETag), else its bytes in the coding the browser takes, compressed once per entry. Content-Encoding is set
     * here, so @fastify/compress passes the bytes through. The 304 carries the page's headers too (a cache updates
     * the copy it keeps with them), the math policy included.
     */
    const sendCached = (request: FastifyRequest, reply: FastifyReply, key: string, page: CachedPage) => {
      if (page.math) allowMathStyles(reply);
      markVisitorPage(reply, page.etag);
      if (notModified(request.headers, page)) return reply.code(304).send();
      const coding = ctx.config.compression && page.body.length >= COMPRESS_MIN_BYTES ? preferredCoding(request) : null;
      if (coding === null) return sendRendered(reply, { html: page.body, math: page.math });
      const bytes = cache.encoded(key, page, coding, (body) => compressBody(body, coding, BROTLI_CACHED_PAGE));
      return sendRendered(reply.header('content-encoding', coding), { html: bytes, math: page.math });
    };

    /**
     * A kept page from the page cache: visitors' (`for: 'visitor'`, under the question's id) or the one all members
     * share (member-pages.tsx, under `member:ID`, rendered for the stand-in member). Confirmed without a query while
     * the database's change stamp has not moved, else against the question's version, else rendered and kept.
     * Returns the canonical path to move to when the slug is not it, or 'not found'.
     */
    const keptPage = async (
      id: number,
      slug: string | undefined,
      request: FastifyRequest,
      reply: FastifyReply,
      kind: 'visitor' | 'member',
    ): Promise<{ key: string; page: CachedPage } | string | 'not found'> => {
      const now = ctx.clock.now().getTime();
      const key = kind === 'visitor' ? String(id) : `member:${id}`;
      // Read before the version: a commit after this point moves the stamp, so the page is confirmed again.
      const stamp = ctx.database.changeStamp?.();
      if (stamp !== undefined) {
        const unchanged = cache.getUnchanged(key, stamp, now);
        if (unchanged && unchanged.tag === slug) return { key, page: unchanged };
      }
      const current = await getQuestionVersion(ctx.database.db, id);
      if (!current) return 'not found';
      // One address per question: any other slug (or none) moves permanently to the canonical one.
      if (slug !== current.slug) return questionPath({ id, slug: current.slug });
      const cached = cache.get(key, current.version, now, stamp);
      if (cached) return { key, page: cached };
      const source = await getQuestionPage(ctx, id);
      if (!source) return 'not found';
      // Visitors are never members: the paywall and the ad slot (a changed ad shows within the cache's TTL).
      const rendered =
        kind === 'visitor'
          ? await render(request, reply, source, false, null)
          : await render(request, reply, source, true, STAND_IN_MEMBER);
      return { key, page: cache.set(key, current.version, Buffer.from(rendered.html), now, stamp, current.slug, rendered.math) };
    };

    const show = async (id: number, slug: string | undefined, request: FastifyRequest, reply: FastifyReply) => {
      const viewer = request.viewer;

      // Kept pages: visitors' (every visitor sees the same bytes) and the one members share with their own header put
      // in. Anyone else (a student without membership: the trial's form is theirs) gets a page rendered for them.
      if (cache.enabled && (viewer === null || viewer.member === true)) {
        const kept = await keptPage(id, slug, request, reply, viewer === null ? 'visitor' : 'member');
        if (kept === 'not found') return notFound(reply, id, viewer);
        if (typeof kept === 'string') return reply.redirect(keepQuery(request, kept), 301);
        if (viewer === null) return sendCached(request, reply, kept.key, kept.page);
        // gzip when the browser takes it (every browser does): the kept page is not compressed again (gzip-splice.ts).
        const coding = ctx.config.compression ? (acceptsGzip(request.headers) ? 'gzip' : preferredCoding(request)) : null;
        const filled = fillMemberPage(ctx.site, cache, ctx.caches.chromes, kept.key, kept.page, viewer, coding);
        if (filled !== null) {
          if (filled.coding !== null) reply.header('content-encoding', filled.coding);
          return sendRendered(reply, { html: filled.body, math: kept.page.math });
        }
      }

      const page = await getQuestionPage(ctx, id);
      if (!page) return notFound(reply, id, viewer);
      if (slug !== page.slug) return reply.redirect(keepQuery(request, questionPath(page)), 301);
      if (viewer === null) {
        // The page cache is off (PAGE_CACHE_MB=0): the same validators, worked out from each render.
        const rendered = await render(request, reply, page, false);
        const etag = weakEtag(rendered.html);
        markVisitorPage(reply, etag);
        if (rendered.math) allowMathStyles(reply);
        if (notModified(request.headers, { etag })) return reply.code(304).send();
        return sendRendered(reply, rendered);
      }
      // Membership was looked up once for the page by the membership module (registerMembershipOnViewer).
      return sendRendered(reply, await render(request, reply, page, viewer.member === true));
    };

    // The schema's refusal is answered here rather than by the generic 404 page: this one says what a question's
    // address looks like. The schema also reads `0123` or `1e2` as a number; only the digits this site writes name
    // a question, so those stay a 404 too.
    for (const path of ['/q/:id', '/q/:id/:slug']) {
      app.get(path, { schema: { params: QuestionParams }, attachValidation: true, config: { allow: 'anyone' } }, async (request, reply) => {
        const written = request.url.split(/[/?#]/)[2];
        if (request.validationError || written !== String(request.params.id)) return notFound(reply, null, request.viewer);
        return show(request.params.id, request.params.slug, request, reply);
      });
    }
  };
}

/** The canonical path with the request's query string (campaign tags, a search's highlight) carried over. */
function keepQuery(request: FastifyRequest, path: string): string {
  const q = request.url.indexOf('?');
  return q < 0 ? path : path + request.url.slice(q);
}

function describe(page: { title: string; answer: { quickAnswer: string } | null }): string {
  return truncate(page.answer ? mathToText(page.answer.quickAnswer) : page.title, 160);
}
