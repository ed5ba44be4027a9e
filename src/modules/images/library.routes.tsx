import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RouteContext } from '../../platform/context.ts';
import { setFlash, takeFlash } from '../../platform/flash.ts';
import { type Policy, signedIn } from '../../platform/guard.tsx';
import { sendHtml } from '../../platform/html.ts';
import { field, form } from '../../platform/schemas.ts';
import { csrfToken } from '../../platform/session.ts';
import { acceptUploads } from '../../platform/uploads.ts';
import { imageDeps, listLibrary, MAX_ALT_CHARS, storeImage } from './image.service.ts';
import { ImageRefused, refuse } from './image.ts';
import { LibraryPageView, placementLine } from './views/library-page.tsx';

/** Who writes texts that place images: educators (answers), editors and admins (answers in review, guides). */
export const IMAGE_AUTHORS: Policy = {
  name: 'image-author',
  allows: (v) => v.role === 'educator' || v.role === 'editor' || v.role === 'admin',
  refusal: 'Only educators and editors upload images',
};

const UploadBody = form({ alt: field(MAX_ALT_CHARS) });
const LibraryQuery = Type.Object({
  added: Type.Optional(Type.String({ maxLength: 12 })),
  alt: Type.Optional(Type.String({ maxLength: 400 })),
});

/**
 * "Your images" (/uploads): an educator or editor uploads a diagram and gets the line that places it in Markdown.
 * A script on the page may ask for JSON (Accept: application/json) and put the line into an editor itself.
 */
export function libraryRoutes(ctx: RouteContext): FastifyPluginAsyncTypebox {
  const https = ctx.session.https;
  const deps = imageDeps(ctx);

  const page = async (
    request: FastifyRequest,
    reply: FastifyReply,
    extra: { error?: string; alt?: string; added?: { id: number; alt: string } } = {},
    status = 200,
  ) => {
    const viewer = signedIn(request);
    const { added, ...rest } = extra;
    const images = await listLibrary(deps, viewer.userId);
    // The address names the image just added: only one of the viewer's own is offered to copy.
    const owned = added !== undefined && images.some((i) => i.image.id === added.id);
    return sendHtml(
      reply,
      <LibraryPageView
        site={ctx.site}
        viewer={viewer}
        csrfToken={csrfToken(request, reply, https)}
        images={images}
        maxBytes={ctx.config.images.maxBytes}
        message={takeFlash(request, reply, https)}
        added={owned ? added : undefined}
        {...rest}
      />,
      status,
    );
  };

  const wantsJson = (request: FastifyRequest) => (request.headers.accept ?? '').includes('application/json');

  return async (app) => {
    await acceptUploads(app, { fileBytes: ctx.config.images.maxBytes, files: 1, fields: 4, fieldBytes: 4 * MAX_ALT_CHARS + 64 }, https);

    app.get('/uploads', { schema: { querystring: LibraryQuery }, config: { allow: IMAGE_AUTHORS } }, async (request, reply) => {
      const added = /^[1-9]\d{0,9}$/.test(request.query.added ?? '') ? Number(request.query.added) : undefined;
      return page(request, reply, added !== undefined ? { added: { id: added, alt: request.query.alt ?? '' } } : {});
    });

    app.post(
      '/uploads',
      {
        schema: { body: UploadBody },
        config: {
          allow: IMAGE_AUTHORS,
          onExpiredForm: (request, reply) =>
            page(
              request,
              reply,
              {
                error: 'That form had expired. Choose the image again and upload it.',
                alt: (request.body as { alt?: string } | undefined)?.alt ?? '',
              },
              403,
            ),
        },
      },
      async (request, reply) => {
        const viewer = signedIn(request);
        const alt = (request.body.alt ?? '').replace(/\s+/g, ' ').trim();
        const refused = (message: string, status = 400) =>
          wantsJson(request) ? reply.code(status).send({ error: message }) : page(request, reply, { error: message, alt }, status);
        const file = request.uploads?.files.find((f) => f.field === 'image');
        if (!file || (file.bytes !== null && file.bytes.length === 0)) return refused('Choose an image file to upload.');
        if (file.bytes === null)
          return refused(
            file.refused === 'too_large'
              ? (refuse.tooLarge(null, ctx.config.images).issues[0]?.message ?? 'That file is too large.')
              : 'It did not arrive whole; choose it again.',
          );
        try {
          const image = await storeImage(deps, { bytes: file.bytes, ownerId: viewer.userId });
          if (wantsJson(request)) return reply.send({ id: image.id, markdown: placementLine(image.id, alt) });
          setFlash(reply, `Image ${image.id} is ready. Copy its line into your text.`, https);
          const query = new URLSearchParams({ added: String(image.id), ...(alt ? { alt } : {}) });
          return reply.redirect(`/uploads?${query}`, 303);
        } catch (err) {
          if (!(err instanceof ImageRefused)) throw err;
          return refused(err.issues[0]?.message ?? 'This file could not be used.');
        }
      },
    );
  };
}
