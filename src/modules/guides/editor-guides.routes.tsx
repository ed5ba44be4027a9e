import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { RouteContext } from '../../platform/context.ts';
import type { FormBody } from '../../platform/form-body.ts';
import { signedIn } from '../../platform/guard.tsx';
import { sendHtml } from '../../platform/html.ts';
import { basedOn, CONFLICT, doneMessage, EXPIRED, guideForm, wantsPreview } from './editor.forms.ts';
import { authoring, editorPages, guidePage } from './editor.pages.tsx';
import { DoneQuery, GuideFormBody, GuideIdParams, StatusBody } from './guide.schema.ts';
import {
  createGuide,
  editVersion,
  guideLinksChanged,
  listAllGuides,
  previewWithImages,
  setGuideStatus,
  updateGuideDetails,
} from './guide.service.ts';
import { editorGuidePath } from './guide.ts';
import { EditorGuidesListView, type FormState, type GuideForm } from './views/editor-pages.tsx';

const EMPTY: GuideForm = { title: '', subjectSlug: '', overview: '', topics: '' };

/** /editor/guides: the list of every guide, a new guide, and a guide's details and status. */
export function editorGuideRoutes(ctx: RouteContext): FastifyPluginAsyncTypebox {
  const db = ctx.database.db;
  const pages = editorPages(ctx);
  return async (app) => {
    app.get('/editor/guides', { schema: { querystring: DoneQuery }, config: authoring('/editor/guides') }, async (request, reply) =>
      sendHtml(
        reply,
        <EditorGuidesListView
          site={ctx.site}
          viewer={signedIn(request)}
          guides={await listAllGuides(db)}
          message={doneMessage(request.query.done)}
        />,
      ),
    );

    app.get('/editor/guides/new', { config: authoring('/editor/guides/new') }, async (request, reply) =>
      pages.newPage(request, reply, { form: EMPTY }),
    );

    app.post(
      '/editor/guides',
      {
        schema: { body: GuideFormBody },
        config: authoring('/editor/guides/new', (request, reply) =>
          pages.newPage(request, reply, { form: guideForm(request.body as FormBody) }, EXPIRED, 403),
        ),
      },
      async (request, reply) => {
        const form = guideForm(request.body);
        if (wantsPreview(request.body))
          return pages.newPage(request, reply, { form, previewHtml: await previewWithImages(db, form.overview) });
        const result = await createGuide(db, signedIn(request).userId, form, ctx.clock);
        guideLinksChanged(ctx.caches.guideLinks);
        if (result.kind === 'invalid') return pages.newPage(request, reply, { form, issues: result.issues }, undefined, 400);
        if (result.kind !== 'ok') return pages.notFound(request, reply);
        return pages.redirectDone(reply, editorGuidePath({ id: result.value }), 'created');
      },
    );

    app.get(
      '/editor/guides/:id',
      { schema: { params: GuideIdParams, querystring: DoneQuery }, config: authoring(guidePage()) },
      async (request, reply) => {
        const found = await pages.find(request.params);
        if (!found) return pages.notFound(request, reply);
        return pages.editPage(request, reply, found.guide, { message: doneMessage(request.query.done) });
      },
    );

    /** The details form as typed, on the revision it was based on. */
    const typed = (body: FormBody | undefined): FormState<GuideForm> => {
      const based = basedOn(body);
      return { form: guideForm(body), ...(based === null ? {} : { basedOn: based }) };
    };

    app.post(
      '/editor/guides/:id',
      {
        schema: { params: GuideIdParams, body: GuideFormBody },
        config: authoring(
          guidePage(),
          pages.expired((request, reply, { guide }) =>
            pages.editPage(request, reply, guide, { details: typed(request.body as FormBody), error: EXPIRED }, 403),
          ),
        ),
      },
      async (request, reply) => {
        const found = await pages.find(request.params);
        if (!found) return pages.notFound(request, reply);
        const { guide } = found;
        const state = typed(request.body);
        if (wantsPreview(request.body))
          return pages.editPage(request, reply, guide, {
            details: { ...state, previewHtml: await previewWithImages(db, state.form.overview) },
          });
        const outcome = await updateGuideDetails(db, signedIn(request).userId, guide.id, state.form, state.basedOn ?? null, ctx.clock);
        guideLinksChanged(ctx.caches.guideLinks);
        if (outcome.kind === 'ok') return pages.redirectDone(reply, editorGuidePath(guide), 'details');
        if (outcome.kind === 'not_found') return pages.notFound(request, reply);
        if (outcome.kind === 'invalid')
          return pages.editPage(request, reply, guide, { details: { ...state, issues: outcome.issues } }, 400);
        // After a conflict the form is based on the version now current, so saving again is a deliberate overwrite.
        const current = await editVersion(db, guide.id, null);
        return pages.editPage(request, reply, guide, { details: { ...state, basedOn: current }, error: CONFLICT }, 409);
      },
    );

    app.post(
      '/editor/guides/:id/status',
      {
        schema: { params: GuideIdParams, body: StatusBody },
        config: authoring(
          guidePage(),
          pages.expired((request, reply, { guide }) => pages.editPage(request, reply, guide, { error: EXPIRED }, 403)),
        ),
      },
      async (request, reply) => {
        const found = await pages.find(request.params);
        if (!found) return pages.notFound(request, reply);
        const { guide } = found;
        const status = request.body.status;
        if (status !== 'published' && status !== 'draft')
          return pages.editPage(request, reply, guide, { error: 'Choose publish or unpublish.' }, 400);
        const result = await setGuideStatus(db, guide.id, status, ctx.clock);
        guideLinksChanged(ctx.caches.guideLinks);
        if (result.kind === 'invalid') return pages.editPage(request, reply, guide, { error: result.issues[0]?.message }, 400);
        return pages.redirectDone(reply, editorGuidePath(guide), status);
      },
    );
  };
}
