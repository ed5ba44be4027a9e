import type { FieldIssue } from '../../lib/errors.ts';
import { parseQuestionId } from '../questions/index.ts';
import * as repo from './asking.repository.ts';
import {
  type AnswerInput,
  type AskingDeps,
  approve,
  checkAnswerWithImages,
  closeAsDuplicate,
  reject,
  returnToEducator,
  type WorkResult,
} from './asking.service.ts';
import { type Actor, NOTE_LIMITS } from './lifecycle.ts';

// The editor's four decisions on a question in review, each from what its form sent: what the editor must fix in
// the form (the page shows it beside the field, nothing moved), or the lifecycle move's result.

export type ReviewResult = WorkResult | { issues: FieldIssue[] };

const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

/** Publishes the answer as the editor leaves it; only a changed text is saved again (a revision is kept). */
export async function approveAsReviewed(deps: AskingDeps, actor: Actor, id: number, input: AnswerInput): Promise<ReviewResult> {
  const checked = await checkAnswerWithImages(deps, actor, input);
  if ('issues' in checked) return checked;
  const draft = await repo.findAnswerDraft(deps.db, id);
  const changed =
    !draft ||
    draft.body !== checked.answer.body ||
    draft.quickAnswer !== checked.answer.quickAnswer ||
    draft.sources !== JSON.stringify(checked.answer.sources);
  return approve(deps, actor, id, changed ? checked.answer : null);
}

export async function returnWithComment(deps: AskingDeps, actor: Actor, id: number, comment: string): Promise<ReviewResult> {
  const note = oneLine(comment);
  if (note.length < NOTE_LIMITS.min)
    return { issues: [{ field: 'comment', message: `Tell the educator what to change (at least ${NOTE_LIMITS.min} characters).` }] };
  return returnToEducator(deps, actor, id, note);
}

/** `duplicate` is what the editor typed: the other question's address or its number. */
export async function closeAsDuplicateOf(deps: AskingDeps, actor: Actor, id: number, duplicate: string): Promise<ReviewResult> {
  const originalId = parseQuestionId(/(?:\/q\/)?(\d{1,12})/.exec(duplicate)?.[1] ?? '');
  const original = originalId === null || originalId === id ? undefined : await repo.findWorkQuestion(deps.db, originalId);
  if (original?.status !== 'published')
    return { issues: [{ field: 'duplicate', message: 'Give the address or number of another answered question.' }] };
  return closeAsDuplicate(deps, actor, id, { id: original.id, slug: original.slug });
}

/** The reason goes to the student as a sentence of the notice. */
export async function rejectWithReason(deps: AskingDeps, actor: Actor, id: number, reason: string): Promise<ReviewResult> {
  const why = oneLine(reason);
  if (why.length < NOTE_LIMITS.min)
    return { issues: [{ field: 'reason', message: `Give the student a reason (at least ${NOTE_LIMITS.min} characters).` }] };
  return reject(deps, actor, id, /[.!?]$/.test(why) ? why : `${why}.`);
}
