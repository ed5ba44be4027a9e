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
export { type Actor, canListUsers, isAdmin, isEditorOrAdmin, readOutboxPolicy, siteSettingsPolicy } from './policy.ts';
export { issueAdminSetupToken } from './setup.service.ts';
export {
  createUser,
  ensureEducatorByName,
  findUserByEmail,
  listEducatorSubjectSlugs,
} from './user.service.ts';
export { ACCOUNT_LIMITS, canAnswer, isRole, normaliseEmail, ROLES, type Role, type User } from './user.ts';
