import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RouteContext } from '../../platform/context.ts';
import { errorPage } from '../../platform/errors.tsx';
import { setFlash, takeFlash } from '../../platform/flash.ts';
import { type Policy, signedIn } from '../../platform/guard.tsx';
import { sendHtml } from '../../platform/html.ts';
import { form } from '../../platform/schemas.ts';
import { csrfToken } from '../../platform/session.ts';
import { acceptUploads } from '../../platform/uploads.ts';
import { ImageRefused, imageDeps, refuse } from '../images/index.ts';
import { changePhoto, findPhotoOwner, removePhoto } from './educator.service.ts';
import { ANSWERING_ROLES, educatorPath, mayChangePhoto, type PhotoOwner, parseEducatorRef } from './educator.ts';
import { PhotoPageView } from './views/photo-page.tsx';

/** Who has a profile photo to change at all: those who answer (their own), editors and admins (anyone's). */
const PHOTO_CHANGERS: Policy = {
  name: 'educator-photo',
  allows: (v) => ANSWERING_ROLES.includes(v.role),
  refusal: 'Only educators and editors have a profile photo',
};

const PhotoParams = Type.Object({ ref: Type.String({ maxLength: 120 }) });
const PhotoBody = form({});

/**
 * /educators/:ref/photo: the photo on a profile. An educator changes their own; an editor or admin anyone's. The
 * upload goes through the images module like every other (checked by its content, metadata stripped, served as WebP
 * with a fallback); a refused file leaves the photo as it was and says why beside the file field.
 */
export function photoRoutes(ctx: RouteContext): FastifyPluginAsyncTypebox {
  const https = ctx.session.https;
  const db = ctx.database.db;
  const deps = imageDeps(ctx);

  const page = (request: FastifyRequest, reply: FastifyReply, owner: PhotoOwner, extra: { error?: string } = {}, status = 200) => {
    const viewer = signedIn(request);
    const profilePath = educatorPath(owner);
    return sendHtml(
      reply,
      <PhotoPageView
        site={ctx.site}
        viewer={viewer}
        csrfToken={csrfToken(request, reply, https)}
        owner={owner}
        own={viewer.userId === owner.id}
        path={`${profilePath}/photo`}
        profilePath={profilePath}
        maxBytes={ctx.config.images.maxBytes}
        message={takeFlash(request, reply, https)}
        {...extra}
      />,
      status,
    );
  };

  /** The person the address names, when this viewer may change their photo; otherwise the 404 or 403 is sent. */
  const ownerFor = async (request: FastifyRequest, reply: FastifyReply, ref: string): Promise<PhotoOwner | undefined> => {
    const viewer = signedIn(request);
    const id = parseEducatorRef(ref);
    const owner = id === null ? undefined : await findPhotoOwner(db, id);
    if (!owner) {
      const missing = { title: 'We could not find that educator', message: 'Only educators and editors have a profile photo.' };
      await sendHtml(reply, errorPage(ctx.site, 404, missing, viewer), 404);
      return undefined;
    }
    if (!mayChangePhoto(viewer, owner)) {
      const refusal = {
        title: 'You can change only your own photo',
        message: 'Each educator chooses the photo on their own profile. Editors can change it for them.',
      };
      await sendHtml(reply, errorPage(ctx.site, 403, refusal, viewer), 403);
      return undefined;
    }
    return owner;
  };

  return async (app) => {
    // One file, the CSRF token and nothing else; a field limit in bytes above the token's (platform/uploads.ts).
    await acceptUploads(app, { fileBytes: ctx.config.images.maxBytes, files: 1, fields: 2, fieldBytes: 4 * 200 + 64 }, https);

    app.get('/educators/:ref/photo', { schema: { params: PhotoParams }, config: { allow: PHOTO_CHANGERS } }, async (request, reply) => {
      const owner = await ownerFor(request, reply, request.params.ref);
      return owner ? page(request, reply, owner) : reply;
    });

    app.post(
      '/educators/:ref/photo',
      {
        schema: { params: PhotoParams, body: PhotoBody },
        config: {
          allow: PHOTO_CHANGERS,
          onExpiredForm: async (request, reply) => {
            const owner = await ownerFor(request, reply, (request.params as { ref?: string }).ref ?? '');
            if (!owner) return reply;
            return page(request, reply, owner, { error: 'That form had expired. Choose the photo again and upload it.' }, 403);
          },
        },
      },
      async (request, reply) => {
        const owner = await ownerFor(request, reply, request.params.ref);
        if (!owner) return reply;
        const refused = (message: string) => page(request, reply, owner, { error: message }, 400);
        const file = request.uploads?.files.find((f) => f.field === 'photo');
        if (!file || (file.bytes !== null && file.bytes.length === 0)) return refused('Choose a photo to upload.');
        if (file.bytes === null) {
          return refused(
            file.refused === 'too_large'
              ? (refuse.tooLarge(null, ctx.config.images).issues[0]?.message ?? 'That file is too large.')
              : 'The photo did not arrive whole; choose it again.',
          );
        }
        try {
          await changePhoto(deps, { personId: owner.id, uploaderId: signedIn(request).userId, bytes: file.bytes });
        } catch (err) {
          if (!(err instanceof ImageRefused)) throw err;
          return refused(err.issues[0]?.message ?? 'This file could not be used.');
        }
        setFlash(reply, 'The new photo is on the profile.', https);
        return reply.redirect(`${educatorPath(owner)}/photo`, 303);
      },
    );

    app.post(
      '/educators/:ref/photo/remove',
      { schema: { params: PhotoParams, body: PhotoBody }, config: { allow: PHOTO_CHANGERS } },
      async (request, reply) => {
        const owner = await ownerFor(request, reply, request.params.ref);
        if (!owner) return reply;
        await removePhoto(db, owner.id);
        setFlash(reply, 'The photo was removed: the profile shows initials again.', https);
        return reply.redirect(`${educatorPath(owner)}/photo`, 303);
      },
    );
  };
}
