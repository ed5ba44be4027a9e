import type { Kysely } from 'kysely';
import type { Database, Role } from '../../db/database.ts';
import type { User } from './user.ts';

type Db = Kysely<Database>;

const columns = ['id', 'email', 'name', 'role', 'bio', 'created_at as createdAt'] as const;

export async function findUserByEmail(db: Db, email: string): Promise<User | undefined> {
  return db.selectFrom('users').select(columns).where('email', '=', email).executeTakeFirst();
}

export async function findUserById(db: Db, id: number): Promise<User | undefined> {
  return db.selectFrom('users').select(columns).where('id', '=', id).executeTakeFirst();
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

export async function listUsersByRole(db: Db, role: Role): Promise<User[]> {
  return db.selectFrom('users').select(columns).where('role', '=', role).orderBy('id').execute();
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
): Promise<{ id: number; name: string; emailVerifiedAt: string | null } | undefined> {
  const row = await db.selectFrom('users').select(['id', 'name', 'email_verified_at']).where('email', '=', email).executeTakeFirst();
  return row ? { id: row.id, name: row.name, emailVerifiedAt: row.email_verified_at } : undefined;
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
