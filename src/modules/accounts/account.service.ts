import type { Kysely } from 'kysely';
import type { Engine } from '../../db/connect.ts';
import type { Database } from '../../db/database.ts';
import type { FieldIssue } from '../../lib/errors.ts';
import { hashPassword } from '../../lib/password.ts';
import { type Clock, isoNow } from '../../lib/time.ts';
import { largestPath, listOwnImages, removeIfUnused } from '../images/index.ts';
import { checkCurrentPassword, type Viewer } from './auth.service.ts';
import { passwordProblem } from './password-policy.ts';
import { type Actor, canChangeRole, canListUsers, canSuspend } from './policy.ts';
import * as sessions from './session.repository.ts';
import * as users from './user.repository.ts';
import { ACCOUNT_LIMITS, isRole, type Role } from './user.ts';

type Db = Kysely<Database>;

// What a signed-in person does with their own account, and what editors and admins do to accounts.

export async function mySessions(db: Db, viewer: Viewer) {
  const rows = await sessions.listSessionsOfUser(db, viewer.userId);
  return rows.map((r) => ({ ...r, current: r.idHash === viewer.sessionHash }));
}

export function revokeMySession(db: Db, viewer: Viewer, idHash: string): Promise<void> {
  return sessions.deleteSessionOfUser(db, viewer.userId, idHash);
}

export function signOutEverywhereElse(db: Db, viewer: Viewer): Promise<void> {
  return sessions.deleteOtherSessions(db, viewer.userId, viewer.sessionHash);
}

export async function renameMe(db: Db, viewer: Viewer, rawName: string): Promise<FieldIssue[]> {
  const name = rawName.replace(/\s+/g, ' ').trim();
  if (name.length < 1 || name.length > ACCOUNT_LIMITS.name)
    return [{ field: 'name', message: `Enter your name (up to ${ACCOUNT_LIMITS.name} characters).` }];
  await users.setName(db, viewer.userId, name);
  return [];
}

/** Changes the password (the current one is asked) and ends every other session. */
export async function changeMyPassword(
  db: Db,
  viewer: Viewer,
  input: { current: string; next: string; ip: string },
  clock: Clock,
): Promise<{ kind: 'ok' } | { kind: 'invalid'; issues: FieldIssue[] } | { kind: 'locked'; retryAt: Date }> {
  const weak = passwordProblem(input.next, { email: viewer.email, name: viewer.name });
  const check = await checkCurrentPassword(db, viewer, input.current, input.ip, clock);
  if (check.kind === 'locked') return check;
  const issues: FieldIssue[] = [];
  if (check.kind === 'wrong') issues.push({ field: 'current', message: 'That is not your current password.' });
  if (weak) issues.push({ field: 'newPassword', message: weak });
  if (issues.length > 0) return { kind: 'invalid', issues };
  await users.setPasswordHash(db, viewer.userId, await hashPassword(input.next));
  await sessions.deleteOtherSessions(db, viewer.userId, viewer.sessionHash);
  return { kind: 'ok' };
}

/**
 * Everything the site keeps about the person, for them to download: their account, sessions (no secrets), questions,
 * answers, applications, and the images they uploaded (each with the address of its largest file).
 */
export async function exportMyData(db: Db, viewer: Viewer) {
  const [data, images] = await Promise.all([users.exportUserData(db, viewer.userId), listOwnImages({ db }, viewer.userId)]);
  return {
    ...data,
    images: images.map((i) => ({
      id: i.id,
      width: i.width,
      height: i.height,
      created_at: i.createdAt,
      path: largestPath(i),
    })),
  };
}

/** Deletes the account (password asked): personal data removed, questions kept under "Deleted user". */
export async function deleteMyAccount(
  db: Db,
  viewer: Viewer,
  input: { password: string; ip: string },
  clock: Clock,
): Promise<{ kind: 'ok' } | { kind: 'wrong' } | { kind: 'locked'; retryAt: Date }> {
  const check = await checkCurrentPassword(db, viewer, input.password, input.ip, clock);
  if (check.kind !== 'ok') return check;
  await db.transaction().execute(async (trx) => {
    const photo = await users.findPhotoImageId(trx, viewer.userId);
    await users.anonymiseUser(trx, viewer.userId, isoNow(clock));
    await sessions.deleteSessionsOfUser(trx, viewer.userId);
    // Their photo is no longer served, unless it is shown somewhere else too (placed in an answer, say).
    if (photo !== null) await removeIfUnused({ db: trx, clock }, [photo]);
  });
  return { kind: 'ok' };
}

// Administration.

export type AdminResult = { kind: 'ok' } | { kind: 'forbidden' } | { kind: 'not_found' } | { kind: 'invalid'; message: string };

export function listUsers(db: Db, engine: Engine, actor: Actor | null, opts: { text: string; beforeId: number | null; limit: number }) {
  if (!canListUsers(actor)) return null;
  return users.searchUsers(db, { ...opts, engine });
}

/** Changes a role and ends the person's sessions: they sign in again and get a new session id. */
export async function changeRole(db: Db, actor: Actor | null, targetId: number, role: string): Promise<AdminResult> {
  const target = await users.findUserState(db, targetId);
  if (!target || target.deletedAt) return { kind: 'not_found' };
  if (!canChangeRole(actor, target)) return { kind: 'forbidden' };
  if (!isRole(role)) return { kind: 'invalid', message: 'Pick one of the roles.' };
  if (role === target.role) return { kind: 'ok' };
  await db.transaction().execute(async (trx) => {
    await users.setRole(trx, targetId, role as Role);
    await sessions.deleteSessionsOfUser(trx, targetId);
  });
  return { kind: 'ok' };
}

export async function setSuspension(db: Db, actor: Actor | null, targetId: number, suspend: boolean, clock: Clock): Promise<AdminResult> {
  const target = await users.findUserState(db, targetId);
  if (!target || target.deletedAt) return { kind: 'not_found' };
  if (!canSuspend(actor, target)) return { kind: 'forbidden' };
  await db.transaction().execute(async (trx) => {
    await users.setSuspended(trx, targetId, suspend ? isoNow(clock) : null);
    if (suspend) await sessions.deleteSessionsOfUser(trx, targetId);
  });
  return { kind: 'ok' };
}
