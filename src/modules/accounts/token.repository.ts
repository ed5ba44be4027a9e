import type { Kysely } from 'kysely';
import type { Database, TokenPurpose } from '../../db/database.ts';

type Db = Kysely<Database>;

export async function insertToken(
  db: Db,
  t: {
    userId: number;
    purpose: TokenPurpose;
    tokenHash: string;
    codeHash: string | null;
    payload: string | null;
    now: string;
    expiresAt: string;
  },
): Promise<void> {
  await db
    .insertInto('one_time_tokens')
    .values({
      user_id: t.userId,
      purpose: t.purpose,
      token_hash: t.tokenHash,
      code_hash: t.codeHash,
      payload: t.payload,
      created_at: t.now,
      expires_at: t.expiresAt,
      used_at: null,
    })
    .execute();
}

/** Spends every unused token of this kind for the user (a new link or code replaces the old ones). */
export async function retireTokens(db: Db, userId: number, purpose: TokenPurpose, now: string): Promise<void> {
  await db
    .updateTable('one_time_tokens')
    .set({ used_at: now })
    .where('user_id', '=', userId)
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .execute();
}

/**
 * Spends a live token in one statement, so two requests racing with the same link cannot both succeed.
 * Returns its user and payload, or undefined when it is unknown, spent or expired.
 */
export async function spendToken(
  db: Db,
  tokenHash: string,
  purpose: TokenPurpose,
  now: string,
): Promise<{ userId: number; payload: string | null } | undefined> {
  const row = await db
    .updateTable('one_time_tokens')
    .set({ used_at: now })
    .where('token_hash', '=', tokenHash)
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .returning(['user_id', 'payload'])
    .executeTakeFirst();
  return row ? { userId: row.user_id, payload: row.payload } : undefined;
}

/** Whether a link is live, without spending it (for the confirmation page a GET shows). */
export async function isTokenLive(db: Db, tokenHash: string, purpose: TokenPurpose, now: string): Promise<boolean> {
  return (await findLiveToken(db, tokenHash, purpose, now)) !== undefined;
}

/** The newest live sign-in code of a user. */
export async function findLiveCode(
  db: Db,
  userId: number,
  now: string,
): Promise<{ id: number; codeHash: string; attempts: number } | undefined> {
  const row = await db
    .selectFrom('one_time_tokens')
    .select(['id', 'code_hash', 'attempts'])
    .where('user_id', '=', userId)
    .where('purpose', '=', 'sign_in')
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .orderBy('id', 'desc')
    .executeTakeFirst();
  return row?.code_hash ? { id: row.id, codeHash: row.code_hash, attempts: row.attempts } : undefined;
}

export async function countCodeAttempt(db: Db, id: number): Promise<void> {
  await db
    .updateTable('one_time_tokens')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('id', '=', id)
    .execute();
}

export async function spendTokenById(db: Db, id: number, now: string): Promise<boolean> {
  const r = await db
    .updateTable('one_time_tokens')
    .set({ used_at: now })
    .where('id', '=', id)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function findLiveToken(
  db: Db,
  tokenHash: string,
  purpose: TokenPurpose,
  now: string,
): Promise<{ userId: number } | undefined> {
  const row = await db
    .selectFrom('one_time_tokens')
    .select('user_id')
    .where('token_hash', '=', tokenHash)
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return row ? { userId: row.user_id } : undefined;
}
