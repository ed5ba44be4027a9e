import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { etagMatches } from '../../lib/conditional-get.ts';
import type { RouteContext } from '../../platform/context.ts';
import { errorPage } from '../../platform/errors.tsx';
import { sendHtml } from '../../platform/html.ts';
import { IdParams } from '../../platform/schemas.ts';
import { cardEtag, guideCard, questionCard, SocialImages } from './social.service.ts';
import { SOCIAL_IMAGE, type SocialCard } from './social-card.ts';

/** A day: a card changes only with its title or subject, and a new one is another ETag. */
const CACHE_CONTROL = 'public, max-age=86400';

const GuideParams = Type.Object({ slug: Type.String({ pattern: '^[a-z0-9-]{1,100}$' }) });

/**
 * /q/:id/social.png and /guides/:slug/social.png: the picture og:image and twitter:image name on question and guide
 * pages (modules/social/social-card.ts). Only published content has one; anything else is the 404 page.
 */
export function socialImageRoutes(ctx: Pick<RouteContext, 'database' | 'site' | 'caches'>): FastifyPluginAsyncTypebox {
  const images = new SocialImages(ctx.caches.socialImages);
  const send = async (request: FastifyRequest, reply: FastifyReply, card: SocialCard | undefined) => {
    if (!card) return sendHtml(reply, errorPage(ctx.site, 404, undefined, request.viewer), 404);
    const etag = cardEtag(card);
    reply.header('etag', etag).header('cache-control', CACHE_CONTROL);
    // Answered before anything is drawn: the title and subject alone say whether the picture changed.
    if (etagMatches(request.headers['if-none-match'], etag)) return reply.code(304).send();
    const png = await images.png(card, etag);
    return reply.type(SOCIAL_IMAGE.type).send(png);
  };

  return async (app) => {
    const db = () => ctx.database.db;
    app.get('/q/:id/social.png', { schema: { params: IdParams }, config: { allow: 'anyone' } }, async (request, reply) =>
      send(request, reply, await questionCard(db(), ctx.site.name, request.params.id)),
    );
    app.get('/guides/:slug/social.png', { schema: { params: GuideParams }, config: { allow: 'anyone' } }, async (request, reply) =>
      send(request, reply, await guideCard(db(), ctx.site.name, request.params.slug)),
    );
  };
}
