import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { RouteContext } from '../../platform/context.ts';
import { sendHtml } from '../../platform/html.ts';
import { MAX_QUERY_CHARS } from './query.ts';
import { MAX_PAGE, recordSearchMiss, search } from './search.service.ts';
import { SearchPageView } from './search-page.tsx';

// Strings only: whatever arrives is read leniently below (a bad page number shows page 1, an unknown subject all
// subjects, an unknown type both types) rather than refused, as students reach this page from links and the box.
// Any query an address can carry is taken and cut to its first MAX_QUERY_CHARS characters (query.ts); only absurd
// lengths get the 400 page.
const SearchQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 32 * MAX_QUERY_CHARS })),
  subject: Type.Optional(Type.String({ maxLength: 100 })),
  type: Type.Optional(Type.String({ maxLength: 20 })),
  page: Type.Optional(Type.String({ maxLength: 20 })),
  /** "1": exactly what was typed, no corrected spelling (the "Search instead for" link). */
  exact: Type.Optional(Type.String({ maxLength: 5 })),
});

function pageNumber(raw: string | undefined): number {
  const n = raw && /^\d{1,6}$/.test(raw) ? Number(raw) : 1;
  return Math.min(Math.max(n, 1), MAX_PAGE);
}

export function searchRoutes(ctx: RouteContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/search', { schema: { querystring: SearchQuery }, config: { allow: 'anyone' } }, async (request, reply) => {
      const viewer = request.viewer;
      const outcome = await search(ctx.database, {
        q: request.query.q ?? '',
        subject: request.query.subject,
        type: request.query.type,
        page: pageNumber(request.query.page),
        exact: request.query.exact === '1',
        // Membership was looked up once for the page by the membership module (registerMembershipOnViewer).
        viewer: viewer ? { member: viewer.member === true } : null,
        previewWords: ctx.config.paywallPreviewWords,
        previews: ctx.caches.previews,
        reads: ctx.caches.reads,
      });
      // Only a search that found nothing writes (one upsert), once its results are known; counting it is
      // bookkeeping for the admin dashboard, so a failure is logged and the student still gets the page.
      if (!outcome.anyMatch)
        await recordSearchMiss(ctx.database.db, outcome, ctx.clock).catch((err: unknown) =>
          request.log.warn({ err }, 'a search that found nothing was not counted'),
        );
      return sendHtml(reply, <SearchPageView site={ctx.site} viewer={viewer} outcome={outcome} />);
    });
  };
}
