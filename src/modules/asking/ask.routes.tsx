import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FieldIssue } from '../../lib/errors.ts';
import { newSecretToken, sha256Hex } from '../../lib/secret-token.ts';
import type { RouteContext } from '../../platform/context.ts';
import { type FormBody, formField } from '../../platform/form-body.ts';
import { signedIn } from '../../platform/guard.tsx';
import { sendHtml } from '../../platform/html.ts';
import { field, form } from '../../platform/schemas.ts';
import { csrfToken } from '../../platform/session.ts';
import { QUESTION_LIMITS } from '../questions/index.ts';
import { askingDeps, checkedText } from './asking.pages.tsx';
import * as svc from './asking.service.ts';
import { allowanceOf, askQuestion, checkAsk, similarQuestions } from './asking.service.ts';
import { type AskForm, AskPageView } from './views/asking-pages.tsx';

const DRAFT_COOKIE = 'ask_draft';
const DRAFT_KEPT_MS = 24 * 3600_000;
/** Characters of typed text /ask/similar looks at; the rest of a pasted page is ignored, not refused. */
const SIMILAR_TEXT_MAX = 300;

const emptyAsk: AskForm = { title: '', details: '', subject: '', topics: '' };

const AskBody = form({
  title: checkedText(QUESTION_LIMITS.titleMax),
  details: checkedText(QUESTION_LIMITS.detailsMax),
  subject: field(100),
  topics: field(QUESTION_LIMITS.topicsText),
  step: field(10),
});

/** The question as typed (NULs dropped). Also read before the schema runs, for a draft kept or an expired form. */
const readAsk = (body: FormBody | undefined): AskForm => ({
  title: formField(body, 'title', 2 * QUESTION_LIMITS.titleMax),
  details: formField(body, 'details', 2 * QUESTION_LIMITS.detailsMax),
  subject: formField(body, 'subject', 100),
  topics: formField(body, 'topics', QUESTION_LIMITS.topicsText),
});

/** /ask: a member's question, with similar answered questions offered first; /ask/similar for the page's island. */
export function askRoutes(ctx: RouteContext): FastifyPluginAsyncTypebox {
  const db = ctx.database.db;
  const https = ctx.session.https;
  const deps = askingDeps(ctx);
  const nowMs = () => ctx.clock.now().getTime();

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
        csrfToken={viewer ? csrfToken(request, reply, https) : ''}
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

  /** The session ended while they typed: the question is kept a day, and given back after they sign in. */
  const keepDraft = async (request: FastifyRequest, reply: FastifyReply) => {
    const secret = newSecretToken();
    await svc.saveAskDraft(db, sha256Hex(secret), JSON.stringify(readAsk(request.body as FormBody)), ctx.clock.now().toISOString());
    reply.setCookie(DRAFT_COOKIE, secret, { path: '/ask', httpOnly: true, sameSite: 'lax', secure: https, maxAge: DRAFT_KEPT_MS / 1000 });
  };

  const expired = (request: FastifyRequest, reply: FastifyReply) =>
    askPage(
      request,
      reply,
      { form: readAsk(request.body as FormBody), message: 'That form had expired. Your text is below; please send it again.', issues: [] },
      403,
    );

  return async (app) => {
    // Visitors see why they cannot ask (and a way to sign in); members see the form.
    app.get('/ask', { config: { allow: 'anyone' } }, async (request, reply) => {
      const viewer = request.viewer;
      const draftToken = request.cookies[DRAFT_COOKIE];
      if (viewer && draftToken) {
        const hash = sha256Hex(draftToken);
        const payload = await svc.findAskDraft(db, hash, new Date(nowMs() - DRAFT_KEPT_MS).toISOString());
        await svc.deleteAskDraft(db, hash);
        reply.clearCookie(DRAFT_COOKIE, { path: '/ask' });
        if (payload) {
          const kept = { ...emptyAsk, ...(JSON.parse(payload) as Partial<AskForm>) };
          return askPage(request, reply, { form: kept, message: 'Your session had ended; here is what you typed. Check it and continue.' });
        }
      }
      return askPage(request, reply);
    });

    app.post(
      '/ask',
      {
        schema: { body: AskBody },
        config: { allow: 'signed-in', signInNext: '/ask', onSignedOut: keepDraft, onExpiredForm: expired },
      },
      async (request, reply) => {
        const viewer = signedIn(request);
        const typed = readAsk(request.body);
        // Membership is looked up here: pages get it from the membership hook, form posts do not.
        if (!(await svc.mayAskNow(db, ctx.clock, viewer))) return askPage(request, reply, { form: typed }, 403);
        const step = request.body.step;
        if (step === 'edit') return askPage(request, reply, { form: typed });
        const checked = await checkAsk(db, typed);
        if ('issues' in checked)
          return askPage(request, reply, { form: typed, issues: checked.issues, message: 'Please fix the fields marked below.' }, 400);
        if (step !== 'post') {
          // Without JavaScript, similar questions are offered on this confirm step before anything is posted.
          const confirm = await similarQuestions(
            ctx.database,
            `${checked.ask.title} ${typed.topics}`,
            undefined,
            typed.subject || undefined,
          );
          return askPage(request, reply, { form: typed, confirm });
        }
        const asked = await askQuestion(deps, viewer.userId, checked.ask);
        if ('noAllowance' in asked) {
          const message = `You have asked all ${asked.noAllowance.perMonth} questions of this month. Your text is kept below.`;
          return askPage(request, reply, { form: typed, issues: [], message }, 429);
        }
        return reply.redirect('/account/questions?asked=1', 303);
      },
    );

    // Typed text of any length is looked at in part, never refused: the island asks as the student types.
    app.get(
      '/ask/similar',
      {
        schema: { querystring: Type.Object({ q: Type.Optional(Type.String()), subject: Type.Optional(Type.String({ maxLength: 100 })) }) },
        config: { allow: 'anyone' },
      },
      async (request, reply) => {
        const q = (request.query.q ?? '').slice(0, SIMILAR_TEXT_MAX);
        reply.header('cache-control', 'no-store');
        const subject = request.query.subject || undefined;
        return reply.send({ results: q.trim().length < 3 ? [] : await similarQuestions(ctx.database, q, undefined, subject) });
      },
    );
  };
}
