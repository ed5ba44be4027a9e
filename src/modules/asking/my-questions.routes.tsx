import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { RouteContext } from '../../platform/context.ts';
import { signedIn } from '../../platform/guard.tsx';
import { sendHtml } from '../../platform/html.ts';
import { listAskedBy } from './asking.service.ts';
import { MyQuestionsView } from './views/asking-pages.tsx';

const QUEUED = 'Your question is in the queue. We will tell you when an educator answers it.';

/** /account/questions: the questions a student asked and where each one is in its life. */
export function myQuestionsRoutes(ctx: RouteContext): FastifyPluginAsyncTypebox {
  const db = ctx.database.db;
  return async (app) => {
    app.get(
      '/account/questions',
      {
        // ?asked=1 is where /ask sends the student after posting; any value says the same.
        schema: { querystring: Type.Object({ asked: Type.Optional(Type.String()) }) },
        config: { allow: 'signed-in', signInNext: '/account/questions' },
      },
      async (request, reply) => {
        const viewer = signedIn(request);
        return sendHtml(
          reply,
          <MyQuestionsView
            site={ctx.site}
            viewer={viewer}
            questions={await listAskedBy(db, viewer.userId, 200)}
            nowMs={ctx.clock.now().getTime()}
            message={request.query.asked ? QUEUED : undefined}
          />,
        );
      },
    );
  };
}
