import { type Actor, isEditorOrAdmin } from '../accounts/index.ts';

// Who may do what to study guides. Every authoring route asks this on the server before acting.

/** Editors and admins write, edit, reorder, publish and restore guides; drafts are visible to them alone. */
export function canAuthorGuides(actor: Actor | null): boolean {
  return isEditorOrAdmin(actor);
}
