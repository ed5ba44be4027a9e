import type { Policy } from '../../platform/guard.tsx';
import { mayAnswer, mayReview } from './lifecycle.ts';

// Who may reach the asking module's staff pages, for the guard. Whether this educator may work THIS question (their
// subjects, their claim) is the lifecycle's to decide in the use case: a question outside their work is a 404 there.

export const EDUCATORS: Policy = { name: 'educator', allows: (v) => mayAnswer(v), refusal: 'Only educators answer questions' };

export const REVIEWERS: Policy = { name: 'reviewer', allows: (v) => mayReview(v), refusal: 'Only editors review answers' };

export const MODERATORS: Policy = { name: 'moderator', allows: (v) => mayReview(v), refusal: 'Only editors and admins moderate' };
