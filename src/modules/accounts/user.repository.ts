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
  user: { email: string; name: string; role: Role; passwordHash: string | null; bio?: string | null; createdAt: string },
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
