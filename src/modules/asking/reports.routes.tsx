import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FieldIssue } from '../../lib/errors.ts';
import type { RouteContext } from '../../platform/context.ts';
import { errorPage } from '../../platform/errors.tsx';
import { type FormBody, formField } from '../../platform/form-body.ts';
import { signedIn } from '../../platform/guard.tsx';
import { sendHtml } from '../../platform/html.ts';
import { field, form, id } from '../../platform/schemas.ts';
import { csrfToken } from '../../platform/session.ts';
import { findImages } from '../images/index.ts';
import { parseQuestionId, questionPath } from '../questions/index.ts';
import { checkedText, notFound, WORK_MESSAGES } from './asking.pages.tsx';
import { MODERATORS } from './asking.policy.ts';
import { actorFor, findWorkQuestion } from './asking.service.ts';
import { NOTE_LIMITS } from './lifecycle.ts';
import { decideReport, fileReport, listReportableImages, listReports } from './moderation.service.ts';
import { ReportFormView, ReportsView } from './views/asking-pages.tsx';

type ReportForm = { target: string; reason: string };

const ReportBody = form({ question: field(20), target: field(20), reason: checkedText(NOTE_LIMITS.reportReason) });

// Links to /report carry the question; a link that names none, or no real one, is a page that does not exist.
const ReportQuery = Type.Object({ question: Type.Optional(Type.String()), target: Type.Optional(Type.String()) });

const DecisionParams = Type.Object({
  id: id(),
  decision: Type.Union([Type.Literal('hide'), Type.Literal('restore'), Type.Literal('dismiss'), Type.Literal('remove-image')]),
});

const DONE = {
  hide: 'Hidden: the page is off the site.',
  restore: 'Restored: the page is back.',
  dismiss: 'Dismissed.',
  'remove-image': 'Removed: the image is off every page that showed it.',
};

/** NULs dropped, as everywhere text is kept. */
const readReport = (body: FormBody | undefined): ReportForm => ({
  target: formField(body, 'target', 20),
  reason: formField(body, 'reason', 2 * NOTE_LIMITS.reportReason),
});

/** Anyone signed in reports a published question or its answer; editors and admins decide on the reports. */
export function reportRoutes(ctx: RouteContext): FastifyPluginAsyncTypebox {
  const db = ctx.database.db;
  const https = ctx.session.https;

  const reportPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    questionId: number,
    extra: { form?: ReportForm; issues?: FieldIssue[]; message?: string } = {},
    status = 200,
  ) => {
    const viewer = signedIn(request);
    const q = await findWorkQuestion(db, questionId);
    if (q?.status !== 'published') return notFound(ctx, reply, viewer);
    return sendHtml(
      reply,
      <ReportFormView
        site={ctx.site}
        viewer={viewer}
        csrfToken={csrfToken(request, reply, https)}
        question={{ id: q.id, title: q.title, path: questionPath(q) }}
        images={await listReportableImages(db, q.id)}
        form={extra.form ?? { target: 'question', reason: '' }}
        issues={extra.issues}
        message={extra.message}
      />,
      status,
    );
  };

  const reportsPage = async (request: FastifyRequest, reply: FastifyReply, message?: string, status = 200) => {
    const open = await listReports(db, 'open', 200);
    // The image each image report points at, for the moderator to see before deciding.
    const images = await findImages(
      { db },
      open.flatMap((r) => (r.imageId === null ? [] : [r.imageId])),
    );
    return sendHtml(
      reply,
      <ReportsView
        site={ctx.site}
        viewer={signedIn(request)}
        csrfToken={csrfToken(request, reply, https)}
        open={open.map((r) => ({ ...r, image: r.imageId === null ? undefined : images.get(r.imageId) }))}
        decided={await listReports(db, 'decided', 50)}
        message={message}
      />,
      status,
    );
  };

  const expiredReport = async (request: FastifyRequest, reply: FastifyReply) => {
    const body = request.body as FormBody;
    const questionId = parseQuestionId(formField(body, 'question', 20));
    if (questionId === null) return notFound(ctx, reply, request.viewer);
    const message = 'That form had expired; please send it again.';
    return reportPage(request, reply, questionId, { form: readReport(body), issues: [], message }, 403);
  };

  return async (app) => {
    app.get('/report', { schema: { querystring: ReportQuery }, config: { allow: 'signed-in' } }, async (request, reply) => {
      const questionId = parseQuestionId(request.query.question ?? '');
      if (questionId === null) return notFound(ctx, reply, request.viewer);
      return reportPage(request, reply, questionId, {
        form: { target: request.query.target ?? 'question', reason: '' },
      });
    });

    app.post(
      '/report',
      { schema: { body: ReportBody }, config: { allow: 'signed-in', signInNext: '/', onExpiredForm: expiredReport } },
      async (request, reply) => {
        const viewer = signedIn(request);
        const questionId = parseQuestionId(request.body.question ?? '');
        if (questionId === null) return notFound(ctx, reply, viewer);
        const typed = readReport(request.body);
        const result = await fileReport(db, ctx.clock, viewer.userId, { questionId, ...typed });
        if (result === 'not_found') return notFound(ctx, reply, viewer);
        if (result === 'limited') {
          const message = 'You have sent many reports this hour; please try again later.';
          return reportPage(request, reply, questionId, { form: typed, issues: [], message }, 429);
        }
        if (Array.isArray(result))
          return reportPage(
            request,
            reply,
            questionId,
            { form: typed, issues: result, message: 'Please fix the fields marked below.' },
            400,
          );
        return sendHtml(reply, errorPage(ctx.site, 200, { title: 'Thank you', message: 'A moderator will look at your report.' }, viewer));
      },
    );

    const moderators = { allow: MODERATORS, signInNext: '/editor/reports' };

    app.get('/editor/reports', { config: moderators }, async (request, reply) => reportsPage(request, reply));

    app.post(
      '/editor/reports/:id/:decision',
      {
        schema: { params: DecisionParams, body: form({}) },
        config: {
          ...moderators,
          onExpiredForm: (request, reply) => reportsPage(request, reply, 'That form had expired; nothing changed.', 403),
        },
      },
      async (request, reply) => {
        const { id: reportId, decision } = request.params;
        const result = await decideReport(db, ctx.clock, await actorFor(db, signedIn(request)), reportId, decision);
        if (result === 'done') return reportsPage(request, reply, DONE[decision]);
        return reportsPage(request, reply, ...WORK_MESSAGES[result]);
      },
    );
  };
}
