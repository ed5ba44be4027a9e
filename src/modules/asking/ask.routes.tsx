import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FieldIssue } from '../../lib/errors.ts';
import { newSecretToken, sha256Hex } from '../../lib/secret-token.ts';
import type { RouteContext } from '../../platform/context.ts';
import { type FormBody, formField, formList } from '../../platform/form-body.ts';
import { signedIn } from '../../platform/guard.tsx';
import { sendHtml } from '../../platform/html.ts';
import { field, form, repeated } from '../../platform/schemas.ts';
import { csrfToken } from '../../platform/session.ts';
import { acceptUploads } from '../../platform/uploads.ts';
import type { StoredImage } from '../images/index.ts';
import { QUESTION_LIMITS } from '../questions/index.ts';
import { keptPhotos, PHOTO_FIELD, type SentPhoto, takePhotos } from './ask-photos.service.ts';
import { askingDeps, checkedText, imageDeps } from './asking.pages.tsx';
import * as svc from './asking.service.ts';
import { allowanceOf, askQuestion, checkAsk, similarQuestions } from './asking.service.ts';
import { type AskForm, AskPageView } from './views/asking-pages.tsx';

const DRAFT_COOKIE = 'ask_draft';
const DRAFT_KEPT_MS = 24 * 3600_000;
/** Characters of typed text /ask/similar looks at; the rest of a pasted page is ignored, not refused. */
const SIMILAR_TEXT_MAX = 300;

const emptyAsk: AskForm = { title: '', details: '', subject: '', topics: '' };
/** An image id in a hidden field: ten digits at most. */
const IMAGE_ID_CHARS = 10;
/** Text fields of the form besides the photos' ids and remove boxes: _csrf, title, details, subject, topics, step. */
const TEXT_FIELDS = 6;
/**
 * The longest text field a multipart form may send, in bytes: above the longest value the schema lets through
 * (details, twice its limit, at four bytes a character), so a value cut here is one the schema refuses anyway.
 */
const FIELD_BYTES = 4 * 2 * QUESTION_LIMITS.detailsMax + 1024;

/** The question as typed (NULs dropped). Also read before the schema runs, for a draft kept or an expired form. */
const readAsk = (body: FormBody | undefined): AskForm => ({
  title: formField(body, 'title', 2 * QUESTION_LIMITS.titleMax),
  details: formField(body, 'details', 2 * QUESTION_LIMITS.detailsMax),
  subject: formField(body, 'subject', 100),
  topics: formField(body, 'topics', QUESTION_LIMITS.topicsText),
});

/** The files sent in the photos field (platform/uploads.ts), and whether there were more than the limit. */
function sentPhotos(request: FastifyRequest): { files: SentPhoto[]; overflow: boolean } {
  const uploads = request.uploads;
  if (!uploads) return { files: [], overflow: false };
  const files = uploads.files
    .filter((f) => f.field === PHOTO_FIELD)
    .map((f) => ({ filename: f.filename, bytes: f.bytes, tooLarge: f.refused === 'too_large' }));
  return { files, overflow: uploads.overflow };
}

/**
 * /ask: a member's question, with similar answered questions offered first, and photos of their homework;
 * /ask/similar for the page's island.
 */
export function askRoutes(ctx: RouteContext): FastifyPluginAsyncTypebox {
  const db = ctx.database.db;
  const https = ctx.session.https;
  const deps = askingDeps(ctx);
  const images = imageDeps(ctx);
  const photoRules = { maxPerQuestion: ctx.config.images.maxPerQuestion, maxBytes: ctx.config.images.maxBytes };
  const maxPhotos = photoRules.maxPerQuestion;
  const nowMs = () => ctx.clock.now().getTime();

  const AskBody = form({
    title: checkedText(QUESTION_LIMITS.titleMax),
    details: checkedText(QUESTION_LIMITS.detailsMax),
    subject: field(100),
    topics: field(QUESTION_LIMITS.topicsText),
    step: field(10),
    // The photos attached so far, as image ids, and those ticked for removal.
    images: repeated(maxPhotos, IMAGE_ID_CHARS),
    remove: repeated(maxPhotos, IMAGE_ID_CHARS),
  });

  /** The ids the form carried back, and those ticked for removal (read before the schema too, so cut to size). */
  const photoIds = (body: FormBody | undefined) => ({
    ids: formList(body, 'images', maxPhotos).map((v) => v.slice(0, IMAGE_ID_CHARS)),
    removed: formList(body, 'remove', maxPhotos).map((v) => v.slice(0, IMAGE_ID_CHARS)),
  });
  const ownPhotos = (request: FastifyRequest): Promise<StoredImage[]> => {
    const { ids, removed } = photoIds(request.body as FormBody);
    return request.viewer ? keptPhotos(images, request.viewer.userId, ids, removed) : Promise.resolve([]);
  };

  const askPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    extra: {
      form?: AskForm;
      photos?: readonly StoredImage[];
      issues?: FieldIssue[];
      message?: string;
      confirm?: Awaited<ReturnType<typeof similarQuestions>>;
    } = {},
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
        photos={extra.photos ?? []}
        photoRules={photoRules}
        answerTargetHours={ctx.config.answerTargetHours}
        scriptUrl={ctx.assetUrl('ask.js')}
      />,
      status,
    );
  };

  /**
   * The session ended while they typed: the question is kept a day, and given back after they sign in, with the ids
   * of photos attached before (only the owner, signed in again, gets those back). Files sent with this very post
   * were not read, the sender being signed out (platform/uploads.ts).
   */
  const keepDraft = async (request: FastifyRequest, reply: FastifyReply) => {
    const secret = newSecretToken();
    const body = request.body as FormBody;
    const draft = { ...readAsk(body), images: photoIds(body).ids };
    await svc.saveAskDraft(db, sha256Hex(secret), JSON.stringify(draft), ctx.clock.now().toISOString());
    reply.setCookie(DRAFT_COOKIE, secret, { path: '/ask', httpOnly: true, sameSite: 'lax', secure: https, maxAge: DRAFT_KEPT_MS / 1000 });
  };

  const expired = async (request: FastifyRequest, reply: FastifyReply) => {
    // Files that came with an expired form were not read (platform/uploads.ts): they must be chosen again.
    const dropped = sentPhotos(request).files.length > 0;
    const message = `That form had expired. Your text is below; please send it again.${dropped ? ' Choose the new photos again too.' : ''}`;
    return askPage(request, reply, { form: readAsk(request.body as FormBody), photos: await ownPhotos(request), message, issues: [] }, 403);
  };

  return async (app) => {
    // The form is multipart: photos ride along with the text. Only this plugin's routes take multipart bodies.
    await acceptUploads(
      app,
      {
        fileBytes: ctx.config.images.maxBytes,
        files: maxPhotos,
        fields: TEXT_FIELDS + 2 * maxPhotos,
        fieldBytes: FIELD_BYTES,
      },
      https,
    );

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
          const { images: ids, ...text } = JSON.parse(payload) as Partial<AskForm> & { images?: string[] };
          const kept = { ...emptyAsk, ...text };
          const photos = await keptPhotos(images, viewer.userId, Array.isArray(ids) ? ids.map(String) : []);
          const message = 'Your session had ended; here is what you typed. Check it and continue.';
          return askPage(request, reply, { form: kept, photos, message });
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
        if (!(await svc.mayAskNow(db, ctx.clock, viewer)))
          return askPage(request, reply, { form: typed, photos: await ownPhotos(request) }, 403);
        // Photos sent with any step are stored now; from here on the form carries them as ids.
        const taken = await takePhotos(images, viewer.userId, await ownPhotos(request), sentPhotos(request));
        const photos = taken.photos;
        const photoIssues = taken.issue ? [taken.issue] : [];
        const step = request.body.step;
        if (step === 'edit') {
          const message = photoIssues.length > 0 ? 'Please look at the photos marked below.' : undefined;
          return askPage(request, reply, { form: typed, photos, issues: photoIssues, message }, photoIssues.length > 0 ? 400 : 200);
        }
        const checked = await checkAsk(db, typed);
        // Every problem at once, the text's and the photos': one round trip to fix them all.
        if ('issues' in checked || photoIssues.length > 0) {
          const issues = [...('issues' in checked ? checked.issues : []), ...photoIssues];
          return askPage(request, reply, { form: typed, photos, issues, message: 'Please fix the fields marked below.' }, 400);
        }
        if (step !== 'post') {
          // Without JavaScript, similar questions are offered on this confirm step before anything is posted.
          const confirm = await similarQuestions(
            ctx.database,
            `${checked.ask.title} ${typed.topics}`,
            undefined,
            typed.subject || undefined,
          );
          return askPage(request, reply, { form: typed, photos, confirm });
        }
        const asked = await askQuestion(
          deps,
          viewer.userId,
          checked.ask,
          photos.map((p) => p.id),
        );
        if ('noAllowance' in asked) {
          const message = `You have asked all ${asked.noAllowance.perMonth} questions of this month. Your text is kept below.`;
          return askPage(request, reply, { form: typed, photos, issues: [], message }, 429);
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
