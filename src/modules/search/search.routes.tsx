import type { FastifyPluginAsync } from 'fastify';
import type { RouteContext } from '../../app.ts';
import { sendHtml } from '../../platform/html.ts';
import { searchQuestionTitles } from '../questions/index.ts';
import { SearchPageView } from './search-page.tsx';

const querySchema = {
  type: 'object',
  properties: { q: { type: 'string', maxLength: 2000 } },
} as const;

export function searchRoutes(ctx: RouteContext): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Querystring: { q?: string } }>('/search', { schema: { querystring: querySchema } }, async (request, reply) => {
      // Control characters (NUL included) never reach the database.
      const query = (request.query.q ?? '')
        .replace(/[\u0000-\u001f\u007f]/g, ' ')
        .replace(/\s+/g, ' ')
        .trim()
        .slice(0, 200);
      const results = query === '' ? [] : await searchQuestionTitles(ctx.database.db, ctx.database.engine, query);
      return sendHtml(reply, <SearchPageView site={ctx.site} viewer={request.viewer} query={query} results={results} />);
    });
  };
}
