import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { RouteContext } from '../../platform/context.ts';
import type { FormBody } from '../../platform/form-body.ts';
import { signedIn } from '../../platform/guard.tsx';
import { basedOn, CONFLICT, doneMessage, EXPIRED, sectionForm, wantsPreview } from './editor.forms.ts';
import { authoring, editorPages, guidePage } from './editor.pages.tsx';
import { ButtonBody, DoneQuery, GuideIdParams, MoveBody, SectionFormBody, SectionIdParams } from './guide.schema.ts';
import { addSection, editVersion, moveSection, previewWithImages, removeSection, updateSection } from './guide.service.ts';
import { editorGuidePath } from './guide.ts';
import type { FormState, SectionForm } from './views/editor-pages.tsx';

/** /editor/guides/:id/sections: a guide's sections added, edited, moved and removed. */
export function editorSectionRoutes(ctx: RouteContext): FastifyPluginAsyncTypebox {
  const db = ctx.database.db;
  const pages = editorPages(ctx);
  const sectionPath = (guide: { id: number }, section: { id: number }) => `${editorGuidePath(guide)}/sections/${section.id}`;

  /** The section form as typed, on the revision it was based on. */
  const typed = (body: FormBody | undefined): FormState<SectionForm> => {
    const based = basedOn(body);
    return { form: sectionForm(body), ...(based === null ? {} : { basedOn: based }) };
  };

  return async (app) => {
    app.post(
      '/editor/guides/:id/sections',
      {
        schema: { params: GuideIdParams, body: SectionFormBody },
        config: authoring(
          guidePage(),
          pages.expired((request, reply, { guide }) =>
            pages.editPage(request, reply, guide, { newSection: { form: sectionForm(request.body as FormBody) }, error: EXPIRED }, 403),
          ),
        ),
      },
      async (request, reply) => {
        const found = await pages.find(request.params);
        if (!found) return pages.notFound(request, reply);
        const { guide } = found;
        const form = sectionForm(request.body);
        if (wantsPreview(request.body))
          return pages.editPage(request, reply, guide, { newSection: { form, previewHtml: await previewWithImages(db, form.body) } });
        const result = await addSection(db, signedIn(request).userId, guide.id, form, ctx.clock);
        if (result.kind === 'invalid') return pages.editPage(request, reply, guide, { newSection: { form, issues: result.issues } }, 400);
        if (result.kind !== 'ok') return pages.notFound(request, reply);
        return pages.redirectDone(reply, editorGuidePath(guide), 'section-added');
      },
    );

    app.get(
      '/editor/guides/:id/sections/:sid',
      { schema: { params: SectionIdParams, querystring: DoneQuery }, config: authoring(guidePage()) },
      async (request, reply) => {
        const found = await pages.findSection(request.params);
        if (!found) return pages.notFound(request, reply);
        return pages.sectionPage(request, reply, found.guide, found.section, { message: doneMessage(request.query.done) });
      },
    );

    app.post(
      '/editor/guides/:id/sections/:sid',
      {
        schema: { params: SectionIdParams, body: SectionFormBody },
        config: authoring(
          guidePage(),
          pages.expiredSection((request, reply, { guide, section }) =>
            pages.sectionPage(request, reply, guide, section, { state: typed(request.body as FormBody), error: EXPIRED }, 403),
          ),
        ),
      },
      async (request, reply) => {
        const found = await pages.findSection(request.params);
        if (!found) return pages.notFound(request, reply);
        const { guide, section } = found;
        const state = typed(request.body);
        if (wantsPreview(request.body))
          return pages.sectionPage(request, reply, guide, section, {
            state: { ...state, previewHtml: await previewWithImages(db, state.form.body) },
          });
        const result = await updateSection(
          db,
          signedIn(request).userId,
          guide.id,
          section.id,
          state.form,
          state.basedOn ?? null,
          ctx.clock,
        );
        if (result.kind === 'ok') return pages.redirectDone(reply, sectionPath(guide, section), 'section-saved');
        if (result.kind === 'invalid')
          return pages.sectionPage(request, reply, guide, section, { state: { ...state, issues: result.issues } }, 400);
        if (result.kind === 'not_found') return pages.notFound(request, reply);
        // As for the details: the form is now based on the current version, so saving again overwrites it knowingly.
        const current = await editVersion(db, guide.id, section.id);
        return pages.sectionPage(request, reply, guide, section, { state: { ...state, basedOn: current }, error: CONFLICT }, 409);
      },
    );

    app.post(
      '/editor/guides/:id/sections/:sid/move',
      {
        schema: { params: SectionIdParams, body: MoveBody },
        config: authoring(
          guidePage(),
          pages.expiredSection((request, reply, { guide }) => pages.editPage(request, reply, guide, { error: EXPIRED }, 403)),
        ),
      },
      async (request, reply) => {
        const found = await pages.findSection(request.params);
        if (!found) return pages.notFound(request, reply);
        const { guide, section } = found;
        const direction = request.body.direction;
        if (direction !== 'up' && direction !== 'down') return pages.editPage(request, reply, guide, { error: 'Choose up or down.' }, 400);
        const result = await moveSection(db, guide.id, section.id, direction, ctx.clock);
        if (result.kind !== 'ok') return pages.notFound(request, reply);
        return pages.redirectDone(reply, editorGuidePath(guide), 'moved');
      },
    );

    app.post(
      '/editor/guides/:id/sections/:sid/delete',
      {
        schema: { params: SectionIdParams, body: ButtonBody },
        config: authoring(
          guidePage(),
          pages.expiredSection((request, reply, { guide, section }) =>
            pages.sectionPage(request, reply, guide, section, { error: EXPIRED }, 403),
          ),
        ),
      },
      async (request, reply) => {
        const found = await pages.findSection(request.params);
        if (!found) return pages.notFound(request, reply);
        const { guide, section } = found;
        const result = await removeSection(db, guide.id, section.id, ctx.clock);
        if (result.kind === 'invalid') return pages.sectionPage(request, reply, guide, section, { error: result.issues[0]?.message }, 400);
        if (result.kind !== 'ok') return pages.notFound(request, reply);
        return pages.redirectDone(reply, editorGuidePath(guide), 'section-removed');
      },
    );
  };
}
