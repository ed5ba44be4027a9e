import type { FastifyPluginAsync } from 'fastify';
import type { RouteContext } from '../../platform/context.ts';
import { suggest } from './typeahead.service.ts';

/** A minute in any cache: a title edited or a question hidden drops out of suggestions that long after. */
const CACHE_CONTROL = 'public, max-age=60';

// No schema: whatever the address carries is read leniently (a repeated q takes the first; anything else is empty
// text), so a box's odd input gets an empty list rather than an error. The service reads the first 1,000
// characters.
function textOf(q: unknown): string {
  if (typeof q === 'string') return q;
  if (Array.isArray(q) && typeof q[0] === 'string') return q[0];
  return '';
}

export function typeaheadRoutes(ctx: RouteContext): FastifyPluginAsync {
  return async (app) => {
    // The same for every viewer (published titles only), so shared caches may keep it.
    app.get<{ Querystring: { q?: unknown } }>('/search/suggest', async (request, reply) => {
      const items = await suggest(ctx.database, textOf(request.query.q));
      return reply.header('cache-control', CACHE_CONTROL).send({ items });
    });
  };
}
