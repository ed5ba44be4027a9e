import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FieldIssue } from '../../lib/errors.ts';
import type { RouteContext } from '../../platform/context.ts';
import { takeFlash } from '../../platform/flash.ts';
import type { FormBody } from '../../platform/form-body.ts';
import { signedIn } from '../../platform/guard.tsx';
import { sendHtml } from '../../platform/html.ts';
import { form, IdParams } from '../../platform/schemas.ts';
import { csrfToken } from '../../platform/session.ts';
import { picturesFor } from '../images/index.ts';
import { listQuestionImages } from '../questions/index.ts';
import { analyse, answerFields, answerForm, askingDeps, doneTo, draftForm, notFound, rawId, WORK_MESSAGES } from './asking.pages.tsx';
import { EDUCATORS } from './asking.policy.ts';
import * as svc from './asking.service.ts';
import { actorFor, checkAnswerWithImages, claim, keepClaim, release, renew, saveAnswer } from './asking.service.ts';
import { claimHeldBy } from './lifecycle.ts';
import { AnswerEditorView, type AnswerForm, QueueView } from './views/asking-pages.tsx';

const LOST = 'This question is not yours to answer now (the claim lapsed or moved on).';

/** The educator's queue of their subjects' questions, a claim on one, and the answer editor. */
export function educatorRoutes(ctx: RouteContext): FastifyPluginAsyncTypebox {
  const db = ctx.database.db;
  const https = ctx.session.https;
  const deps = askingDeps(ctx);
  const nowMs = () => ctx.clock.now().getTime();
  const editorPath = (request: FastifyRequest) => `/educator/q/${(request.params as { id: string }).id}`;

  const queuePage = async (request: FastifyRequest, reply: FastifyReply, message?: string, status = 200) => {
    const viewer = signedIn(request);
    const actor = await actorFor(db, viewer);
    const subjects = (await svc.listSubjects(db)).filter((s) => actor.subjectIds.includes(s.id)).map((s) => s.name);
    const now = nowMs();
    const rows = (await svc.listQueue(db, actor.subjectIds, 200)).map((r) => {
      const holder = claimHeldBy(r, now);
      return {
        id: r.id,
        title: r.title,
        subjectName: r.subjectName,
        status: r.status,
        dueAt: r.dueAt,
        mine: holder === viewer.userId,
        heldByOther: holder !== null && holder !== viewer.userId,
        returned: r.reviewComment !== null,
      };
    });
    const token = csrfToken(request, reply, https);
    return sendHtml(
      reply,
      <QueueView site={ctx.site} viewer={viewer} csrfToken={token} rows={rows} nowMs={now} message={message} subjects={subjects} />,
      status,
    );
  };

  /**
   * Every answer of the editor goes through here. A question outside the viewer's subjects gets the plain 404 a
   * missing one gets, before anything of it is rendered, whatever was posted (an expired form included); the
   * "lost" page that gives typed text back is for educators of the subject whose claim went while they typed.
   */
  const editorPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    id: number,
    extra: { form?: AnswerForm; issues?: FieldIssue[]; message?: string } = {},
    status = 200,
  ) => {
    const viewer = signedIn(request);
    const q = await svc.findQuestionToWork(db, await actorFor(db, viewer), id);
    if (!q) return notFound(ctx, reply, viewer);
    const question = { id, title: q.title, detailsHtml: q.detailsHtml, subjectName: q.subjectName, dueAt: q.dueAt, images: [] };
    if (claimHeldBy(q, nowMs()) !== viewer.userId) {
      if (!extra.form) return queuePage(request, reply, LOST, 409);
      // They were typing when the claim went: nothing is saved, but nothing they typed is lost either.
      return sendHtml(
        reply,
        <AnswerEditorView
          site={ctx.site}
          viewer={viewer}
          csrfToken=""
          question={{ ...question, reviewComment: null }}
          form={extra.form}
          analysis={null}
          message={LOST}
          claimUntil={null}
          revisions={0}
          scriptUrl=""
          lost
        />,
        409,
      );
    }
    const shown = extra.form ?? draftForm(await svc.findAnswerDraft(db, id));
    const fresh = await svc.findWorkQuestion(db, id);
    return sendHtml(
      reply,
      <AnswerEditorView
        site={ctx.site}
        viewer={viewer}
        csrfToken={csrfToken(request, reply, https)}
        question={{
          ...question,
          reviewComment: q.status === 'drafted' ? q.reviewComment : null,
          // The student's photos are often the question itself: a worksheet, a diagram.
          images: await listQuestionImages(db, id),
        }}
        form={shown}
        analysis={analyse(shown.body, (await picturesFor({ db }, shown.body)).pictures)}
        issues={extra.issues}
        message={extra.message}
        claimUntil={fresh?.claimExpiresAt ?? null}
        revisions={(await svc.listRevisions(db, id)).length}
        scriptUrl={ctx.assetUrl('answer.js')}
      />,
      status,
    );
  };

  return async (app) => {
    const staff = { allow: EDUCATORS, signInNext: '/educator' };

    app.get('/educator', { config: staff }, async (request, reply) => queuePage(request, reply, takeFlash(request, reply, https)));

    app.post(
      '/educator/q/:id/claim',
      {
        schema: { params: IdParams, body: form({}) },
        config: {
          ...staff,
          onExpiredForm: (request, reply) => queuePage(request, reply, 'That form had expired; nothing was claimed.', 403),
        },
      },
      async (request, reply) => {
        const id = request.params.id;
        const result = await claim(deps, await actorFor(db, signedIn(request)), id);
        if (result === 'done') return reply.redirect(`/educator/q/${id}`, 303);
        // No such question, or one outside the educator's subjects: the same plain page for both.
        if (result === 'not_found') return notFound(ctx, reply, request.viewer);
        if (result === 'conflict')
          return queuePage(request, reply, 'Another educator claimed this question a moment ago. Pick another one.', 409);
        return queuePage(request, reply, ...WORK_MESSAGES[result]);
      },
    );

    app.get(
      '/educator/q/:id',
      { schema: { params: IdParams }, config: { allow: EDUCATORS, signInNext: editorPath } },
      async (request, reply) => {
        const id = request.params.id;
        // Opening the editor counts as editing: the claim is renewed.
        await renew(deps, await actorFor(db, signedIn(request)), id);
        const message = takeFlash(request, reply, https);
        return editorPage(request, reply, id, message ? { message } : {});
      },
    );

    const expiredAnswer = async (request: FastifyRequest, reply: FastifyReply) => {
      const id = rawId(request);
      if (id === null) return notFound(ctx, reply, request.viewer);
      const typed = answerForm(request.body as FormBody);
      return editorPage(
        request,
        reply,
        id,
        { form: typed, issues: [], message: 'That form had expired. Your text is below; save it again.' },
        403,
      );
    };

    app.post(
      '/educator/q/:id',
      {
        schema: { params: IdParams, body: form(answerFields) },
        config: { allow: EDUCATORS, signInNext: editorPath, onExpiredForm: expiredAnswer },
      },
      async (request, reply) => {
        const id = request.params.id;
        const typed = answerForm(request.body);
        const actor = await actorFor(db, signedIn(request));
        const intent = request.body.intent;
        if (intent === 'preview') {
          await renew(deps, actor, id);
          return editorPage(request, reply, id, { form: typed });
        }
        const checked = await checkAnswerWithImages(deps, actor, typed);
        if ('issues' in checked)
          return editorPage(
            request,
            reply,
            id,
            { form: typed, issues: checked.issues, message: 'Please fix the fields marked below.' },
            400,
          );
        const submit = intent === 'submit';
        const result = await saveAnswer(deps, actor, id, checked.answer, submit);
        if (result !== 'done') {
          const [message, status] = WORK_MESSAGES[result];
          return editorPage(request, reply, id, { form: typed, issues: [], message: `${message} Your text is below.` }, status);
        }
        if (submit) return doneTo(ctx, reply, '/educator', 'Sent for editorial review. Thank you!');
        const saved = checked.answer.drafted ? 'Saved. The quick answer was drafted from your answer; edit it if you like.' : 'Saved.';
        return doneTo(ctx, reply, `/educator/q/${id}`, saved);
      },
    );

    // The editor's island renews the claim while the educator types, and reads only the status: 204; 409 once the
    // claim is gone; 404, as the editor page answers, for a question outside the viewer's subjects or none at all.
    app.post(
      '/educator/q/:id/renew',
      {
        schema: { params: IdParams, body: form({}) },
        config: { allow: 'signed-in', onExpiredForm: async (_request, reply) => reply.code(403).send({ error: 'forbidden' }) },
      },
      async (request, reply) => {
        const kept = await keepClaim(deps, await actorFor(db, signedIn(request)), request.params.id);
        if (kept === 'not_found') return reply.code(404).send({ error: 'not_found' });
        return kept === 'renewed' ? reply.code(204).send() : reply.code(409).send({ error: 'claim_lost' });
      },
    );

    app.post(
      '/educator/q/:id/release',
      {
        schema: { params: IdParams, body: form({}) },
        config: { ...staff, onExpiredForm: (request, reply) => queuePage(request, reply, 'That form had expired; nothing changed.', 403) },
      },
      async (request, reply) => {
        const result = await release(deps, await actorFor(db, signedIn(request)), request.params.id);
        if (result === 'not_found') return notFound(ctx, reply, request.viewer);
        if (result === 'done') return doneTo(ctx, reply, '/educator', 'The question is back in the queue.');
        return queuePage(request, reply, WORK_MESSAGES[result][0]);
      },
    );
  };
}
