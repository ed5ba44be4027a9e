import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FieldIssue } from '../../lib/errors.ts';
import type { RouteContext } from '../../platform/context.ts';
import { takeFlash } from '../../platform/flash.ts';
import { type FormBody, formField } from '../../platform/form-body.ts';
import { signedIn } from '../../platform/guard.tsx';
import { sendHtml } from '../../platform/html.ts';
import { field, form, IdParams } from '../../platform/schemas.ts';
import { csrfToken } from '../../platform/session.ts';
import { picturesFor } from '../images/index.ts';
import { listQuestionImages } from '../questions/index.ts';
import { analyse, answerFields, answerForm, askingDeps, doneTo, draftForm, notFound, rawId, WORK_MESSAGES } from './asking.pages.tsx';
import { REVIEWERS } from './asking.policy.ts';
import * as svc from './asking.service.ts';
import { actorFor } from './asking.service.ts';
import { NOTE_LIMITS } from './lifecycle.ts';
import { listReports } from './moderation.service.ts';
import { approveAsReviewed, closeAsDuplicateOf, type ReviewResult, rejectWithReason, returnWithComment } from './review.service.ts';
import { type AnswerForm, ReviewQueueView, ReviewView } from './views/asking-pages.tsx';

type NoteFields = { comment?: string; duplicate?: string; reason?: string };
type Kept = { form?: AnswerForm; fields?: NoteFields };

const EXPIRED = 'That form had expired. Nothing changed; please try again.';

/** The editor's other decisions: each a note in one field of its own form. */
const NOTES = [
  {
    action: 'return',
    name: 'comment',
    max: NOTE_LIMITS.reviewComment,
    decide: returnWithComment,
    done: 'Returned to the educator with your comment.',
  },
  {
    action: 'close',
    name: 'duplicate',
    max: NOTE_LIMITS.duplicate,
    decide: closeAsDuplicateOf,
    done: 'Closed as a duplicate; the student has the link.',
  },
  {
    action: 'reject',
    name: 'reason',
    max: NOTE_LIMITS.rejectReason,
    decide: rejectWithReason,
    done: 'Rejected; the student was told why and has the question back.',
  },
] as const;

/** Editorial review: the queue of answers waiting, one answer's review page, and the editor's decisions on it. */
export function reviewRoutes(ctx: RouteContext): FastifyPluginAsyncTypebox {
  const db = ctx.database.db;
  const https = ctx.session.https;
  const deps = askingDeps(ctx);
  const reviewPath = (request: FastifyRequest) => `/editor/q/${(request.params as { id: string }).id}`;

  const reviewPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    id: number,
    extra: Kept & { issues?: FieldIssue[]; message?: string } = {},
    status = 200,
  ) => {
    const viewer = signedIn(request);
    const q = await svc.findWorkQuestion(db, id);
    if (!q) return notFound(ctx, reply, viewer);
    const draft = await svc.findAnswerDraft(db, id);
    const educatorName = draft ? await svc.findUserName(db, draft.educatorId) : undefined;
    const shown = extra.form ?? draftForm(draft);
    return sendHtml(
      reply,
      <ReviewView
        site={ctx.site}
        viewer={viewer}
        csrfToken={csrfToken(request, reply, https)}
        question={{
          id,
          title: q.title,
          detailsHtml: q.detailsHtml,
          subjectName: q.subjectName,
          status: q.status,
          images: await listQuestionImages(db, id),
        }}
        educatorName={educatorName ?? 'nobody yet'}
        form={shown}
        analysis={analyse(shown.body, (await picturesFor({ db }, shown.body)).pictures)}
        issues={extra.issues}
        message={extra.message}
        revisions={await svc.listRevisions(db, id)}
        events={await svc.listEvents(db, id)}
        fields={extra.fields}
      />,
      status,
    );
  };

  /** Post/redirect/get after a decision; its form again, as typed, when it was refused. */
  const decided = (request: FastifyRequest, reply: FastifyReply, id: number, result: ReviewResult, done: string, kept: Kept) => {
    if (result === 'done') return doneTo(ctx, reply, '/editor', done);
    if (typeof result === 'object') {
      const message = kept.form ? 'Please fix the fields marked below.' : undefined;
      return reviewPage(request, reply, id, { ...kept, issues: result.issues, message }, 400);
    }
    const [message, status] = WORK_MESSAGES[result];
    return reviewPage(request, reply, id, { ...kept, issues: [], message }, status);
  };

  /** An expired form of the review page: that form again, as typed, nothing changed. */
  const expired = (kept: (body: FormBody) => Kept) => async (request: FastifyRequest, reply: FastifyReply) => {
    const id = rawId(request);
    if (id === null) return notFound(ctx, reply, request.viewer);
    return reviewPage(request, reply, id, { ...kept(request.body as FormBody), issues: [], message: EXPIRED }, 403);
  };

  return async (app) => {
    app.get('/editor', { config: { allow: REVIEWERS, signInNext: '/editor' } }, async (request, reply) =>
      sendHtml(
        reply,
        <ReviewQueueView
          site={ctx.site}
          viewer={signedIn(request)}
          rows={await svc.listInReview(db, 200)}
          message={takeFlash(request, reply, https)}
          openReports={(await listReports(db, 'open', 500)).length}
        />,
      ),
    );

    app.get(
      '/editor/q/:id',
      { schema: { params: IdParams }, config: { allow: REVIEWERS, signInNext: reviewPath } },
      async (request, reply) => reviewPage(request, reply, request.params.id),
    );

    app.post(
      '/editor/q/:id/approve',
      {
        schema: { params: IdParams, body: form(answerFields) },
        config: { allow: REVIEWERS, signInNext: reviewPath, onExpiredForm: expired((body) => ({ form: answerForm(body), fields: {} })) },
      },
      async (request, reply) => {
        const id = request.params.id;
        const typed = answerForm(request.body);
        if (request.body.intent === 'preview') return reviewPage(request, reply, id, { form: typed });
        const result = await approveAsReviewed(deps, await actorFor(db, signedIn(request)), id, typed);
        return decided(request, reply, id, result, 'Approved and published. The student has been told.', { form: typed, fields: {} });
      },
    );

    for (const note of NOTES) {
      const fieldsOf = (body: FormBody): NoteFields => ({ [note.name]: formField(body, note.name, note.max) });
      app.post(
        `/editor/q/:id/${note.action}`,
        {
          schema: { params: IdParams, body: form({ [note.name]: field(note.max) }) },
          config: { allow: REVIEWERS, signInNext: reviewPath, onExpiredForm: expired((body) => ({ fields: fieldsOf(body) })) },
        },
        async (request, reply) => {
          const id = request.params.id;
          const fields = fieldsOf(request.body);
          const result = await note.decide(deps, await actorFor(db, signedIn(request)), id, fields[note.name] ?? '');
          return decided(request, reply, id, result, note.done, { fields });
        },
      );
    }
  };
}
