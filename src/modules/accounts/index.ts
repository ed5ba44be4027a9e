export {
  endSession,
  resolveSession,
  type SessionPolicy,
  type SignInResult,
  signInWithPassword,
  startSession,
  type Viewer,
} from './auth.service.ts';
export { type Actor, canListUsers, canReadOutbox, isAdmin, isEditorOrAdmin } from './policy.ts';
export { issueAdminSetupToken } from './setup.service.ts';
export {
  createUser,
  ensureEducatorByName,
  findUserByEmail,
  findUserById,
  listEducatorSubjectSlugs,
  MIN_PASSWORD_LENGTH,
} from './user.service.ts';
export { canAnswer, isRole, normaliseEmail, ROLES, type Role, type User } from './user.ts';
