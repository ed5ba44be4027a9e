import type { QuestionStatus } from '../../db/database.ts';
import type { Role } from '../accounts/index.ts';

// The life of an asked question, as pure rules: which action moves it from which states to which, and who may
// take it. The repository applies a move with a conditional UPDATE on the expected states, so two people acting
// at once cannot both succeed; these rules decide whether to try.

export type Action =
  | 'claim'
  | 'release'
  | 'save_draft'
  | 'submit'
  | 'approve'
  | 'return'
  | 'close_duplicate'
  | 'reject'
  | 'hide'
  | 'restore';

const OPEN: QuestionStatus[] = ['queued', 'claimed', 'drafted', 'in_review'];

export const TRANSITIONS: Record<Action, { from: readonly QuestionStatus[]; to: QuestionStatus }> = {
  claim: { from: ['queued'], to: 'claimed' },
  release: { from: ['claimed', 'drafted'], to: 'queued' },
  save_draft: { from: ['claimed', 'drafted'], to: 'drafted' },
  submit: { from: ['claimed', 'drafted'], to: 'in_review' },
  approve: { from: ['in_review'], to: 'published' },
  return: { from: ['in_review'], to: 'drafted' },
  close_duplicate: { from: OPEN, to: 'closed' },
  reject: { from: OPEN, to: 'rejected' },
  hide: { from: ['published'], to: 'hidden' },
  restore: { from: ['hidden'], to: 'published' },
};

/** The status an action leads to from `from`, or null when the lifecycle does not allow it. */
export function nextStatus(from: QuestionStatus, action: Action): QuestionStatus | null {
  const t = TRANSITIONS[action];
  return t.from.includes(from) ? t.to : null;
}

export interface WorkState {
  status: QuestionStatus;
  claimedBy: number | null;
  claimExpiresAt: string | null;
}

/** A claim counts until it lapses; a lapsed one frees the question for anyone (its draft stays with it). */
export function claimHeldBy(q: WorkState, nowMs: number): number | null {
  if (q.claimedBy === null || q.claimExpiresAt === null) return null;
  if (q.status !== 'claimed' && q.status !== 'drafted') return null;
  return Date.parse(q.claimExpiresAt) > nowMs ? q.claimedBy : null;
}

/** Queued, or held by a claim that lapsed: someone may claim it. */
export function isClaimable(q: WorkState, nowMs: number): boolean {
  return q.status === 'queued' || ((q.status === 'claimed' || q.status === 'drafted') && claimHeldBy(q, nowMs) === null);
}

export interface Actor {
  userId: number;
  role: Role;
  /** Subjects this person is a verified educator for. */
  subjectIds: readonly number[];
  member: boolean;
}

const staff = (a: Actor | null) => a?.role === 'editor' || a?.role === 'admin';

/** The moves that are an educator's work on a question; the others are review and moderation. */
export const ANSWERING: ReadonlySet<Action> = new Set<Action>(['claim', 'release', 'save_draft', 'submit']);

/**
 * Whether a question is in this person's answering work at all: they are verified for its subject (editors and
 * admins too, who reach every subject only to review it, on /editor). Outside it, the question is to them as if it
 * did not exist: the educator's pages answer 404 with nothing of it, never a 403 or 409 that would show its title or
 * tell its state.
 */
export function worksOn(actor: Actor | null, q: { subjectId: number }): boolean {
  return actor !== null && actor.role !== 'student' && actor.subjectIds.includes(q.subjectId);
}

/**
 * Who may take an action on a question of `subjectId`. Educators (and editors or admins verified for the
 * subject) answer; editors and admins review, close, reject and moderate.
 */
export function mayAct(actor: Actor | null, action: Action, q: WorkState & { subjectId: number }, nowMs: number): boolean {
  if (!actor) return false;
  const answerer = worksOn(actor, q);
  switch (action) {
    case 'claim':
      return answerer && isClaimable(q, nowMs);
    case 'release':
    case 'save_draft':
    case 'submit':
      return answerer && claimHeldBy(q, nowMs) === actor.userId;
    case 'approve':
    case 'return':
    case 'close_duplicate':
    case 'reject':
    case 'hide':
    case 'restore':
      return staff(actor);
  }
}

/** Members ask; so do editors and admins (who run the site). */
export function mayAsk(actor: { role: Role; member: boolean } | null): boolean {
  return actor !== null && (actor.member || actor.role === 'editor' || actor.role === 'admin');
}

export function mayReview(actor: { role: Role } | null): boolean {
  return actor?.role === 'editor' || actor?.role === 'admin';
}

export function mayAnswer(actor: { role: Role } | null): boolean {
  return actor !== null && actor.role !== 'student';
}

/**
 * Limits of the notes editors and readers write about a question (the question's and answer's own limits are the
 * questions module's QUESTION_LIMITS and ANSWER_LIMITS). Forms, their checks and the pages' maxLength read these.
 */
export const NOTE_LIMITS = {
  /** A review comment, a rejection's reason and a report's reason say at least this much. */
  min: 5,
  reviewComment: 2_000,
  rejectReason: 500,
  /** The address or number of the question another one duplicates. */
  duplicate: 300,
  reportReason: 1_000,
} as const;

/** The first instant of the calendar month (UTC) that `now` is in: allowances count from there. */
export function monthStart(now: Date): string {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString();
}
