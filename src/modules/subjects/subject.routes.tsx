import type { FastifyPluginAsync } from 'fastify';
import type { RouteContext } from '../../platform/context.ts';
import { errorPage } from '../../platform/errors.tsx';
import { sendHtml } from '../../platform/html.ts';
import { decodeCursor, getSubjectPage } from '../questions/index.ts';
import { listSubjectsWithCounts } from './subject.service.ts';
import { SubjectPageView } from './views/subject-page.tsx';
import { SubjectsPageView } from './views/subjects-page.tsx';

const querySchema = {
  type: 'object',
  properties: { after: { type: 'string', maxLength: 40 } },
} as const;

export function subjectRoutes(ctx: RouteContext): FastifyPluginAsync {
  return async (app) => {
    app.get('/subjects', async (request, reply) => {
      const subjects = await listSubjectsWithCounts(ctx.database.db);
      return sendHtml(reply, <SubjectsPageView site={ctx.site} viewer={request.viewer} subjects={subjects} />);
    });

    app.get<{ Params: { slug: string }; Querystring: { after?: string } }>(
      '/subjects/:slug',
      { schema: { querystring: querySchema } },
      async (request, reply) => {
        const { slug } = request.params;
        const rawAfter = request.query.after;
        const after = rawAfter === undefined || rawAfter === '' ? null : decodeCursor(rawAfter);
        if (rawAfter && !after) {
          return sendHtml(
            reply,
            errorPage(
              ctx.site,
              400,
              {
                title: 'That page link is not valid',
                message: 'The link to this list of questions is damaged. Start from the newest questions instead.',
              },
              request.viewer,
            ),
            400,
          );
        }
        if (!/^[a-z0-9-]{1,60}$/.test(slug)) return sendHtml(reply, errorPage(ctx.site, 404, undefined, request.viewer), 404);
        const page = await getSubjectPage(ctx.database.db, slug, after);
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
