import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { FieldIssue } from '../../lib/errors.ts';
import { renderMarkdown } from '../../lib/markdown.ts';
import { newSecretToken, sha256Hex } from '../../lib/secret-token.ts';
import { countMarkdownWords, draftQuickAnswer, readability } from '../../lib/summarize.ts';
import type { RouteContext } from '../../platform/context.ts';
import { errorPage } from '../../platform/errors.tsx';
import { setFlash, takeFlash } from '../../platform/flash.ts';
import { type FormBody, formField } from '../../platform/form-body.ts';
import { sendHtml } from '../../platform/html.ts';
import { csrfToken, csrfValid, requireAllowed, requireViewer } from '../../platform/session.ts';
import type { Viewer } from '../accounts/index.ts';
import { parseQuestionId, questionPath } from '../questions/index.ts';
import * as svc from './asking.service.ts';
import {
  type AnswerInput,
  type AskingDeps,
  actorFor,
  allowanceOf,
  approve,
  askQuestion,
  checkAnswer,
  checkAsk,
  claim,
  closeAsDuplicate,
  reject,
  release,
  renew,
  returnToEducator,
  saveAnswer,
  similarQuestions,
  type WorkResult,
} from './asking.service.ts';
import { type Actor, claimHeldBy, mayAnswer, mayReview } from './lifecycle.ts';
import { decideReport, fileReport, listReports } from './moderation.service.ts';
import {
  type Analysis,
  AnswerEditorView,
  type AnswerForm,
  type AskForm,
  AskPageView,
  MyQuestionsView,
  QueueView,
  ReportFormView,
  ReportsView,
  ReviewQueueView,
  ReviewView,
} from './views/asking-pages.tsx';

const DRAFT_COOKIE = 'ask_draft';
const DRAFT_KEPT_MS = 24 * 3600_000;

const WORK_MESSAGES: Record<Exclude<WorkResult, 'done'>, [string, number]> = {
  not_found: ['That question is not in the queue any more.', 404],
  not_allowed: ['You may not do that with this question.', 403],
  conflict: ['Someone else got there first, or the question moved on: nothing was changed.', 409],
};

function analyse(body: string): Analysis | null {
  if (body.trim() === '') return null;
  const r = readability(body);
  return {
    words: countMarkdownWords(body),
    grade: r.fleschKincaidGrade,
    label: r.label,
    previewHtml: renderMarkdown(body),
    draftedQuickAnswer: draftQuickAnswer(body),
  };
}

function sourcesText(json: string): string {
  try {
    const list = JSON.parse(json) as Array<{ title: string; url?: string }>;
    return list.map((s) => (s.url ? `${s.title} | ${s.url}` : s.title)).join('\n');
  } catch {
    return '';
  }
}

const answerForm = (body: FormBody | undefined): AnswerForm & AnswerInput => ({
  body: formField(body, 'body', 25_000),
  quickAnswer: formField(body, 'quickAnswer', 2000),
  sources: formField(body, 'sources', 5000),
});

/** /ask, the educator queue and answer editor, editorial review, the student's questions, reports. */
export function askingRoutes(ctx: RouteContext): FastifyPluginAsync {
  const settings = ctx.session;
  const db = ctx.database.db;
  const deps: AskingDeps = {
    db,
    clock: ctx.clock,
    mailer: ctx.mailer,
    site: { name: ctx.site.name, url: ctx.site.url },
    questionsPerMonth: ctx.config.questionsPerMonth,
    answerTargetHours: ctx.config.answerTargetHours,
  };
  const token = (request: FastifyRequest, reply: FastifyReply) => csrfToken(request, reply, settings.https);
  const nowMs = () => ctx.clock.now().getTime();

  return async (app) => {
    // Asking.
    const emptyAsk: AskForm = { title: '', details: '', subject: '', topics: '' };
    const askPage = async (
      request: FastifyRequest,
      reply: FastifyReply,
      extra: { form?: AskForm; issues?: FieldIssue[]; message?: string; confirm?: Awaited<ReturnType<typeof similarQuestions>> } = {},
      status = 200,
    ) => {
      const viewer = request.viewer;
      const allowed = viewer !== null && (await svc.mayAskNow(db, ctx.clock, viewer));
      return sendHtml(
        reply,
        <AskPageView
          site={ctx.site}
          viewer={viewer}
          csrfToken={viewer ? token(request, reply) : ''}
          allowance={allowed && viewer ? await allowanceOf(deps, viewer.userId) : null}
          form={extra.form ?? emptyAsk}
          subjects={await svc.listSubjects(db)}
          issues={extra.issues}
          message={extra.message}
          confirm={extra.confirm}
          answerTargetHours={ctx.config.answerTargetHours}
          scriptUrl={ctx.assetUrl('ask.js')}
        />,
        status,
      );
    };
    const readAsk = (body: FormBody | undefined): AskForm => ({
      title: formField(body, 'title', 400),
      details: formField(body, 'details', 12_000),
      subject: formField(body, 'subject', 100),
      topics: formField(body, 'topics', 400),
    });

    app.get('/ask', async (request, reply) => {
      const viewer = request.viewer;
      const draftToken = request.cookies[DRAFT_COOKIE];
      if (viewer && draftToken) {
        // What they typed before their session ended, kept for them while they signed in again.
        const hash = sha256Hex(draftToken);
        const payload = await svc.findAskDraft(db, hash, new Date(nowMs() - DRAFT_KEPT_MS).toISOString());
        await svc.deleteAskDraft(db, hash);
        reply.clearCookie(DRAFT_COOKIE, { path: '/ask' });
        if (payload) {
          const form = { ...emptyAsk, ...(JSON.parse(payload) as Partial<AskForm>) };
          return askPage(request, reply, { form, message: 'Your session had ended; here is what you typed. Check it and continue.' });
        }
      }
      return askPage(request, reply);
    });

    app.post<{ Body: FormBody }>('/ask', async (request, reply) => {
      const viewer = request.viewer;
      const form = readAsk(request.body);
      if (!viewer) {
        // The session ended while they typed: keep the question, ask them to sign in, and give it back after.
        const secret = newSecretToken();
        await svc.saveAskDraft(db, sha256Hex(secret), JSON.stringify(form), ctx.clock.now().toISOString());
        reply.setCookie(DRAFT_COOKIE, secret, {
          path: '/ask',
          httpOnly: true,
          sameSite: 'lax',
          secure: settings.https,
          maxAge: DRAFT_KEPT_MS / 1000,
        });
        return reply.redirect('/login?next=%2Fask', 303);
      }
      if (!(await svc.mayAskNow(db, ctx.clock, viewer))) return askPage(request, reply, { form }, 403);
      if (!csrfValid(request, settings.https))
        return askPage(
          request,
          reply,
          { form, message: 'That form had expired. Your text is below; please send it again.', issues: [] },
          403,
        );
      const step = formField(request.body, 'step', 10);
      if (step === 'edit') return askPage(request, reply, { form });
      const checked = await checkAsk(db, form);
      if ('issues' in checked)
        return askPage(request, reply, { form, issues: checked.issues, message: 'Please fix the fields marked below.' }, 400);
      if (step !== 'post') {
        // Without JavaScript, similar questions are offered on this confirm step before anything is posted.
        const confirm = await similarQuestions(ctx.database, `${checked.ask.title} ${form.topics}`);
        return askPage(request, reply, { form, confirm });
      }
      const asked = await askQuestion(deps, viewer.userId, checked.ask);
      if ('noAllowance' in asked)
        return askPage(
          request,
          reply,
          {
            form,
            issues: [],
            message: `You have asked all ${asked.noAllowance.perMonth} questions of this month. Your text is kept below.`,
          },
          429,
        );
      return reply.redirect('/account/questions?asked=1', 303);
    });

    app.get<{ Querystring: { q?: string } }>('/ask/similar', async (request, reply) => {
      const q = typeof request.query.q === 'string' ? request.query.q.slice(0, 300) : '';
      reply.header('cache-control', 'no-store');
      return reply.send({ results: q.trim().length < 3 ? [] : await similarQuestions(ctx.database, q) });
    });

    app.get<{ Querystring: { asked?: string } }>('/account/questions', async (request, reply) => {
      const viewer = requireViewer(request, reply, '/account/questions');
      if (!viewer) return reply;
      return sendHtml(
        reply,
        <MyQuestionsView
          site={ctx.site}
          viewer={viewer}
          questions={await svc.listAskedBy(db, viewer.userId, 200)}
          nowMs={nowMs()}
          message={request.query.asked ? 'Your question is in the queue. We will tell you when an educator answers it.' : undefined}
        />,
      );
    });

    // Educators: the queue and the answer editor.
    const educatorOnly = (request: FastifyRequest, reply: FastifyReply, back: string): Viewer | null =>
      requireAllowed(ctx.site, request, reply, back, (v) => mayAnswer(v), 'Only educators answer questions');

    const queuePage = async (request: FastifyRequest, reply: FastifyReply, viewer: Viewer, message?: string, status = 200) => {
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
      return sendHtml(
        reply,
        <QueueView
          site={ctx.site}
          viewer={viewer}
          csrfToken={token(request, reply)}
          rows={rows}
          nowMs={now}
          message={message}
          subjects={subjects}
        />,
        status,
      );
    };
    /** Post/redirect/get: a move that succeeded answers 303 to the page that shows its result, with the message once. */
    const doneTo = (reply: FastifyReply, path: string, message: string) => {
      setFlash(reply, message, settings.https);
      return reply.redirect(path, 303);
    };
    const flash = (request: FastifyRequest, reply: FastifyReply) => takeFlash(request, reply, settings.https);

    app.get('/educator', async (request, reply) => {
      const viewer = educatorOnly(request, reply, '/educator');
      return viewer ? queuePage(request, reply, viewer, flash(request, reply)) : reply;
    });

    app.post<{ Params: { id: string } }>('/educator/q/:id/claim', async (request, reply) => {
      const viewer = educatorOnly(request, reply, '/educator');
      if (!viewer) return reply;
      const id = parseQuestionId(request.params.id);
      if (!csrfValid(request, settings.https) || id === null)
        return queuePage(request, reply, viewer, 'That form had expired; nothing was claimed.', 403);
      const result = await claim(deps, await actorFor(db, viewer), id);
      if (result === 'done') return reply.redirect(`/educator/q/${id}`, 303);
      // No such question, or one outside the educator's subjects: the same plain page for both.
      if (result === 'not_found') return sendHtml(reply, errorPage(ctx.site, 404, undefined, viewer), 404);
      const [message, status] =
        result === 'conflict' ? ['Another educator claimed this question a moment ago. Pick another one.', 409] : WORK_MESSAGES[result];
      return queuePage(request, reply, viewer, message, status);
    });

    /**
     * Every answer of the editor goes through here. A question outside the viewer's subjects gets the plain 404 a
     * missing one gets, before anything of it is rendered, whatever was posted (an expired form included); the
     * "lost" page that gives typed text back is for educators of the subject whose claim went while they typed.
     */
    const editorPage = async (
      request: FastifyRequest,
      reply: FastifyReply,
      viewer: Viewer,
      actor: Actor,
      id: number,
      extra: { form?: AnswerForm; issues?: FieldIssue[]; message?: string } = {},
      status = 200,
    ) => {
      const q = await svc.findQuestionToWork(db, actor, id);
      if (!q) return sendHtml(reply, errorPage(ctx.site, 404, undefined, viewer), 404);
      const lostMessage = 'This question is not yours to answer now (the claim lapsed or moved on).';
      if (claimHeldBy(q, nowMs()) !== viewer.userId) {
        if (!extra.form) return queuePage(request, reply, viewer, lostMessage, 409);
        // They were typing when the claim went: nothing is saved, but nothing they typed is lost either.
        return sendHtml(
          reply,
          <AnswerEditorView
            site={ctx.site}
            viewer={viewer}
            csrfToken=""
            question={{ id, title: q.title, detailsHtml: q.detailsHtml, subjectName: q.subjectName, dueAt: q.dueAt, reviewComment: null }}
            form={extra.form}
            analysis={null}
            message={lostMessage}
            claimUntil={null}
            revisions={0}
            scriptUrl=""
            lost
          />,
          409,
        );
      }
      const draft = await svc.findAnswerDraft(db, id);
      const form = extra.form ?? {
        body: draft?.body ?? '',
        quickAnswer: draft?.quickAnswer ?? '',
        sources: draft ? sourcesText(draft.sources) : '',
      };
      const fresh = await svc.findWorkQuestion(db, id);
      return sendHtml(
        reply,
        <AnswerEditorView
          site={ctx.site}
          viewer={viewer}
          csrfToken={token(request, reply)}
          question={{
            id,
            title: q.title,
            detailsHtml: q.detailsHtml,
            subjectName: q.subjectName,
            dueAt: q.dueAt,
            reviewComment: q.status === 'drafted' ? q.reviewComment : null,
          }}
          form={form}
          analysis={analyse(form.body)}
          issues={extra.issues}
          message={extra.message}
          claimUntil={fresh?.claimExpiresAt ?? null}
          revisions={(await svc.listRevisions(db, id)).length}
          scriptUrl={ctx.assetUrl('answer.js')}
        />,
        status,
      );
    };

    app.get<{ Params: { id: string } }>('/educator/q/:id', async (request, reply) => {
      const viewer = educatorOnly(request, reply, `/educator/q/${request.params.id}`);
      if (!viewer) return reply;
      const id = parseQuestionId(request.params.id);
      if (id === null) return sendHtml(reply, errorPage(ctx.site, 404, undefined, viewer), 404);
      // Opening the editor counts as editing: the claim is renewed.
      const actor = await actorFor(db, viewer);
      await renew(deps, actor, id);
      const message = flash(request, reply);
      return editorPage(request, reply, viewer, actor, id, message ? { message } : {});
    });

    app.post<{ Params: { id: string }; Body: FormBody }>('/educator/q/:id', async (request, reply) => {
      const viewer = educatorOnly(request, reply, `/educator/q/${request.params.id}`);
      if (!viewer) return reply;
      const id = parseQuestionId(request.params.id);
      if (id === null) return sendHtml(reply, errorPage(ctx.site, 404, undefined, viewer), 404);
      const form = answerForm(request.body);
      const actor = await actorFor(db, viewer);
      if (!csrfValid(request, settings.https))
        return editorPage(
          request,
          reply,
          viewer,
          actor,
          id,
          { form, issues: [], message: 'That form had expired. Your text is below; save it again.' },
          403,
        );
      const intent = formField(request.body, 'intent', 10);
      if (intent === 'preview') {
        await renew(deps, actor, id);
        return editorPage(request, reply, viewer, actor, id, { form });
      }
      const checked = checkAnswer(form);
      if ('issues' in checked)
        return editorPage(
          request,
          reply,
          viewer,
          actor,
          id,
          { form, issues: checked.issues, message: 'Please fix the fields marked below.' },
          400,
        );
      const submit = intent === 'submit';
      const result = await saveAnswer(deps, actor, id, checked.answer, submit);
      if (result !== 'done') {
        const [message, status] = WORK_MESSAGES[result];
        return editorPage(request, reply, viewer, actor, id, { form, issues: [], message: `${message} Your text is below.` }, status);
      }
      if (submit) return doneTo(reply, '/educator', 'Sent for editorial review. Thank you!');
      return doneTo(
        reply,
        `/educator/q/${id}`,
        checked.answer.drafted ? 'Saved. The quick answer was drafted from your answer; edit it if you like.' : 'Saved.',
      );
    });

    // The editor's island renews the claim while the educator types (204; 409 once the claim is gone; 404, as the
    // editor page answers, for a question outside the viewer's subjects or none at all).
    app.post<{ Params: { id: string } }>('/educator/q/:id/renew', async (request, reply) => {
      const viewer = request.viewer;
      const id = parseQuestionId(request.params.id);
      if (!viewer || id === null || !csrfValid(request, settings.https)) return reply.code(403).send({ error: 'forbidden' });
      const actor = await actorFor(db, viewer);
      if (!(await svc.findQuestionToWork(db, actor, id))) return reply.code(404).send({ error: 'not_found' });
      return (await renew(deps, actor, id)) ? reply.code(204).send() : reply.code(409).send({ error: 'claim_lost' });
    });

    app.post<{ Params: { id: string } }>('/educator/q/:id/release', async (request, reply) => {
      const viewer = educatorOnly(request, reply, '/educator');
      if (!viewer) return reply;
      const id = parseQuestionId(request.params.id);
      if (!csrfValid(request, settings.https) || id === null)
        return queuePage(request, reply, viewer, 'That form had expired; nothing changed.', 403);
      const result = await release(deps, await actorFor(db, viewer), id);
      if (result === 'not_found') return sendHtml(reply, errorPage(ctx.site, 404, undefined, viewer), 404);
      if (result === 'done') return doneTo(reply, '/educator', 'The question is back in the queue.');
      return queuePage(request, reply, viewer, WORK_MESSAGES[result][0]);
    });

    // Editors: review.
    const reviewerOnly = (request: FastifyRequest, reply: FastifyReply, back: string): Viewer | null =>
      requireAllowed(ctx.site, request, reply, back, (v) => mayReview(v), 'Only editors review answers');

    const reviewQueue = async (_request: FastifyRequest, reply: FastifyReply, viewer: Viewer, message?: string, status = 200) =>
      sendHtml(
        reply,
        <ReviewQueueView
          site={ctx.site}
          viewer={viewer}
          rows={await svc.listInReview(db, 200)}
          message={message}
          openReports={(await listReports(db, 'open', 500)).length}
        />,
        status,
      );
    app.get('/editor', async (request, reply) => {
      const viewer = reviewerOnly(request, reply, '/editor');
      return viewer ? reviewQueue(request, reply, viewer, flash(request, reply)) : reply;
    });

    const reviewPage = async (
      request: FastifyRequest,
      reply: FastifyReply,
      viewer: Viewer,
      id: number,
      extra: {
        form?: AnswerForm;
        issues?: FieldIssue[];
        message?: string;
        fields?: { comment?: string; duplicate?: string; reason?: string };
      } = {},
      status = 200,
    ) => {
      const q = await svc.findWorkQuestion(db, id);
      if (!q) return sendHtml(reply, errorPage(ctx.site, 404, undefined, viewer), 404);
      const draft = await svc.findAnswerDraft(db, id);
      const educatorName = draft ? await svc.findUserName(db, draft.educatorId) : undefined;
      const form = extra.form ?? {
        body: draft?.body ?? '',
        quickAnswer: draft?.quickAnswer ?? '',
        sources: draft ? sourcesText(draft.sources) : '',
      };
      return sendHtml(
        reply,
        <ReviewView
          site={ctx.site}
          viewer={viewer}
          csrfToken={token(request, reply)}
          question={{ id, title: q.title, detailsHtml: q.detailsHtml, subjectName: q.subjectName, status: q.status }}
          educatorName={educatorName ?? 'nobody yet'}
          form={form}
          analysis={analyse(form.body)}
          issues={extra.issues}
          message={extra.message}
          revisions={await svc.listRevisions(db, id)}
          events={await svc.listEvents(db, id)}
          fields={extra.fields}
        />,
        status,
      );
    };

    app.get<{ Params: { id: string } }>('/editor/q/:id', async (request, reply) => {
      const viewer = reviewerOnly(request, reply, `/editor/q/${request.params.id}`);
      if (!viewer) return reply;
      const id = parseQuestionId(request.params.id);
      if (id === null) return sendHtml(reply, errorPage(ctx.site, 404, undefined, viewer), 404);
      return reviewPage(request, reply, viewer, id);
    });

    app.post<{ Params: { id: string; action: string }; Body: FormBody }>('/editor/q/:id/:action', async (request, reply) => {
      const viewer = reviewerOnly(request, reply, `/editor/q/${request.params.id}`);
      if (!viewer) return reply;
      const id = parseQuestionId(request.params.id);
      const action = request.params.action;
      if (id === null || !['approve', 'return', 'close', 'reject'].includes(action))
        return sendHtml(reply, errorPage(ctx.site, 404, undefined, viewer), 404);
      const form = answerForm(request.body);
      const fields = {
        comment: formField(request.body, 'comment', 2000),
        duplicate: formField(request.body, 'duplicate', 300),
        reason: formField(request.body, 'reason', 500),
      };
      const keep = action === 'approve' ? { form } : {};
      if (!csrfValid(request, settings.https))
        return reviewPage(
          request,
          reply,
          viewer,
          id,
          { ...keep, fields, issues: [], message: 'That form had expired. Nothing changed; please try again.' },
          403,
        );
      const actor = await actorFor(db, viewer);
      let result: WorkResult;
      if (action === 'approve') {
        if (formField(request.body, 'intent', 10) === 'preview') return reviewPage(request, reply, viewer, id, { form });
        const checked = checkAnswer(form);
        if ('issues' in checked)
          return reviewPage(
            request,
            reply,
            viewer,
            id,
            { form, issues: checked.issues, message: 'Please fix the fields marked below.' },
            400,
          );
        const draft = await svc.findAnswerDraft(db, id);
        const changed =
          !draft ||
          draft.body !== checked.answer.body ||
          draft.quickAnswer !== checked.answer.quickAnswer ||
          draft.sources !== JSON.stringify(checked.answer.sources);
        result = await approve(deps, actor, id, changed ? checked.answer : null);
        if (result === 'done') return doneTo(reply, '/editor', 'Approved and published. The student has been told.');
      } else if (action === 'return') {
        const comment = fields.comment.replace(/\s+/g, ' ').trim();
        if (comment.length < 5)
          return reviewPage(
            request,
            reply,
            viewer,
            id,
            { fields, issues: [{ field: 'comment', message: 'Tell the educator what to change (at least 5 characters).' }] },
            400,
          );
        result = await returnToEducator(deps, actor, id, comment);
        if (result === 'done') return doneTo(reply, '/editor', 'Returned to the educator with your comment.');
      } else if (action === 'close') {
        const originalId = parseQuestionId(/(?:\/q\/)?(\d{1,12})/.exec(fields.duplicate)?.[1] ?? '');
        const original = originalId === null || originalId === id ? undefined : await svc.findWorkQuestion(db, originalId);
        if (original?.status !== 'published')
          return reviewPage(
            request,
            reply,
            viewer,
            id,
            { fields, issues: [{ field: 'duplicate', message: 'Give the address or number of another answered question.' }] },
            400,
          );
        result = await closeAsDuplicate(deps, actor, id, { id: original.id, slug: original.slug });
        if (result === 'done') return doneTo(reply, '/editor', 'Closed as a duplicate; the student has the link.');
      } else {
        const reason = fields.reason.replace(/\s+/g, ' ').trim();
        if (reason.length < 5)
          return reviewPage(
            request,
            reply,
            viewer,
            id,
            { fields, issues: [{ field: 'reason', message: 'Give the student a reason (at least 5 characters).' }] },
            400,
          );
        result = await reject(deps, actor, id, /[.!?]$/.test(reason) ? reason : `${reason}.`);
        if (result === 'done') return doneTo(reply, '/editor', 'Rejected; the student was told why and has the question back.');
      }
      const [message, status] = WORK_MESSAGES[result as Exclude<WorkResult, 'done'>];
      return reviewPage(request, reply, viewer, id, { ...keep, fields, issues: [], message }, status);
    });

    // Reports and moderation.
    const reportPage = async (
      request: FastifyRequest,
      reply: FastifyReply,
      viewer: Viewer,
      questionId: number,
      extra: { form?: { target: string; reason: string }; issues?: FieldIssue[]; message?: string } = {},
      status = 200,
    ) => {
      const q = await svc.findWorkQuestion(db, questionId);
      if (q?.status !== 'published') return sendHtml(reply, errorPage(ctx.site, 404, undefined, viewer), 404);
      return sendHtml(
        reply,
        <ReportFormView
          site={ctx.site}
          viewer={viewer}
          csrfToken={token(request, reply)}
          question={{ id: q.id, title: q.title, path: questionPath(q) }}
          form={extra.form ?? { target: 'question', reason: '' }}
          issues={extra.issues}
          message={extra.message}
        />,
        status,
      );
    };
    app.get<{ Querystring: { question?: string; target?: string } }>('/report', async (request, reply) => {
      const viewer = requireViewer(request, reply, request.url);
      if (!viewer) return reply;
      const id = parseQuestionId(request.query.question ?? '');
      if (id === null) return sendHtml(reply, errorPage(ctx.site, 404, undefined, viewer), 404);
      return reportPage(request, reply, viewer, id, {
        form: { target: request.query.target === 'answer' ? 'answer' : 'question', reason: '' },
      });
    });
    app.post<{ Body: FormBody }>('/report', async (request, reply) => {
      const viewer = requireViewer(request, reply, '/');
      if (!viewer) return reply;
      const id = parseQuestionId(formField(request.body, 'question', 20));
      const form = { target: formField(request.body, 'target', 20), reason: formField(request.body, 'reason', 2000) };
      if (id === null) return sendHtml(reply, errorPage(ctx.site, 404, undefined, viewer), 404);
      if (!csrfValid(request, settings.https))
        return reportPage(request, reply, viewer, id, { form, issues: [], message: 'That form had expired; please send it again.' }, 403);
      const result = await fileReport(db, ctx.clock, viewer.userId, { questionId: id, ...form });
      if (result === 'not_found') return sendHtml(reply, errorPage(ctx.site, 404, undefined, viewer), 404);
      if (result === 'limited')
        return reportPage(
          request,
          reply,
          viewer,
          id,
          { form, issues: [], message: 'You have sent many reports this hour; please try again later.' },
          429,
        );
      if (Array.isArray(result))
        return reportPage(request, reply, viewer, id, { form, issues: result, message: 'Please fix the fields marked below.' }, 400);
      return sendHtml(
        reply,
        errorPage(ctx.site, 200, { title: 'Thank you', message: 'A moderator will look at your report.' }, viewer),
        200,
      );
    });

    const reportsPage = async (request: FastifyRequest, reply: FastifyReply, viewer: Viewer, message?: string, status = 200) =>
      sendHtml(
        reply,
        <ReportsView
          site={ctx.site}
          viewer={viewer}
          csrfToken={token(request, reply)}
          open={await listReports(db, 'open', 200)}
          decided={await listReports(db, 'decided', 50)}
          message={message}
        />,
        status,
      );
    app.get('/editor/reports', async (request, reply) => {
      const viewer = requireAllowed(ctx.site, request, reply, '/editor/reports', (v) => mayReview(v), 'Only editors and admins moderate');
      return viewer ? reportsPage(request, reply, viewer) : reply;
    });
    app.post<{ Params: { id: string; decision: string } }>('/editor/reports/:id/:decision', async (request, reply) => {
      const viewer = requireAllowed(ctx.site, request, reply, '/editor/reports', (v) => mayReview(v), 'Only editors and admins moderate');
      if (!viewer) return reply;
      const id = parseQuestionId(request.params.id);
      const decision = request.params.decision;
      if (id === null || (decision !== 'hide' && decision !== 'restore' && decision !== 'dismiss'))
        return sendHtml(reply, errorPage(ctx.site, 404, undefined, viewer), 404);
      if (!csrfValid(request, settings.https)) return reportsPage(request, reply, viewer, 'That form had expired; nothing changed.', 403);
      const result = await decideReport(db, ctx.clock, await actorFor(db, viewer), id, decision);
      const done = { hide: 'Hidden: the page is off the site.', restore: 'Restored: the page is back.', dismiss: 'Dismissed.' }[decision];
      return reportsPage(
        request,
        reply,
        viewer,
        result === 'done' ? done : WORK_MESSAGES[result][0],
        result === 'done' ? 200 : WORK_MESSAGES[result][1],
      );
    });
  };
}
