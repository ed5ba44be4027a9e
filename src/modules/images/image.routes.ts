import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { RouteContext } from '../../platform/context.ts';
import { errorPage } from '../../platform/errors.tsx';
import { sendHtml } from '../../platform/html.ts';
import { openVariant, variantState } from './image.service.ts';

/** A variant's key names its bytes, so the file at an address never changes: a year, and no revalidation. */
const FOREVER = 'public, max-age=31536000, immutable';

/**
 * GET /images/:key, the files of every image on the site. Kept as cheap as /static: the session hook skips these
 * addresses (platform/session.ts), so a photo costs one indexed lookup and the file, and the same response serves
 * every reader (the images of questions are free to read; members-only images will need a check here).
 */
export function imageRoutes(ctx: RouteContext): FastifyPluginAsyncTypebox {
  const deps = { db: ctx.database.db, blobs: ctx.images.blobs };
  return async (app) => {
    app.get(
      '/images/:key',
      // Longer than any key; openVariant checks the key's form itself, so a malformed one is an unknown one.
      { schema: { params: Type.Object({ key: Type.String({ maxLength: 100 }) }) }, config: { allow: 'anyone' } },
      async (request, reply) => {
        const { key } = request.params;
        const etag = `"${key}"`;
        // A browser asking whether its copy is current: the key is the content, so it is if the image is still live.
        if (request.headers['if-none-match'] === etag && (await variantState(deps, key)) === 'live') {
          return reply.code(304).header('cache-control', FOREVER).header('etag', etag).send();
        }
        const variant = await openVariant(deps, key);
        if (variant.kind === 'removed') {
          reply.header('cache-control', 'no-store');
          const gone = { title: 'That image was removed', message: 'This image was taken down and is no longer shown on the site.' };
          return sendHtml(reply, errorPage(ctx.site, 410, gone), 410);
        }
        if (variant.kind === 'missing') return sendHtml(reply.header('cache-control', 'no-store'), errorPage(ctx.site, 404), 404);
        return reply
          .header('content-type', variant.contentType)
          .header('cache-control', FOREVER)
          .header('etag', etag)
          .header('x-content-type-options', 'nosniff')
          .send(variant.bytes);
      },
    );
  };
}
