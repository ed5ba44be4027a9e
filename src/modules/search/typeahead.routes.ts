import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { RouteContext } from '../../platform/context.ts';
import { suggest } from './typeahead.service.ts';

/** A minute in any cache: a title edited or a question hidden drops out of suggestions that long after. */
const CACHE_CONTROL = 'public, max-age=60';

// Whatever the address carries is read leniently (a repeated q takes the first; a missing one is empty text), so a
// box's odd input gets an empty list rather than an error. The service reads the first 1,000 characters.
const SuggestQuery = Type.Object({ q: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())])) });

export function typeaheadRoutes(ctx: RouteContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    // The same for every viewer (published titles only), so shared caches may keep it.
    app.get('/search/suggest', { schema: { querystring: SuggestQuery }, config: { allow: 'anyone' } }, async (request, reply) => {
      const q = request.query.q;
      const items = await suggest(ctx.database, (Array.isArray(q) ? q[0] : q) ?? '');
      return reply.header('cache-control', CACHE_CONTROL).send({ items });
    });
  };
}
