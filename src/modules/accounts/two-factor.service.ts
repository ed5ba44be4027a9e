import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { Secret, TOTP } from 'otpauth';
import QRCode from 'qrcode';
import type { Database } from '../../db/database.ts';
import { verifyPassword } from '../../lib/password.ts';
import { newSecretToken, sha256Hex } from '../../lib/secret-token.ts';
import type { Clock } from '../../lib/time.ts';
import { passThrough, type SteadyReads } from '../../platform/caches.ts';
import { underLockout, type Viewer } from './auth.service.ts';
import { throttleKeys } from './auth.ts';
import * as sessions from './session.repository.ts';
import * as settings from './settings.repository.ts';
import * as tokens from './token.repository.ts';
import * as repo from './two-factor.repository.ts';
import { isRole, type Role } from './user.ts';

type Db = Kysely<Database>;

// Two-factor sign-in with time-based codes (RFC 6238: SHA-1, 6 digits, 30 s, what authenticator apps expect)
// and single-use recovery codes.

const STEP_SECONDS = 30;
export const RECOVERY_CODES = 10;
/** How long the second step of a sign-in may take. */
export const SECOND_FACTOR_TTL_MS = 5 * 60_000;
const REQUIRED_ROLES_KEY = 'two_factor_required_roles';
/** Admins must use two-factor sign-in unless the site says otherwise (accounts issue). */
export const DEFAULT_REQUIRED_ROLES: readonly Role[] = ['admin'];

const normaliseRecovery = (code: string) => code.toLowerCase().replace(/[^a-z0-9]/g, '');

function totp(secret: string, label: string, issuer: string): TOTP {
  return new TOTP({ issuer, label, algorithm: 'SHA1', digits: 6, period: STEP_SECONDS, secret: Secret.fromBase32(secret) });
}

export async function requiredRoles(db: Db): Promise<Role[]> {
  const raw = await settings.findSetting(db, REQUIRED_ROLES_KEY);
  if (raw === undefined) return [...DEFAULT_REQUIRED_ROLES];
  try {
    const parsed: unknown = JSON.parse(raw);
    return Array.isArray(parsed) ? parsed.filter((r): r is Role => typeof r === 'string' && isRole(r)) : [...DEFAULT_REQUIRED_ROLES];
  } catch {
    return [...DEFAULT_REQUIRED_ROLES];
  }
}

export function setRequiredRoles(db: Db, roles: readonly Role[]): Promise<void> {
  return settings.saveSetting(db, REQUIRED_ROLES_KEY, JSON.stringify([...new Set(roles)]));
}

/** True when the site requires two-factor sign-in for this role and the person has not turned it on yet. */
export async function mustEnrol(db: Db, viewer: { role: Role; twoFactor: boolean }, reads: SteadyReads = passThrough): Promise<boolean> {
  return !viewer.twoFactor && (await reads.read('two-factor-roles', () => requiredRoles(db))).includes(viewer.role);
}

export interface Enrolment {
  secret: string;
  uri: string;
  qrDataUri: string;
}

/**
 * A secret to scan, unless one is already waiting: pressing the button again (or going back to it) keeps the
 * secret the app may have scanned. It becomes active only once a code from it is entered (confirmEnrolment).
 */
export async function startEnrolment(db: Db, viewer: Viewer): Promise<void> {
  const current = await repo.findTotp(db, viewer.userId);
  if (current?.enabledAt || current?.secret) return;
  await repo.setPendingSecret(db, viewer.userId, new Secret({ size: 20 }).base32);
}

/** The enrolment in progress (to show the same secret again after a wrong code). */
export async function pendingEnrolment(db: Db, viewer: Viewer, issuer: string): Promise<Enrolment | null> {
  const current = await repo.findTotp(db, viewer.userId);
  if (!current?.secret || current.enabledAt) return null;
  const uri = totp(current.secret, viewer.email, issuer).toString();
  return { secret: current.secret, uri, qrDataUri: await QRCode.toDataURL(uri, { margin: 1, width: 220 }) };
}

function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODES }, () => {
    const raw = randomBytes(8).toString('hex').slice(0, 10);
    return `${raw.slice(0, 5)}-${raw.slice(5)}`;
  });
}

/** Checks a code against the secret at `now`; returns its time step, or null. */
function acceptedStep(secret: string, code: string, now: Date): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const delta = totp(secret, 'x', 'x').validate({ token: code, timestamp: now.getTime(), window: 1 });
  return delta === null ? null : Math.floor(now.getTime() / 1000 / STEP_SECONDS) + delta;
}

/** Turns two-factor sign-in on with a first code; returns the recovery codes, shown once. */
export async function confirmEnrolment(db: Db, viewer: Viewer, code: string, clock: Clock): Promise<string[] | null> {
  const current = await repo.findTotp(db, viewer.userId);
  if (!current?.secret || current.enabledAt) return null;
  const now = clock.now();
  const step = acceptedStep(current.secret, code.replace(/\s+/g, ''), now);
  if (step === null) return null;
  const codes = newRecoveryCodes();
  await db.transaction().execute(async (trx) => {
    await repo.enableTotp(trx, viewer.userId, now.toISOString(), step);
    await repo.replaceRecoveryCodes(
      trx,
      viewer.userId,
      codes.map((c) => sha256Hex(normaliseRecovery(c))),
    );
  });
  return codes;
}

/** A code from the app (once per 30-second step) or an unused recovery code. */
async function checkSecondFactor(db: Db, userId: number, code: string, now: Date): Promise<boolean> {
  const current = await repo.findTotp(db, userId);
  if (!current?.secret || !current.enabledAt) return false;
  const compact = code.replace(/\s+/g, '');
  const step = acceptedStep(current.secret, compact, now);
  if (step !== null) return repo.advanceStep(db, userId, step);
  const recovery = normaliseRecovery(compact);
  return recovery.length === 10 && repo.spendRecoveryCode(db, userId, sha256Hex(recovery), now.toISOString());
}

export async function isEnabled(db: Db, userId: number): Promise<boolean> {
  return Boolean((await repo.findTotp(db, userId))?.enabledAt);
}

export function unusedRecoveryCodes(db: Db, userId: number): Promise<number> {
  return repo.countUnusedRecoveryCodes(db, userId);
}

/** Turns it off: the password and a current code (or recovery code) are both asked. */
export async function disableTwoFactor(
  db: Db,
  viewer: Viewer,
  input: { password: string; code: string; ip: string },
  clock: Clock,
): Promise<'ok' | 'wrong' | Date> {
  const now = clock.now();
  const check = await underLockout(db, throttleKeys(viewer.email, input.ip), now, async () => {
    const hash = await sessions.findPasswordHashById(db, viewer.userId);
    return hash !== null && (await verifyPassword(hash, input.password)) && (await checkSecondFactor(db, viewer.userId, input.code, now));
  });
  if (check.kind === 'locked') return check.retryAt;
  if (check.kind === 'wrong') return 'wrong';
  await repo.disableTotp(db, viewer.userId);
  return 'ok';
}

export async function regenerateRecoveryCodes(db: Db, viewer: Viewer, code: string, clock: Clock): Promise<string[] | null> {
  if (!(await checkSecondFactor(db, viewer.userId, code, clock.now()))) return null;
  const codes = newRecoveryCodes();
  await repo.replaceRecoveryCodes(
    db,
    viewer.userId,
    codes.map((c) => sha256Hex(normaliseRecovery(c))),
  );
  return codes;
}

/** After the first factor: a short-lived token for the browser to carry to the second step. */
export async function beginSecondFactor(db: Db, userId: number, clock: Clock): Promise<string> {
  const now = clock.now();
  const token = newSecretToken();
  await tokens.retireTokens(db, userId, 'second_factor', now.toISOString());
  await tokens.insertToken(db, {
    userId,
    purpose: 'second_factor',
    tokenHash: sha256Hex(token),
    codeHash: null,
    payload: null,
    now: now.toISOString(),
    expiresAt: new Date(now.getTime() + SECOND_FACTOR_TTL_MS).toISOString(),
  });
  return token;
}

export type SecondFactorResult =
  | { kind: 'ok'; userId: number }
  | { kind: 'invalid' }
  | { kind: 'expired' }
  | { kind: 'locked'; retryAt: Date };

/** The second step of a sign-in; wrong codes count towards the same lockout as wrong passwords. */
export async function finishSecondFactor(db: Db, token: string, code: string, ip: string, clock: Clock): Promise<SecondFactorResult> {
  const now = clock.now();
  const pending = await tokens.findLiveToken(db, sha256Hex(token), 'second_factor', now.toISOString());
  if (!pending) return { kind: 'expired' };
  const who = await repo.findRoleAndEmail(db, pending.userId);
  if (!who) return { kind: 'expired' };
  const check = await underLockout(db, throttleKeys(who.email, ip), now, () => checkSecondFactor(db, pending.userId, code, now));
  if (check.kind === 'locked') return check;
  if (check.kind === 'wrong') return { kind: 'invalid' };
  const spent = await tokens.spendToken(db, sha256Hex(token), 'second_factor', now.toISOString());
  return spent ? { kind: 'ok', userId: spent.userId } : { kind: 'expired' };
}
