import type { FastifyPluginAsync } from 'fastify';
import type { RouteContext } from '../../platform/context.ts';
import { sendHtml } from '../../platform/html.ts';
import { MAX_PAGE, search } from './search.service.ts';
import { SearchPageView } from './search-page.tsx';

// Strings only: whatever arrives is read leniently below (a bad page number shows page 1, an unknown subject all
// subjects, an unknown type both types) rather than refused. Any query the address can carry is taken (the service
// reads its first 1,000 characters); only absurd lengths get the 400 page.
const querySchema = {
  type: 'object',
  properties: {
    q: { type: 'string', maxLength: 32_000 },
    subject: { type: 'string', maxLength: 100 },
    type: { type: 'string', maxLength: 20 },
    page: { type: 'string', maxLength: 20 },
  },
} as const;

function pageNumber(raw: string | undefined): number {
  const n = raw && /^\d{1,6}$/.test(raw) ? Number(raw) : 1;
  return Math.min(Math.max(n, 1), MAX_PAGE);
}

export function searchRoutes(ctx: RouteContext): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Querystring: { q?: string; subject?: string; type?: string; page?: string } }>(
      '/search',
      { schema: { querystring: querySchema } },
      async (request, reply) => {
        const viewer = request.viewer;
        const outcome = await search(ctx.database, {
          q: request.query.q ?? '',
          subject: request.query.subject,
          type: request.query.type,
          page: pageNumber(request.query.page),
          // Membership was looked up once for the page by the membership module (registerMembershipOnViewer).
          viewer: viewer ? { member: viewer.member === true } : null,
          previewWords: ctx.config.paywallPreviewWords,
        });
        return sendHtml(reply, <SearchPageView site={ctx.site} viewer={viewer} outcome={outcome} />);
      },
    );
  };
}
