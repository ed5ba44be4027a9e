import type { FastifyPluginAsync } from 'fastify';
import type { RouteContext } from '../../platform/context.ts';
import { sendHtml } from '../../platform/html.ts';
import { listRecentlyAnswered } from '../questions/index.ts';
import { listSubjects } from '../subjects/index.ts';
import { HomePageView } from './home-page.tsx';

export function homeRoutes(ctx: RouteContext): FastifyPluginAsync {
  return async (app) => {
    app.get('/', async (request, reply) => {
      const db = ctx.database.db;
      const [subjects, recent] = await Promise.all([listSubjects(db), listRecentlyAnswered(db, 10)]);
      return sendHtml(reply, <HomePageView site={ctx.site} viewer={request.viewer} subjects={subjects} recent={recent} />);
    });
  };
}
