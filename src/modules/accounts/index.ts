export {
  endSession,
  resolveSession,
  type SessionPolicy,
  type SignInResult,
  signInWithPassword,
  startSession,
  type Viewer,
} from './auth.service.ts';
export { pruneAccountData } from './maintenance.service.ts';
export { type Actor, canListUsers, canReadOutbox, isAdmin, isEditorOrAdmin } from './policy.ts';
export { issueAdminSetupToken } from './setup.service.ts';
export {
  createUser,
  ensureEducatorByName,
  findUserByEmail,
  listEducatorSubjectSlugs,
} from './user.service.ts';
export { canAnswer, isRole, normaliseEmail, ROLES, type Role, type User } from './user.ts';
