import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { RouteContext } from '../../platform/context.ts';
import { errorPage } from '../../platform/errors.tsx';
import { sendHtml } from '../../platform/html.ts';
import { guidePath, listGuideLinks } from '../guides/index.ts';
import { listQuestionsOfTopic } from '../questions/index.ts';
import { findSubjectBySlug, findTopic } from './subject.service.ts';
import { SUBJECT_SLUG_PATTERN } from './subject.ts';
import { TopicPageView } from './views/topic-page.tsx';

const TopicParams = Type.Object({
  slug: Type.String({ pattern: SUBJECT_SLUG_PATTERN }),
  topic: Type.String({ pattern: SUBJECT_SLUG_PATTERN }),
});

/** Questions a topic page lists: its newest (the subject's page pages through all of them). */
const TOPIC_QUESTIONS = 50;

/** /subjects/:slug/:topic, where a topic chip leads. */
export function topicRoutes(ctx: RouteContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/subjects/:slug/:topic',
      { schema: { params: TopicParams }, attachValidation: true, config: { allow: 'anyone' } },
      async (request, reply) => {
        const db = ctx.database.db;
        const subject = request.validationError ? undefined : await findSubjectBySlug(db, request.params.slug);
        const topic = subject ? await findTopic(db, subject.id, request.params.topic) : undefined;
        if (!subject || !topic) {
          const missing = {
            title: 'We could not find that topic',
            message: 'There is no topic at this address. The subjects page lists them all.',
          };
          return sendHtml(reply, errorPage(ctx.site, 404, missing, request.viewer), 404);
        }
        const questions = await listQuestionsOfTopic(db, topic.id, TOPIC_QUESTIONS + 1);
        const guides = await listGuideLinks({ db, caches: ctx.caches, clock: ctx.clock }, subject.id, [topic.id]);
        return sendHtml(
          reply,
          <TopicPageView
            site={ctx.site}
            viewer={request.viewer}
            subject={subject}
            topic={topic}
            questions={questions.slice(0, TOPIC_QUESTIONS)}
            more={questions.length > TOPIC_QUESTIONS}
            guides={guides.map((g) => ({ href: guidePath(g), title: g.title }))}
          />,
        );
      },
    );
  };
}
