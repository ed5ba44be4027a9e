import type { Kysely } from 'kysely';
import type { Database, Role } from '../../db/database.ts';

type Db = Kysely<Database>;

export async function findTotp(
  db: Db,
  userId: number,
): Promise<{ secret: string | null; enabledAt: string | null; lastStep: number | null } | undefined> {
  const row = await db
    .selectFrom('users')
    .select(['totp_secret', 'totp_enabled_at', 'totp_last_step'])
    .where('id', '=', userId)
    .executeTakeFirst();
  return row ? { secret: row.totp_secret, enabledAt: row.totp_enabled_at, lastStep: row.totp_last_step } : undefined;
}

export async function setPendingSecret(db: Db, userId: number, secret: string): Promise<void> {
  await db
    .updateTable('users')
    .set({ totp_secret: secret, totp_enabled_at: null, totp_last_step: null })
    .where('id', '=', userId)
    .execute();
}

export async function enableTotp(db: Db, userId: number, at: string, step: number): Promise<void> {
  await db.updateTable('users').set({ totp_enabled_at: at, totp_last_step: step }).where('id', '=', userId).execute();
}

export async function disableTotp(db: Db, userId: number): Promise<void> {
  await db.updateTable('users').set({ totp_secret: null, totp_enabled_at: null, totp_last_step: null }).where('id', '=', userId).execute();
  await db.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
}

/** Records the step of an accepted code, only if it is later than the last one (one statement: no replay race). */
export async function advanceStep(db: Db, userId: number, step: number): Promise<boolean> {
  const r = await db
    .updateTable('users')
    .set({ totp_last_step: step })
    .where('id', '=', userId)
    .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function replaceRecoveryCodes(db: Db, userId: number, hashes: readonly string[]): Promise<void> {
  await db.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
  await db
    .insertInto('recovery_codes')
    .values(hashes.map((code_hash) => ({ user_id: userId, code_hash, used_at: null })))
    .execute();
}

export async function spendRecoveryCode(db: Db, userId: number, hash: string, at: string): Promise<boolean> {
  const r = await db
    .updateTable('recovery_codes')
    .set({ used_at: at })
    .where('user_id', '=', userId)
    .where('code_hash', '=', hash)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function countUnusedRecoveryCodes(db: Db, userId: number): Promise<number> {
  const rows = await db.selectFrom('recovery_codes').select('id').where('user_id', '=', userId).where('used_at', 'is', null).execute();
  return rows.length;
}

export async function findRoleAndEmail(db: Db, userId: number): Promise<{ role: Role; email: string } | undefined> {
  return db.selectFrom('users').select(['role', 'email']).where('id', '=', userId).executeTakeFirst();
}
