import type { FastifyContextConfig, FastifyReply, FastifyRequest } from 'fastify';
import type { RouteContext } from '../../platform/context.ts';
import { errorPage } from '../../platform/errors.tsx';
import { signedIn } from '../../platform/guard.tsx';
import { sendHtml } from '../../platform/html.ts';
import { csrfToken } from '../../platform/session.ts';
import { listSubjects } from '../subjects/index.ts';
import { type Done, topicsText } from './editor.forms.ts';
import { authorsGuides } from './guide.policy.ts';
import { editVersion, findSection, getGuideById, listGuideRevisions } from './guide.service.ts';
import type { GuideSection, GuideWithTopics } from './guide.ts';
import {
  EditGuideView,
  EditSectionView,
  type FormState,
  type GuideForm,
  HistoryView,
  NewGuideView,
  type SectionForm,
} from './views/editor-pages.tsx';

/** An /editor/guides address once its schema has read it; `sid` only where the address names a section. */
type EditorParams = { id: number; sid?: number };

/** The guide an /editor/guides/:id address names, and the section of a /sections/:sid one. */
export interface Found {
  guide: GuideWithTopics;
  section?: GuideSection;
}

/**
 * Who may use an authoring route (editors and admins), where a signed-out person comes back to after signing in
 * (`back`), and the route's own answer to an expired form.
 */
export function authoring(back: string | ((request: FastifyRequest) => string), onExpiredForm?: FastifyContextConfig['onExpiredForm']) {
  return { allow: authorsGuides, signInNext: back, ...(onExpiredForm ? { onExpiredForm } : {}) };
}

/**
 * The guide's editor page as the place to sign in and come back to. It runs before the schemas, so it asks the
 * route's own params schema whether the address names a guide at all (the list's address when not).
 */
export const guidePage =
  (suffix = '') =>
  (request: FastifyRequest): string =>
    `/editor/guides/${request.validateInput(request.params, 'params') ? (request.params as { id: number }).id : ''}${suffix}`;

/** The authoring pages, each with its forms as given and a fresh CSRF token. */
export function editorPages(ctx: RouteContext) {
  const db = ctx.database.db;
  const https = ctx.session.https;
  const subjects = async () => (await listSubjects(db)).map((s) => ({ slug: s.slug, name: s.name }));
  const token = (request: FastifyRequest, reply: FastifyReply) => csrfToken(request, reply, https);

  const notFound = (request: FastifyRequest, reply: FastifyReply) =>
    sendHtml(reply, errorPage(ctx.site, 404, { title: 'No such study guide or section' }, request.viewer), 404);

  /** The guide of an address, with its section when the address names one; null when either is missing. */
  const find = async (params: { id: number; sid?: number }): Promise<Found | null> => {
    const guide = await getGuideById(db, params.id);
    if (!guide) return null;
    if (params.sid === undefined) return { guide };
    const section = await findSection(db, guide.id, params.sid);
    return section ? { guide, section } : null;
  };

  const findWithSection = async (params: EditorParams) => {
    const found = await find(params);
    return found?.section ? { guide: found.guide, section: found.section } : null;
  };

  /**
   * For config.onExpiredForm: the page again with what was typed and a message (403). The guard answers before the
   * schemas run, so the address is checked here against the route's own params schema.
   */
  const expiredWith =
    <F,>(load: (params: EditorParams) => Promise<F | null>) =>
    (answer: (request: FastifyRequest, reply: FastifyReply, found: F) => Promise<FastifyReply>) =>
    async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
      const found = request.validateInput(request.params, 'params') ? await load(request.params as EditorParams) : null;
      return found ? answer(request, reply, found) : notFound(request, reply);
    };

  return {
    notFound,
    find,
    findSection: findWithSection,
    /** An expired form on a guide's page. */
    expired: expiredWith(find),
    /** An expired form on a section's page. */
    expiredSection: expiredWith(findWithSection),

    /** Post/redirect/get: the page shows the message of `done` once. */
    redirectDone: (reply: FastifyReply, path: string, done: Done) => reply.redirect(`${path}?done=${done}`, 303),

    newPage: async (request: FastifyRequest, reply: FastifyReply, state: FormState<GuideForm>, error?: string, status = 200) =>
      sendHtml(
        reply,
        <NewGuideView
          site={ctx.site}
          viewer={signedIn(request)}
          csrfToken={token(request, reply)}
          subjects={await subjects()}
          state={state}
          error={error}
        />,
        status,
      ),

    editPage: async (
      request: FastifyRequest,
      reply: FastifyReply,
      guide: GuideWithTopics,
      opts: { details?: FormState<GuideForm>; newSection?: FormState<SectionForm>; message?: string; error?: string } = {},
      status = 200,
    ) =>
      sendHtml(
        reply,
        <EditGuideView
          site={ctx.site}
          viewer={signedIn(request)}
          csrfToken={token(request, reply)}
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
      ),

    sectionPage: async (
      request: FastifyRequest,
      reply: FastifyReply,
      guide: GuideWithTopics,
      section: GuideSection,
      opts: { state?: FormState<SectionForm>; message?: string; error?: string } = {},
      status = 200,
    ) =>
      sendHtml(
        reply,
        <EditSectionView
          site={ctx.site}
          viewer={signedIn(request)}
          csrfToken={token(request, reply)}
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
      ),

    historyPage: async (
      request: FastifyRequest,
      reply: FastifyReply,
      guide: GuideWithTopics,
      opts: { message?: string; error?: string } = {},
      status = 200,
    ) =>
      sendHtml(
        reply,
        <HistoryView
          site={ctx.site}
          viewer={signedIn(request)}
          csrfToken={token(request, reply)}
          guide={guide}
          revisions={await listGuideRevisions(db, guide.id)}
          subjectNames={new Map((await listSubjects(db)).map((s) => [s.id, s.name]))}
          message={opts.message}
          error={opts.error}
        />,
        status,
      ),
  };
}

export type EditorPages = ReturnType<typeof editorPages>;
