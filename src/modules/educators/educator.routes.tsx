import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RouteContext } from '../../platform/context.ts';
import { errorPage, sendBadPageLink } from '../../platform/errors.tsx';
import { sendHtml } from '../../platform/html.ts';
import { pageCursor } from '../questions/index.ts';
import { getEducatorProfile } from './educator.service.ts';
import { educatorPath, mayChangePhoto, parseEducatorRef } from './educator.ts';
import { photoRoutes } from './photo.routes.tsx';
import { EducatorPageView } from './views/educator-page.tsx';

// `ref` is `<id>-<name slug>`; only the id is read, and any other slug moves to the canonical one (301).
const ProfileParams = Type.Object({ ref: Type.String({ maxLength: 120 }) });
// `after` is a cursor this site wrote (about 20 characters); one that does not decode gets the 400 page.
const ProfileQuery = Type.Object({ after: Type.Optional(Type.String({ maxLength: 40 })) });

/**
 * /educators/:ref: the public profile of an educator or editor, linked from every "Answered by"; and, in a scope of
 * its own that takes uploads, the page where its photo is changed.
 */
export function educatorProfileRoutes(ctx: RouteContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    await app.register(photoRoutes(ctx));
    const notFound = (request: FastifyRequest, reply: FastifyReply) =>
      sendHtml(
        reply,
        errorPage(
          ctx.site,
          404,
          {
            title: 'We could not find that educator',
            message: 'There is no public profile at this address. Every expert answer links to the profile of the person who wrote it.',
          },
          request.viewer,
        ),
        404,
      );

    app.get(
      '/educators/:ref',
      { schema: { params: ProfileParams, querystring: ProfileQuery }, config: { allow: 'anyone' } },
      async (request, reply) => {
        const id = parseEducatorRef(request.params.ref);
        if (id === null) return notFound(request, reply);
        const after = pageCursor(request.query.after);
        if (after === 'invalid')
          return sendBadPageLink(
            reply,
            ctx.site,
            request.viewer,
            'The link to this list of answers is damaged. Start from the latest answers instead.',
          );
        const profile = await getEducatorProfile(ctx.database.db, id, after);
        if (!profile) return notFound(request, reply);
        const path = educatorPath(profile);
        if (request.params.ref !== path.slice('/educators/'.length)) {
          const q = request.url.indexOf('?');
          return reply.redirect(q < 0 ? path : path + request.url.slice(q), 301);
        }
        return sendHtml(
          reply,
          <EducatorPageView
            site={ctx.site}
            viewer={request.viewer}
            profile={profile}
            isFirstPage={after === null}
            nextPath={profile.next ? `${path}?after=${profile.next}` : null}
            photoPath={request.viewer && mayChangePhoto(request.viewer, profile) ? `${path}/photo` : null}
          />,
        );
      },
    );
  };
}
