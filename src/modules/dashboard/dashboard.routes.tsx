import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { RouteContext } from '../../platform/context.ts';
import { errorPage } from '../../platform/errors.tsx';
import { type Policy, signedIn } from '../../platform/guard.tsx';
import { sendHtml } from '../../platform/html.ts';
import { isAdmin } from '../accounts/index.ts';
import { type DashboardDeps, dashboardCsv, getDashboard } from './dashboard.service.ts';
import { isSeries, readRange, SERIES } from './dashboard.ts';
import { DashboardView } from './views/dashboard-page.tsx';

const readDashboard: Policy = { name: 'read-dashboard', allows: isAdmin, refusal: 'Only admins see the dashboard' };

// Read leniently (readRange): an unknown range shows the default and says so; only absurd lengths are a 400.
const DashboardQuery = Type.Object({ range: Type.Optional(Type.String({ maxLength: 20 })) });
const CsvQuery = Type.Object({
  series: Type.Optional(Type.String({ maxLength: 40 })),
  range: Type.Optional(Type.String({ maxLength: 20 })),
});

/** /admin: the dashboard (admins), with links to the other admin pages; each series as CSV. */
export function dashboardRoutes(ctx: RouteContext): FastifyPluginAsyncTypebox {
  const deps: DashboardDeps = {
    db: ctx.database.db,
    clock: ctx.clock,
    answerTargetHours: ctx.config.answerTargetHours,
    trialHours: ctx.config.trialHours,
    stripe: ctx.billing !== null,
  };
  return async (app) => {
    app.get('/admin', { schema: { querystring: DashboardQuery }, config: { allow: readDashboard } }, async (request, reply) => {
      const range = readRange(request.query.range);
      const dashboard = await getDashboard(deps, range.days);
      return sendHtml(
        reply,
        <DashboardView site={ctx.site} viewer={signedIn(request)} dashboard={dashboard} unknownRange={range.unknown} />,
      );
    });

    app.get('/admin/dashboard.csv', { schema: { querystring: CsvQuery }, config: { allow: readDashboard } }, async (request, reply) => {
      const series = request.query.series;
      if (!isSeries(series)) {
        const message = `Name one of the series: ${SERIES.join(', ')}.`;
        return sendHtml(reply, errorPage(ctx.site, 400, { title: 'There is no such series', message }, signedIn(request)), 400);
      }
      const { filename, csv } = await dashboardCsv(deps, series, readRange(request.query.range).days);
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${filename}"`)
        .send(csv);
    });
  };
}
