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

/**
 * A rule above as a route's `config.allow` (the shape of platform/guard.tsx's Policy: a name for logs, the check,
 * the title of the refusal page). Restated here rather than imported: the guard reads the Viewer type from this
 * module, and a type import back would make a cycle.
 */
export interface RoutePolicy {
  name: string;
  allows(actor: Actor): boolean;
  refusal: string;
}

export const manageUsersPolicy: RoutePolicy = {
  name: 'manage-users',
  allows: canListUsers,
  refusal: 'Only editors and admins manage users',
};

/** The whole route is for admins; whose role may change (never one's own) is the service's check. */
export const changeRolesPolicy: RoutePolicy = { name: 'change-roles', allows: isAdmin, refusal: 'Only admins change roles' };

export const readOutboxPolicy: RoutePolicy = { name: 'read-outbox', allows: canReadOutbox, refusal: 'Only admins can read the outbox' };

export const applyToTeachPolicy: RoutePolicy = {
  name: 'apply-to-teach',
  allows: canApplyToTeach,
  refusal: 'Editors and admins do not need to apply',
};

export const reviewApplicationsPolicy: RoutePolicy = {
  name: 'review-applications',
  allows: canReviewApplications,
  refusal: 'Only editors review applications',
};

export const siteSettingsPolicy: RoutePolicy = {
  name: 'site-settings',
  allows: canChangeSiteSettings,
  refusal: 'Only admins change site settings',
};
