import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { RouteContext } from '../../platform/context.ts';
import { sendHtml } from '../../platform/html.ts';
import { listRecentlyAnswered } from '../questions/index.ts';
import { listSubjects } from '../subjects/index.ts';
import { HomePageView } from './home-page.tsx';

export function homeRoutes(ctx: RouteContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/', { config: { allow: 'anyone' } }, async (request, reply) => {
      const db = ctx.database.db;
      const [subjects, recent] = await Promise.all([listSubjects(db), listRecentlyAnswered(db, 10)]);
      return sendHtml(reply, <HomePageView site={ctx.site} viewer={request.viewer} subjects={subjects} recent={recent} />);
    });
  };
}
