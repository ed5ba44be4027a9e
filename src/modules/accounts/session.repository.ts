import type { Kysely } from 'kysely';
import { compileOnce } from '../../db/compiled.ts';
import type { Database, Role } from '../../db/database.ts';

type Db = Kysely<Database>;

export interface SessionRow {
  idHash: string;
  userId: number;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  user: { id: number; email: string; name: string; role: Role; twoFactor: boolean };
}

export async function insertSession(
  db: Db,
  s: { idHash: string; userId: number; now: string; expiresAt: string; ip: string; userAgent: string },
): Promise<void> {
  await db
    .insertInto('sessions')
    .values({
      id_hash: s.idHash,
      user_id: s.userId,
      created_at: s.now,
      last_seen_at: s.now,
      expires_at: s.expiresAt,
      ip: s.ip,
      user_agent: s.userAgent,
    })
    .execute();
}

// Every signed-in request starts here: compiled once.
const sessionQuery = compileOnce((db: Db, idHash: string) =>
  db
    .selectFrom('sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .select([
      's.id_hash',
      's.user_id',
      's.created_at',
      's.last_seen_at',
      's.expires_at',
      'u.email',
      'u.name',
      'u.role',
      'u.totp_enabled_at',
    ])
    .where('s.id_hash', '=', idHash)
    // A suspended or deleted account has no live sessions, whatever the table still holds.
    .where('u.suspended_at', 'is', null)
    .where('u.deleted_at', 'is', null),
);

export async function findSession(db: Db, idHash: string): Promise<SessionRow | undefined> {
  const [row] = await sessionQuery(db, idHash);
  if (!row) return undefined;
  return {
    idHash: row.id_hash,
    userId: row.user_id,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    expiresAt: row.expires_at,
    user: { id: row.user_id, email: row.email, name: row.name, role: row.role, twoFactor: row.totp_enabled_at !== null },
  };
}

export async function touchSession(db: Db, idHash: string, lastSeenAt: string): Promise<void> {
  await db.updateTable('sessions').set({ last_seen_at: lastSeenAt }).where('id_hash', '=', idHash).execute();
}

export async function deleteSession(db: Db, idHash: string): Promise<void> {
  await db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
}

export async function findPasswordHash(
  db: Db,
  email: string,
): Promise<{ id: number; passwordHash: string | null; suspended: boolean } | undefined> {
  const row = await db.selectFrom('users').select(['id', 'password_hash', 'suspended_at']).where('email', '=', email).executeTakeFirst();
  return row ? { id: row.id, passwordHash: row.password_hash, suspended: row.suspended_at !== null } : undefined;
}

export async function findPasswordHashById(db: Db, id: number): Promise<string | null> {
  return (await db.selectFrom('users').select('password_hash').where('id', '=', id).executeTakeFirst())?.password_hash ?? null;
}

export interface SessionListRow {
  idHash: string;
  createdAt: string;
  lastSeenAt: string;
  ip: string;
  userAgent: string;
}

export async function listSessionsOfUser(db: Db, userId: number): Promise<SessionListRow[]> {
  return db
    .selectFrom('sessions')
    .select(['id_hash as idHash', 'created_at as createdAt', 'last_seen_at as lastSeenAt', 'ip', 'user_agent as userAgent'])
    .where('user_id', '=', userId)
    .orderBy('last_seen_at', 'desc')
    .execute();
}

/** Ends one session, only if it is this user's. */
export async function deleteSessionOfUser(db: Db, userId: number, idHash: string): Promise<void> {
  await db.deleteFrom('sessions').where('user_id', '=', userId).where('id_hash', '=', idHash).execute();
}

export async function deleteOtherSessions(db: Db, userId: number, keepHash: string): Promise<void> {
  await db.deleteFrom('sessions').where('user_id', '=', userId).where('id_hash', '!=', keepHash).execute();
}

export async function deleteSessionsOfUser(db: Db, userId: number): Promise<void> {
  await db.deleteFrom('sessions').where('user_id', '=', userId).execute();
}

/** Sessions past their absolute end or unused for longer than the idle timeout. */
export async function deleteDeadSessions(db: Db, now: string, idleBefore: string): Promise<void> {
  await db
    .deleteFrom('sessions')
    .where((eb) => eb.or([eb('expires_at', '<=', now), eb('last_seen_at', '<', idleBefore)]))
    .execute();
}
