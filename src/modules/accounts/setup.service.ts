import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';
import { type FieldIssue, InputError } from '../../lib/errors.ts';
import { newSecretToken, sha256Hex } from '../../lib/secret-token.ts';
import type { Clock } from '../../lib/time.ts';
import { LINK_TTL_MS } from './flows.service.ts';
import { findSetting, saveSetting } from './settings.repository.ts';
import { hasAdmin } from './user.repository.ts';
import { createUser } from './user.service.ts';

type Db = Kysely<Database>;

// A site with no admin prints, at start, a one-time link that makes the first admin in the browser.

const KEY = 'admin_setup_link';

/** A fresh setup link token when the site has no admin (replacing any earlier one), else null. */
export async function issueAdminSetupToken(db: Db, clock: Clock): Promise<string | null> {
  if (await hasAdmin(db)) return null;
  const token = newSecretToken();
  await saveSetting(
    db,
    KEY,
    JSON.stringify({ hash: sha256Hex(token), expiresAt: new Date(clock.now().getTime() + LINK_TTL_MS).toISOString() }),
  );
  return token;
}

/** Whether the link still works: right token, not expired, and still no admin. */
export async function isSetupTokenLive(db: Db, token: string, clock: Clock): Promise<boolean> {
  const raw = await findSetting(db, KEY);
  if (!raw || (await hasAdmin(db))) return false;
  try {
    const { hash, expiresAt } = JSON.parse(raw) as { hash: string; expiresAt: string };
    return hash === sha256Hex(token) && Date.parse(expiresAt) > clock.now().getTime();
  } catch {
    return false;
  }
}

/** Creates the first admin from the setup link and spends it. */
export async function completeAdminSetup(
  db: Db,
  token: string,
  input: { name: string; email: string; password: string },
  clock: Clock,
): Promise<{ kind: 'ok'; userId: number } | { kind: 'expired' } | { kind: 'invalid'; issues: FieldIssue[] }> {
  if (!(await isSetupTokenLive(db, token, clock))) return { kind: 'expired' };
  try {
    const user = await createUser(db, { ...input, role: 'admin' }, clock);
    await saveSetting(db, KEY, JSON.stringify({ hash: '', expiresAt: new Date(0).toISOString() }));
    return { kind: 'ok', userId: user.id };
  } catch (err) {
    if (err instanceof InputError) return { kind: 'invalid', issues: [...err.issues] };
    throw err;
  }
}
