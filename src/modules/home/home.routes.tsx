import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { RouteContext } from '../../platform/context.ts';
import { sendHtml } from '../../platform/html.ts';
import { getHomePage } from './home.service.ts';
import { HomePageView } from './home-page.tsx';

export function homeRoutes(ctx: RouteContext): FastifyPluginAsyncTypebox {
  const deps = { db: ctx.database.db, caches: ctx.caches, clock: ctx.clock };
  return async (app) => {
    app.get('/', { config: { allow: 'anyone' } }, async (request, reply) =>
      sendHtml(
        reply,
        <HomePageView
          site={ctx.site}
          viewer={request.viewer}
          page={await getHomePage(deps)}
          questionsPerMonth={ctx.config.questionsPerMonth}
          answerTargetHours={ctx.config.answerTargetHours}
        />,
      ),
    );
  };
}
