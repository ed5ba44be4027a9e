import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { RouteContext } from '../../platform/context.ts';
import { errorPage, sendBadPageLink } from '../../platform/errors.tsx';
import { sendHtml } from '../../platform/html.ts';
import { getSubjectPage, pageCursor } from '../questions/index.ts';
import { listSubjectsWithCounts } from './subject.service.ts';
import { SUBJECT_SLUG_PATTERN } from './subject.ts';
import { SubjectPageView } from './views/subject-page.tsx';
import { SubjectsPageView } from './views/subjects-page.tsx';

const SubjectParams = Type.Object({ slug: Type.String({ pattern: SUBJECT_SLUG_PATTERN }) });
// `after` is a cursor this site wrote (encodeCursor, about 20 characters); one that does not decode gets the 400
// page below, which says the link is damaged.
const SubjectQuery = Type.Object({ after: Type.Optional(Type.String({ maxLength: 40 })) });

export function subjectRoutes(ctx: RouteContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/subjects', { config: { allow: 'anyone' } }, async (request, reply) => {
      const subjects = await listSubjectsWithCounts(ctx.database.db);
      return sendHtml(reply, <SubjectsPageView site={ctx.site} viewer={request.viewer} subjects={subjects} />);
    });

    app.get(
      '/subjects/:slug',
      { schema: { params: SubjectParams, querystring: SubjectQuery }, config: { allow: 'anyone' } },
      async (request, reply) => {
        const after = pageCursor(request.query.after);
        if (after === 'invalid')
          return sendBadPageLink(
            reply,
            ctx.site,
            request.viewer,
            'The link to this list of questions is damaged. Start from the newest questions instead.',
          );
        const page = await getSubjectPage(ctx.database.db, request.params.slug, after);
        if (!page) {
          return sendHtml(
            reply,
            errorPage(
              ctx.site,
              404,
              {
                title: 'We could not find that subject',
                message: 'There is no subject at this address. The full list is on the subjects page.',
              },
              request.viewer,
            ),
            404,
          );
        }
        const nextPath = page.next ? `/subjects/${page.subject.slug}?after=${page.next}` : null;
        return sendHtml(
          reply,
          <SubjectPageView
            site={ctx.site}
            subject={page.subject}
            questions={page.questions}
            nextPath={nextPath}
            isFirstPage={after === null}
          />,
        );
      },
    );
  };
}
