import type { Policy } from '../../platform/guard.tsx';
import { type Actor, isEditorOrAdmin } from '../accounts/index.ts';

// Who may do what to study guides. Every authoring route asks this on the server before acting.

/** Editors and admins write, edit, reorder, publish and restore guides; drafts are visible to them alone. */
export function canAuthorGuides(actor: Actor | null): boolean {
  return isEditorOrAdmin(actor);
}

/** Every /editor/guides route: the guard refuses anyone else before the route reads the form. */
export const authorsGuides: Policy = {
  name: 'author-guides',
  allows: canAuthorGuides,
  refusal: 'Only editors and admins write study guides',
};
