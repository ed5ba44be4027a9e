import type { FastifyPluginAsync } from 'fastify';
import type { RouteContext } from '../../app.ts';
import { truncate } from '../../lib/text.ts';
import { errorPage } from '../../platform/errors.tsx';
import { sendHtml } from '../../platform/html.ts';
import { getQuestionPage } from './question.service.ts';
import { parseQuestionId, questionPath } from './question.ts';
import { QuestionPageView } from './views/question-page.tsx';

export function questionRoutes(ctx: RouteContext): FastifyPluginAsync {
  return async (app) => {
    const show = async (idParam: string, slug: string | undefined, reply: import('fastify').FastifyReply) => {
      const id = parseQuestionId(idParam);
      const notFound = () =>
        sendHtml(
          reply,
          errorPage(ctx.site, 404, {
            title: 'We could not find that question',
            message:
              id === null
                ? 'Question addresses look like /q/123/what-caused-the-french-revolution. This one does not.'
                : `There is no published question number ${id}. It may have been removed, or the link may be mistyped. Search for it, or browse the subjects.`,
          }),
          404,
        );
      if (id === null) return notFound();
      const page = await getQuestionPage(ctx.database.db, id);
      if (!page) return notFound();
      // One address per question: any other slug (or none) moves permanently to the canonical one.
      if (slug !== page.slug) return reply.redirect(questionPath(page), 301);
      const description = truncate(page.answer?.quickAnswer ?? page.title, 160);
      return sendHtml(reply, <QuestionPageView site={ctx.site} page={page} description={description} />);
    };

    app.get<{ Params: { id: string } }>('/q/:id', async (request, reply) => show(request.params.id, undefined, reply));
    app.get<{ Params: { id: string; slug: string } }>('/q/:id/:slug', async (request, reply) =>
      show(request.params.id, request.params.slug, reply),
    );
  };
}
