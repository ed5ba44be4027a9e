export { createUser, ensureEducatorByName, findUserByEmail, findUserById, listEducatorSubjectSlugs, MIN_PASSWORD_LENGTH } from './user.service.ts';
export { ROLES, isRole, canAnswer, normaliseEmail, type User, type Role } from './user.ts';
