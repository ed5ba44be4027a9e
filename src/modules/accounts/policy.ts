import type { Role } from './user.ts';

// Who may do what to accounts. Pure functions of the actor (and target); every route asks one of them on the
// server before acting. The role x route table in test/roles.test.ts holds them to it.

export interface Actor {
  userId: number;
  role: Role;
}

export interface Target {
  id: number;
  role: Role;
}

const rank: Record<Role, number> = { student: 0, educator: 1, editor: 2, admin: 3 };

export function isAdmin(actor: Actor | null): boolean {
  return actor?.role === 'admin';
}

export function isEditorOrAdmin(actor: Actor | null): boolean {
  return actor !== null && rank[actor.role] >= rank.editor;
}

/** The user list (find users, see their state). */
export function canListUsers(actor: Actor | null): boolean {
  return isEditorOrAdmin(actor);
}

/** Only admins change roles, never their own (so a site cannot lose its last admin by accident). */
export function canChangeRole(actor: Actor | null, target: Target): boolean {
  return isAdmin(actor) && actor?.userId !== target.id;
}

/** Editors and admins suspend; nobody suspends themselves, and only an admin may suspend an editor or admin. */
export function canSuspend(actor: Actor | null, target: Target): boolean {
  if (!actor || actor.userId === target.id || !isEditorOrAdmin(actor)) return false;
  return rank[target.role] < rank.editor || isAdmin(actor);
}

export function canReadOutbox(actor: Actor | null): boolean {
  return isAdmin(actor);
}

/** Editors decide educator applications (per subject); admins too. */
export function canReviewApplications(actor: Actor | null): boolean {
  return isEditorOrAdmin(actor);
}

/** Students apply to become educators; educators may apply for more subjects. */
export function canApplyToTeach(actor: Actor | null): boolean {
  return actor !== null && (actor.role === 'student' || actor.role === 'educator');
}

/** Site settings such as which roles must use two-factor sign-in. */
export function canChangeSiteSettings(actor: Actor | null): boolean {
  return isAdmin(actor);
}
