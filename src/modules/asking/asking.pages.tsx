import type { FastifyReply, FastifyRequest } from 'fastify';
import { Value } from 'typebox/value';
import { type PictureLookup, renderMarkdown } from '../../lib/markdown.ts';
import { countMarkdownWords, draftQuickAnswer, readability } from '../../lib/summarize.ts';
import type { RouteContext } from '../../platform/context.ts';
import { errorPage } from '../../platform/errors.tsx';
import { setFlash } from '../../platform/flash.ts';
import { type FormBody, formField } from '../../platform/form-body.ts';
import { sendHtml } from '../../platform/html.ts';
import { field, id } from '../../platform/schemas.ts';
import type { Viewer } from '../accounts/index.ts';
import { ANSWER_LIMITS } from '../questions/index.ts';
import type { AnswerInput, AskingDeps, WorkResult } from './asking.service.ts';
import type { Analysis, AnswerForm } from './views/asking-pages.tsx';

// What the asking module's route plugins share: the use cases' dependencies, the words for a refused move, the
// answer form (the educator's editor and the editor's review post the same fields) and the plain 404.

export function askingDeps(ctx: RouteContext): AskingDeps {
  return {
    db: ctx.database.db,
    clock: ctx.clock,
    mailer: ctx.mailer,
    site: { name: ctx.site.name, url: ctx.site.url },
    questionsPerMonth: ctx.config.questionsPerMonth,
    answerTargetHours: ctx.config.answerTargetHours,
  };
}

/** What storing and finding a question's photos needs (the images module builds it from the RouteContext). */
export { imageDeps } from '../images/index.ts';

export const WORK_MESSAGES: Record<Exclude<WorkResult, 'done'>, [string, number]> = {
  not_found: ['That question is not in the queue any more.', 404],
  not_allowed: ['You may not do that with this question.', 403],
  conflict: ['Someone else got there first, or the question moved on: nothing was changed.', 409],
};

/**
 * A text field the service checks for length itself: the schema lets through twice the limit, so that a text a
 * little too long comes back in its form with the service's own message beside the field, not as the generic 422
 * page; only what no form of ours sends is refused before the handler.
 */
export const checkedText = (limit: number) => field(2 * limit);

/** The answer fields, as the editor and the review form post them. */
export const answerFields = {
  body: checkedText(ANSWER_LIMITS.body),
  quickAnswer: checkedText(ANSWER_LIMITS.quickAnswer),
  sources: field(ANSWER_LIMITS.sourcesText),
  intent: field(10),
};

/** What was typed in the answer fields (NULs dropped: none may reach the database). */
export const answerForm = (body: FormBody | undefined): AnswerForm & AnswerInput => ({
  body: formField(body, 'body', 2 * ANSWER_LIMITS.body),
  quickAnswer: formField(body, 'quickAnswer', 2 * ANSWER_LIMITS.quickAnswer),
  sources: formField(body, 'sources', ANSWER_LIMITS.sourcesText),
});

/** The answer form filled from the saved draft. */
export function draftForm(draft: { body: string; quickAnswer: string; sources: string } | undefined): AnswerForm {
  return { body: draft?.body ?? '', quickAnswer: draft?.quickAnswer ?? '', sources: draft ? sourcesText(draft.sources) : '' };
}

function sourcesText(json: string): string {
  try {
    const list = JSON.parse(json) as Array<{ title: string; url?: string }>;
    return list.map((s) => (s.url ? `${s.title} | ${s.url}` : s.title)).join('\n');
  } catch {
    return '';
  }
}

/** Words, readability, the preview and the drafted quick answer shown under the editor. */
export function analyse(body: string, pictures?: PictureLookup): Analysis | null {
  if (body.trim() === '') return null;
  const r = readability(body);
  return {
    words: countMarkdownWords(body),
    grade: r.fleschKincaidGrade,
    label: r.label,
    previewHtml: renderMarkdown(body, pictures ? { pictures } : {}),
    draftedQuickAnswer: draftQuickAnswer(body),
  };
}

/** The page a missing question gets, also for one the viewer may not know of. */
export const notFound = (ctx: RouteContext, reply: FastifyReply, viewer: Viewer | null) =>
  sendHtml(reply, errorPage(ctx.site, 404, undefined, viewer), 404);

/**
 * The `:id` of the address, read by the schema's own rule. An expired form is answered before the schemas run
 * (platform/guard.tsx), so its handler sees the id as it was typed.
 */
export function rawId(request: FastifyRequest): number | null {
  const n = Number((request.params as { id?: string }).id);
  return Value.Check(id(), n) ? n : null;
}

/** Post/redirect/get: a move that succeeded answers 303 to the page that shows its result, with the message once. */
export function doneTo(ctx: RouteContext, reply: FastifyReply, path: string, message: string) {
  setFlash(reply, message, ctx.session.https);
  return reply.redirect(path, 303);
}
