import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { renderMarkdown } from '../../lib/markdown.ts';
import type { RouteContext } from '../../platform/context.ts';
import { errorPage } from '../../platform/errors.tsx';
import { type FormBody, formField } from '../../platform/form-body.ts';
import { sendHtml } from '../../platform/html.ts';
import { csrfToken, csrfValid, requireAllowed } from '../../platform/session.ts';
import type { Viewer } from '../accounts/index.ts';
import { listSubjects } from '../subjects/index.ts';
import { canAuthorGuides } from './guide.policy.ts';
import {
  addSection,
  createGuide,
  editVersion,
  findSection,
  getGuideById,
  listAllGuides,
  listGuideRevisions,
  moveSection,
  type Outcome,
  removeSection,
  restoreRevision,
  setGuideStatus,
  updateGuideDetails,
  updateSection,
} from './guide.service.ts';
import {
  editorGuidePath,
  GUIDE_TITLE_MAX,
  type GuideSection,
  type GuideWithTopics,
  OVERVIEW_MAX,
  SECTION_BODY_MAX,
  SECTION_TITLE_MAX,
  TOPICS_FIELD_MAX,
} from './guide.ts';
import {
  EditGuideView,
  EditorGuidesListView,
  EditSectionView,
  type FormState,
  type GuideForm,
  HistoryView,
  NewGuideView,
  type SectionForm,
} from './views/editor-pages.tsx';

const EXPIRED = 'This form had expired, so nothing was saved. Please send it again.';
const CONFLICT =
  'Someone else saved this while you were editing, so nothing was saved. Your text is below; theirs is the current version (see History). Save again to replace it with yours.';

/** Messages shown after a redirect, by code (never text from the address). */
const DONE: Record<string, string> = {
  created: 'Guide created as a draft. Add its sections, then publish it.',
  details: 'Details saved.',
  'section-added': 'Section added.',
  'section-saved': 'Section saved.',
  'section-removed': 'Section removed.',
  moved: 'Order saved.',
  published: 'Published: readers can see the guide now.',
  draft: 'Unpublished: the guide is a draft again, seen only by editors and admins.',
  restored: 'Restored. The restore is itself a revision, so it can be undone the same way.',
};

const ID = /^[1-9]\d{0,9}$/;
const parseId = (raw: string): number | null => (ID.test(raw) ? Number(raw) : null);

// Fields are cut a little past their limit so an overlong text is reported with its length rather than cut silently.
function guideForm(body: FormBody | undefined): GuideForm {
  return {
    title: formField(body, 'title', GUIDE_TITLE_MAX + 200),
    subjectSlug: formField(body, 'subject', 100),
    overview: formField(body, 'overview', OVERVIEW_MAX + 1000),
    topics: formField(body, 'topics', TOPICS_FIELD_MAX + 200),
  };
}

function sectionForm(body: FormBody | undefined): SectionForm {
  return {
    title: formField(body, 'title', SECTION_TITLE_MAX + 200),
    body: formField(body, 'body', SECTION_BODY_MAX + 1000),
    membersOnly: formField(body, 'membersOnly', 5) === '1',
  };
}

function basedOn(body: FormBody | undefined): number | null {
  const v = formField(body, 'basedOn', 12);
  return /^\d{1,10}$/.test(v) ? Number(v) : null;
}

/** The guide's topics as the Topics field shows them. */
const topicsText = (guide: GuideWithTopics) => guide.topics.map((t) => t.name).join(', ');

const wantsPreview = (body: FormBody | undefined) => formField(body, 'action', 10) === 'preview';

/** /editor/guides: editors and admins write, edit, order, publish and restore study guides. */
export function guideEditorRoutes(ctx: RouteContext): FastifyPluginAsync {
  const db = ctx.database.db;
  const https = ctx.session.https;
  return async (app) => {
    /** The viewer when they may author guides; otherwise the sign-in redirect or a 403 page has been sent. */
    const author = (request: FastifyRequest, reply: FastifyReply, back: string): Viewer | null =>
      requireAllowed(ctx.site, request, reply, back, canAuthorGuides, 'Only editors and admins write study guides');

    const notFound = (request: FastifyRequest, reply: FastifyReply) =>
      sendHtml(reply, errorPage(ctx.site, 404, { title: 'No such study guide or section' }, request.viewer), 404);

    const subjects = async () => (await listSubjects(db)).map((s) => ({ slug: s.slug, name: s.name }));

    const doneMessage = (request: FastifyRequest) => DONE[(request.query as { done?: string } | undefined)?.done ?? ''];

    const editPage = async (
      request: FastifyRequest,
      reply: FastifyReply,
      viewer: Viewer,
      guide: GuideWithTopics,
      opts: { details?: FormState<GuideForm>; newSection?: FormState<SectionForm>; message?: string; error?: string } = {},
      status = 200,
    ) =>
      sendHtml(
        reply,
        <EditGuideView
          site={ctx.site}
          viewer={viewer}
          csrfToken={csrfToken(request, reply, https)}
          guide={guide}
          subjects={await subjects()}
          details={
            opts.details ?? {
              form: { title: guide.title, subjectSlug: guide.subject.slug, overview: guide.overview, topics: topicsText(guide) },
              basedOn: await editVersion(db, guide.id, null),
            }
          }
          newSection={opts.newSection ?? { form: { title: '', body: '', membersOnly: false } }}
          message={opts.message}
          error={opts.error}
        />,
        status,
      );

    const sectionPage = async (
      request: FastifyRequest,
      reply: FastifyReply,
      viewer: Viewer,
      guide: GuideWithTopics,
      section: GuideSection,
      opts: { state?: FormState<SectionForm>; message?: string; error?: string } = {},
      status = 200,
    ) =>
      sendHtml(
        reply,
        <EditSectionView
          site={ctx.site}
          viewer={viewer}
          csrfToken={csrfToken(request, reply, https)}
          guide={guide}
          section={section}
          state={
            opts.state ?? {
              form: { title: section.title, body: section.body, membersOnly: section.membersOnly },
              basedOn: await editVersion(db, guide.id, section.id),
            }
          }
          message={opts.message}
          error={opts.error}
        />,
        status,
      );

    const historyPage = async (
      request: FastifyRequest,
      reply: FastifyReply,
      viewer: Viewer,
      guide: GuideWithTopics,
      opts: { message?: string; error?: string } = {},
      status = 200,
    ) =>
      sendHtml(
        reply,
        <HistoryView
          site={ctx.site}
          viewer={viewer}
          csrfToken={csrfToken(request, reply, https)}
          guide={guide}
          revisions={await listGuideRevisions(db, guide.id)}
          subjectNames={new Map((await listSubjects(db)).map((s) => [s.id, s.name]))}
          message={opts.message}
          error={opts.error}
        />,
        status,
      );

    /** Loads the guide of a /editor/guides/:id request for an author, or sends what is due and returns null. */
    const load = async (
      request: FastifyRequest<{ Params: { id: string } }>,
      reply: FastifyReply,
      back: (id: string) => string,
    ): Promise<{ viewer: Viewer; guide: GuideWithTopics } | null> => {
      const viewer = author(request, reply, back(request.params.id));
      if (!viewer) return null;
      const id = parseId(request.params.id);
      const guide = id === null ? undefined : await getGuideById(db, id);
      if (!guide) {
        await notFound(request, reply);
        return null;
      }
      return { viewer, guide };
    };

    const guideBack = (id: string) => `/editor/guides/${ID.test(id) ? id : ''}`;

    const redirectDone = (reply: FastifyReply, path: string, done: keyof typeof DONE, anchor = '') =>
      reply.redirect(`${path}?done=${done}${anchor}`, 303);

    app.get('/editor/guides', async (request, reply) => {
      const viewer = author(request, reply, '/editor/guides');
      if (!viewer) return reply;
      return sendHtml(
        reply,
        <EditorGuidesListView site={ctx.site} viewer={viewer} guides={await listAllGuides(db)} message={doneMessage(request)} />,
      );
    });

    const newPage = async (
      request: FastifyRequest,
      reply: FastifyReply,
      viewer: Viewer,
      state: FormState<GuideForm>,
      error?: string,
      status = 200,
    ) =>
      sendHtml(
        reply,
        <NewGuideView
          site={ctx.site}
          viewer={viewer}
          csrfToken={csrfToken(request, reply, https)}
          subjects={await subjects()}
          state={state}
          error={error}
        />,
        status,
      );

    app.get('/editor/guides/new', async (request, reply) => {
      const viewer = author(request, reply, '/editor/guides/new');
      if (!viewer) return reply;
      return newPage(request, reply, viewer, { form: { title: '', subjectSlug: '', overview: '', topics: '' } });
    });

    app.post<{ Body: FormBody }>('/editor/guides', async (request, reply) => {
      const viewer = author(request, reply, '/editor/guides/new');
      if (!viewer) return reply;
      const form = guideForm(request.body);
      if (!csrfValid(request, https)) return newPage(request, reply, viewer, { form }, EXPIRED, 403);
      if (wantsPreview(request.body)) return newPage(request, reply, viewer, { form, previewHtml: renderMarkdown(form.overview) });
      const result = await createGuide(db, viewer.userId, form, ctx.clock);
      if (result.kind === 'invalid') return newPage(request, reply, viewer, { form, issues: result.issues }, undefined, 400);
      if (result.kind !== 'ok') return notFound(request, reply);
      return redirectDone(reply, editorGuidePath({ id: result.value }), 'created');
    });

    app.get<{ Params: { id: string } }>('/editor/guides/:id', async (request, reply) => {
      const loaded = await load(request, reply, guideBack);
      if (!loaded) return reply;
      return editPage(request, reply, loaded.viewer, loaded.guide, { message: doneMessage(request) });
    });

    /** The page again after a refused or previewed details form, with what was typed. */
    const detailsAgain = (outcome: Outcome | 'expired' | 'preview', form: GuideForm, based: number | null) => {
      const state: FormState<GuideForm> = { form, ...(based === null ? {} : { basedOn: based }) };
      if (outcome === 'preview') return { state: { ...state, previewHtml: renderMarkdown(form.overview) }, status: 200 };
      if (outcome === 'expired') return { state, status: 403, error: EXPIRED };
      if (outcome.kind === 'invalid') return { state: { ...state, issues: outcome.issues }, status: 400 };
      return { state, status: 409, error: CONFLICT };
    };

    app.post<{ Params: { id: string }; Body: FormBody }>('/editor/guides/:id', async (request, reply) => {
      const loaded = await load(request, reply, guideBack);
      if (!loaded) return reply;
      const { viewer, guide } = loaded;
      const form = guideForm(request.body);
      const based = basedOn(request.body);
      const outcome = !csrfValid(request, https)
        ? 'expired'
        : wantsPreview(request.body)
          ? 'preview'
          : await updateGuideDetails(db, viewer.userId, guide.id, form, based, ctx.clock);
      if (outcome !== 'expired' && outcome !== 'preview' && outcome.kind === 'ok')
        return redirectDone(reply, editorGuidePath(guide), 'details');
      if (outcome !== 'expired' && outcome !== 'preview' && outcome.kind === 'not_found') return notFound(request, reply);
      const again = detailsAgain(outcome, form, based);
      // After a conflict the form is based on the version now current, so saving again is a deliberate overwrite.
      if (again.status === 409) again.state.basedOn = await editVersion(db, guide.id, null);
      return editPage(request, reply, viewer, guide, { details: again.state, error: again.error }, again.status);
    });

    app.post<{ Params: { id: string }; Body: FormBody }>('/editor/guides/:id/status', async (request, reply) => {
      const loaded = await load(request, reply, guideBack);
      if (!loaded) return reply;
      const { viewer, guide } = loaded;
      if (!csrfValid(request, https)) return editPage(request, reply, viewer, guide, { error: EXPIRED }, 403);
      const status = formField(request.body, 'status', 12);
      if (status !== 'published' && status !== 'draft')
        return editPage(request, reply, viewer, guide, { error: 'Choose publish or unpublish.' }, 400);
      const result = await setGuideStatus(db, guide.id, status, ctx.clock);
      if (result.kind === 'invalid') return editPage(request, reply, viewer, guide, { error: result.issues[0]?.message }, 400);
      return redirectDone(reply, editorGuidePath(guide), status);
    });

    app.post<{ Params: { id: string }; Body: FormBody }>('/editor/guides/:id/sections', async (request, reply) => {
      const loaded = await load(request, reply, guideBack);
      if (!loaded) return reply;
      const { viewer, guide } = loaded;
      const form = sectionForm(request.body);
      if (!csrfValid(request, https)) return editPage(request, reply, viewer, guide, { newSection: { form }, error: EXPIRED }, 403);
      if (wantsPreview(request.body)) {
        return editPage(request, reply, viewer, guide, { newSection: { form, previewHtml: renderMarkdown(form.body) } });
      }
      const result = await addSection(db, viewer.userId, guide.id, form, ctx.clock);
      if (result.kind === 'invalid') return editPage(request, reply, viewer, guide, { newSection: { form, issues: result.issues } }, 400);
      if (result.kind !== 'ok') return notFound(request, reply);
      return redirectDone(reply, editorGuidePath(guide), 'section-added');
    });

    /** Loads guide and section of a /sections/:sid request for an author. */
    const loadSection = async (
      request: FastifyRequest<{ Params: { id: string; sid: string } }>,
      reply: FastifyReply,
    ): Promise<{ viewer: Viewer; guide: GuideWithTopics; section: GuideSection } | null> => {
      const loaded = await load(request, reply, guideBack);
      if (!loaded) return null;
      const sid = parseId(request.params.sid);
      const section = sid === null ? undefined : await findSection(db, loaded.guide.id, sid);
      if (!section) {
        await notFound(request, reply);
        return null;
      }
      return { ...loaded, section };
    };

    app.get<{ Params: { id: string; sid: string } }>('/editor/guides/:id/sections/:sid', async (request, reply) => {
      const loaded = await loadSection(request, reply);
      if (!loaded) return reply;
      return sectionPage(request, reply, loaded.viewer, loaded.guide, loaded.section, { message: doneMessage(request) });
    });

    app.post<{ Params: { id: string; sid: string }; Body: FormBody }>('/editor/guides/:id/sections/:sid', async (request, reply) => {
      const loaded = await loadSection(request, reply);
      if (!loaded) return reply;
      const { viewer, guide, section } = loaded;
      const form = sectionForm(request.body);
      const based = basedOn(request.body);
      const state: FormState<SectionForm> = { form, ...(based === null ? {} : { basedOn: based }) };
      if (!csrfValid(request, https)) return sectionPage(request, reply, viewer, guide, section, { state, error: EXPIRED }, 403);
      if (wantsPreview(request.body)) {
        return sectionPage(request, reply, viewer, guide, section, { state: { ...state, previewHtml: renderMarkdown(form.body) } });
      }
      const result = await updateSection(db, viewer.userId, guide.id, section.id, form, based, ctx.clock);
      if (result.kind === 'ok') return redirectDone(reply, `${editorGuidePath(guide)}/sections/${section.id}`, 'section-saved');
      if (result.kind === 'invalid')
        return sectionPage(request, reply, viewer, guide, section, { state: { ...state, issues: result.issues } }, 400);
      if (result.kind === 'conflict') {
        const current = await editVersion(db, guide.id, section.id);
        return sectionPage(request, reply, viewer, guide, section, { state: { ...state, basedOn: current }, error: CONFLICT }, 409);
      }
      return notFound(request, reply);
    });

    app.post<{ Params: { id: string; sid: string }; Body: FormBody }>('/editor/guides/:id/sections/:sid/move', async (request, reply) => {
      const loaded = await loadSection(request, reply);
      if (!loaded) return reply;
      const { viewer, guide, section } = loaded;
      if (!csrfValid(request, https)) return editPage(request, reply, viewer, guide, { error: EXPIRED }, 403);
      const direction = formField(request.body, 'direction', 5);
      if (direction !== 'up' && direction !== 'down') return editPage(request, reply, viewer, guide, { error: 'Choose up or down.' }, 400);
      const result = await moveSection(db, guide.id, section.id, direction, ctx.clock);
      if (result.kind !== 'ok') return notFound(request, reply);
      return redirectDone(reply, editorGuidePath(guide), 'moved');
    });

    app.post<{ Params: { id: string; sid: string }; Body: FormBody }>('/editor/guides/:id/sections/:sid/delete', async (request, reply) => {
      const loaded = await loadSection(request, reply);
      if (!loaded) return reply;
      const { viewer, guide, section } = loaded;
      if (!csrfValid(request, https)) return sectionPage(request, reply, viewer, guide, section, { error: EXPIRED }, 403);
      const result = await removeSection(db, guide.id, section.id, ctx.clock);
      if (result.kind === 'invalid') return sectionPage(request, reply, viewer, guide, section, { error: result.issues[0]?.message }, 400);
      if (result.kind !== 'ok') return notFound(request, reply);
      return redirectDone(reply, editorGuidePath(guide), 'section-removed');
    });

    app.get<{ Params: { id: string } }>('/editor/guides/:id/history', async (request, reply) => {
      const loaded = await load(request, reply, (id) => `${guideBack(id)}/history`);
      if (!loaded) return reply;
      return historyPage(request, reply, loaded.viewer, loaded.guide, { message: doneMessage(request) });
    });

    app.post<{ Params: { id: string; rid: string }; Body: FormBody }>(
      '/editor/guides/:id/revisions/:rid/restore',
      async (request, reply) => {
        const loaded = await load(request, reply, (id) => `${guideBack(id)}/history`);
        if (!loaded) return reply;
        const { viewer, guide } = loaded;
        if (!csrfValid(request, https)) return historyPage(request, reply, viewer, guide, { error: EXPIRED }, 403);
        const rid = parseId(request.params.rid);
        const result = rid === null ? ({ kind: 'not_found' } as const) : await restoreRevision(db, viewer.userId, guide.id, rid, ctx.clock);
        if (result.kind === 'invalid')
          return historyPage(request, reply, viewer, guide, { error: result.issues.map((i) => i.message).join(' ') }, 400);
        if (result.kind !== 'ok') return notFound(request, reply);
        return redirectDone(reply, `${editorGuidePath(guide)}/history`, 'restored');
      },
    );
  };
}
