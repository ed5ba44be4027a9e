import { type Kysely, sql } from 'kysely';
import type { Database, Role } from '../../db/database.ts';
import { containsInsensitive } from '../../db/dialect.ts';
import type { User } from './user.ts';

type Db = Kysely<Database>;

const columns = ['id', 'email', 'name', 'role', 'bio', 'created_at as createdAt'] as const;

export async function findUserByEmail(db: Db, email: string): Promise<User | undefined> {
  return db.selectFrom('users').select(columns).where('email', '=', email).executeTakeFirst();
}

/** The first account with this display name among those who may answer. */
export async function findAnswererByName(db: Db, name: string): Promise<User | undefined> {
  return db
    .selectFrom('users')
    .select(columns)
    .where('name', '=', name)
    .where('role', 'in', ['educator', 'editor', 'admin'])
    .orderBy('id')
    .executeTakeFirst();
}

export async function insertUser(
  db: Db,
  user: {
    email: string;
    name: string;
    role: Role;
    passwordHash: string | null;
    bio?: string | null;
    createdAt: string;
    emailVerified?: boolean;
  },
): Promise<User> {
  const { id } = await db
    .insertInto('users')
    .values({
      email: user.email,
      name: user.name,
      role: user.role,
      password_hash: user.passwordHash,
      bio: user.bio ?? null,
      created_at: user.createdAt,
      email_verified_at: user.emailVerified ? user.createdAt : null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id, email: user.email, name: user.name, role: user.role, bio: user.bio ?? null, createdAt: user.createdAt };
}

export async function addEducatorSubjects(db: Db, userId: number, subjectIds: readonly number[], verifiedAt: string): Promise<void> {
  if (subjectIds.length === 0) return;
  await db
    .insertInto('educator_subjects')
    .values(subjectIds.map((subject_id) => ({ user_id: userId, subject_id, verified_at: verifiedAt })))
    .onConflict((oc) => oc.columns(['user_id', 'subject_id']).doNothing())
    .execute();
}

export async function listEducatorSubjectSlugs(db: Db, userId: number): Promise<string[]> {
  const rows = await db
    .selectFrom('educator_subjects as es')
    .innerJoin('subjects as s', 's.id', 'es.subject_id')
    .select('s.slug')
    .where('es.user_id', '=', userId)
    .orderBy('s.slug')
    .execute();
  return rows.map((r) => r.slug);
}

export async function findAccountByEmail(
  db: Db,
  email: string,
): Promise<{ id: number; name: string; emailVerifiedAt: string | null; suspended: boolean } | undefined> {
  const row = await db
    .selectFrom('users')
    .select(['id', 'name', 'email_verified_at', 'suspended_at'])
    .where('email', '=', email)
    .executeTakeFirst();
  return row ? { id: row.id, name: row.name, emailVerifiedAt: row.email_verified_at, suspended: row.suspended_at !== null } : undefined;
}

/** A sign-up's account before its address is confirmed: no password yet (see flows.service.ts). */
export async function insertUnverifiedStudent(db: Db, u: { email: string; name: string; createdAt: string }): Promise<number> {
  const { id } = await db
    .insertInto('users')
    .values({
      email: u.email,
      name: u.name,
      role: 'student',
      password_hash: null,
      bio: null,
      created_at: u.createdAt,
      email_verified_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

export async function markEmailVerified(db: Db, userId: number, at: string, set: { passwordHash?: string; name?: string }): Promise<void> {
  await db
    .updateTable('users')
    .set({
      email_verified_at: at,
      ...(set.passwordHash ? { password_hash: set.passwordHash } : {}),
      ...(set.name ? { name: set.name } : {}),
    })
    .where('id', '=', userId)
    .execute();
}

export async function setPasswordHash(db: Db, userId: number, passwordHash: string): Promise<void> {
  await db.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', userId).execute();
}

export async function findEmailById(db: Db, userId: number): Promise<string | undefined> {
  return (await db.selectFrom('users').select('email').where('id', '=', userId).executeTakeFirst())?.email;
}

export interface UserListRow {
  id: number;
  email: string;
  name: string;
  role: Role;
  createdAt: string;
  suspendedAt: string | null;
  emailVerifiedAt: string | null;
}

/** Users matching a name or email fragment, newest first, after the given id (keyset). Deleted accounts are left out. */
export async function searchUsers(
  db: Db,
  opts: { text: string; beforeId: number | null; limit: number; engine: 'sqlite' | 'postgres' },
): Promise<UserListRow[]> {
  let q = db
    .selectFrom('users')
    .select([
      'id',
      'email',
      'name',
      'role',
      'created_at as createdAt',
      'suspended_at as suspendedAt',
      'email_verified_at as emailVerifiedAt',
    ])
    .where('deleted_at', 'is', null);
  if (opts.text !== '') {
    q = q.where((eb) =>
      eb.or([containsInsensitive(opts.engine, sql.ref('name'), opts.text), containsInsensitive(opts.engine, sql.ref('email'), opts.text)]),
    );
  }
  if (opts.beforeId !== null) q = q.where('id', '<', opts.beforeId);
  return q.orderBy('id', 'desc').limit(opts.limit).execute();
}

export async function findUserState(
  db: Db,
  id: number,
): Promise<{ id: number; role: Role; name: string; email: string; suspendedAt: string | null; deletedAt: string | null } | undefined> {
  const row = await db
    .selectFrom('users')
    .select(['id', 'role', 'name', 'email', 'suspended_at', 'deleted_at'])
    .where('id', '=', id)
    .executeTakeFirst();
  return row
    ? { id: row.id, role: row.role, name: row.name, email: row.email, suspendedAt: row.suspended_at, deletedAt: row.deleted_at }
    : undefined;
}

export async function setRole(db: Db, id: number, role: Role): Promise<void> {
  await db.updateTable('users').set({ role }).where('id', '=', id).execute();
}

export async function setSuspended(db: Db, id: number, at: string | null): Promise<void> {
  await db.updateTable('users').set({ suspended_at: at }).where('id', '=', id).execute();
}

export async function setName(db: Db, id: number, name: string): Promise<void> {
  await db.updateTable('users').set({ name }).where('id', '=', id).execute();
}

/** The image shown as the person's profile photo, or null. */
export async function findPhotoImageId(db: Db, id: number): Promise<number | null> {
  const row = await db.selectFrom('users').select('photo_image_id').where('id', '=', id).executeTakeFirst();
  return row?.photo_image_id ?? null;
}

/** Removes what identifies a person; the row stays so their questions keep an (anonymous) asker. */
export async function anonymiseUser(db: Db, id: number, at: string): Promise<void> {
  await db
    .updateTable('users')
    .set({
      email: `deleted-${id}@deleted.scholia.invalid`,
      name: 'Deleted user',
      password_hash: null,
      bio: null,
      // Their face is theirs too: the profile photo goes with the bio (deleteMyAccount then removes the image, unless
      // it is shown elsewhere).
      photo_image_id: null,
      email_verified_at: null,
      totp_secret: null,
      totp_enabled_at: null,
      deleted_at: at,
      role: 'student',
    })
    .where('id', '=', id)
    .execute();
  await db.deleteFrom('educator_subjects').where('user_id', '=', id).execute();
  await db.deleteFrom('one_time_tokens').where('user_id', '=', id).execute();
  await db.deleteFrom('recovery_codes').where('user_id', '=', id).execute();
}

/** Everything Scholia holds about a person, for "download my data". */
export async function exportUserData(db: Db, id: number) {
  const user = await db
    .selectFrom('users')
    .select(['id', 'email', 'name', 'role', 'bio', 'photo_image_id', 'created_at', 'email_verified_at', 'totp_enabled_at', 'suspended_at'])
    .where('id', '=', id)
    .executeTakeFirst();
  const sessions = await db
    .selectFrom('sessions')
    .select(['created_at', 'last_seen_at', 'expires_at', 'ip', 'user_agent'])
    .where('user_id', '=', id)
    .execute();
  const questions = await db
    .selectFrom('questions')
    .select(['id', 'title', 'details', 'status', 'created_at'])
    .where('asker_id', '=', id)
    .execute();
  const answers = await db
    .selectFrom('answers')
    .select(['question_id', 'quick_answer', 'body', 'created_at'])
    .where('educator_id', '=', id)
    .execute();
  const subjects = await listEducatorSubjectSlugs(db, id);
  const applications = await db
    .selectFrom('educator_applications')
    .select(['subject_id', 'qualifications', 'statement', 'status', 'created_at'])
    .where('user_id', '=', id)
    .execute();
  return { user, educatorSubjects: subjects, sessions, questions, answers, educatorApplications: applications };
}

export async function hasAdmin(db: Db): Promise<boolean> {
  const row = await db
    .selectFrom('users')
    .select('id')
    .where('role', '=', 'admin')
    .where('deleted_at', 'is', null)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

export async function setEmail(db: Db, id: number, email: string, verifiedAt: string): Promise<void> {
  await db.updateTable('users').set({ email, email_verified_at: verifiedAt }).where('id', '=', id).execute();
}
