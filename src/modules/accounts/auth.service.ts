import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';
import { storageFault } from '../../db/faults.ts';
import { hashPassword, verifyPassword } from '../../lib/password.ts';
import { asSecretToken, newSecretToken, sha256Hex } from '../../lib/secret-token.ts';
import type { Clock } from '../../lib/time.ts';
import { passThrough, type SteadyReads } from '../../platform/caches.ts';
import { isSessionAlive, LOCKOUT, lockDurationMs, TOUCH_EVERY_MS, throttleKeys } from './auth.ts';
import { limitsFor } from './limits.service.ts';
import * as sessions from './session.repository.ts';
import { normaliseEmail, type Role } from './user.ts';

type Db = Kysely<Database>;

/** Who is making a request: the signed-in person and their session. */
export interface Viewer {
  userId: number;
  email: string;
  name: string;
  role: Role;
  /** Whether the person has turned on two-factor sign-in. */
  twoFactor: boolean;
  /** Hash of the session id (never the id itself). */
  sessionHash: string;
  /** Set by the membership module on every page (GET): a member reads everything. */
  member?: boolean;
  /** Set by the membership module while a free trial runs (for the banner with its one-click cancel). */
  trial?: TrialBanner;
  /** Set by the notifications module on every page (GET): unread notifications, for the bell. */
  unread?: number;
  /** Set by platform/session.ts on every page (GET): a CSRF token for the header's Log out form. */
  csrfToken?: string;
}

export interface TrialBanner {
  endsAt: string;
  hoursLeft: number;
  canceled: boolean;
  csrfToken: string;
}

export interface SessionPolicy {
  idleMs: number;
  absoluteMs: number;
}

export type SignInResult = { kind: 'ok'; userId: number } | { kind: 'invalid' } | { kind: 'locked'; retryAt: Date } | { kind: 'suspended' };

// Verified against when the email has no account, so that answer takes as long as a wrong password.
let dummyHash: Promise<string> | undefined;

/**
 * Checks an email and password. Locks are checked before any hashing; unknown emails and wrong passwords get the
 * same answer after the same work; failures count against the account and the IP address alike.
 */
export async function signInWithPassword(
  db: Db,
  input: { email: string; password: string; ip: string },
  clock: Clock,
): Promise<SignInResult> {
  const now = clock.now();
  const email = normaliseEmail(input.email);
  const keys = throttleKeys(email, input.ip);
  const locked = await lockedUntil(db, keys, now);
  if (locked) return { kind: 'locked', retryAt: locked };

  const account = email === '' ? undefined : await sessions.findPasswordHash(db, email);
  let ok = false;
  if (account?.passwordHash) {
    ok = await verifyPassword(account.passwordHash, input.password);
  } else {
    dummyHash ??= hashPassword(newSecretToken());
    await verifyPassword(await dummyHash, input.password);
  }
  if (ok && account) {
    await clearFailures(db, keys.account);
    // Said only to someone who knows the password, so it reveals nothing to anyone else.
    if (account.suspended) return { kind: 'suspended' };
    return { kind: 'ok', userId: account.id };
  }

  const retryAt = await recordFailure(db, keys, now);
  return retryAt ? { kind: 'locked', retryAt } : { kind: 'invalid' };
}

/** When the account or the address is locked, until when; otherwise null. Checked before any password work. */
export async function lockedUntil(db: Db, keys: { account: string; ip: string }, now: Date): Promise<Date | null> {
  const until = await limitsFor(db).lockedUntil([keys.account, keys.ip]);
  return until > now.getTime() ? new Date(until) : null;
}

/** Counts a failed sign-in (password or code) against the account and the address; returns a new lock's end. */
export async function recordFailure(db: Db, keys: { account: string; ip: string }, now: Date): Promise<Date | null> {
  const limits = limitsFor(db);
  let retryAt = 0;
  for (const key of [keys.account, keys.ip]) {
    const lock = lockDurationMs(await limits.addFailure(key, now.getTime(), LOCKOUT.forgetAfterMs));
    if (lock !== null) {
      retryAt = Math.max(retryAt, now.getTime() + lock);
      await limits.lock(key, now.getTime() + lock, now.getTime());
    }
  }
  return retryAt > 0 ? new Date(retryAt) : null;
}

export type GuardedCheck = { kind: 'ok' } | { kind: 'wrong' } | { kind: 'locked'; retryAt: Date };

/**
 * Runs a check of a secret (a password, a code) under the lockout of the account and the address: refused
 * without checking while locked, and counted as a failure when wrong.
 */
export async function underLockout(
  db: Db,
  keys: { account: string; ip: string },
  now: Date,
  check: () => Promise<boolean>,
): Promise<GuardedCheck> {
  const locked = await lockedUntil(db, keys, now);
  if (locked) return { kind: 'locked', retryAt: locked };
  if (await check()) return { kind: 'ok' };
  const retryAt = await recordFailure(db, keys, now);
  return retryAt ? { kind: 'locked', retryAt } : { kind: 'wrong' };
}

/** A signed-in person's current password, asked again before a sensitive change. */
export function checkCurrentPassword(
  db: Db,
  viewer: { userId: number; email: string },
  password: string,
  ip: string,
  clock: Clock,
): Promise<GuardedCheck> {
  return underLockout(db, throttleKeys(viewer.email, ip), clock.now(), async () => {
    const hash = await sessions.findPasswordHashById(db, viewer.userId);
    return hash !== null && (await verifyPassword(hash, password));
  });
}

/** Forgets an account's failures (after a successful sign-in or a password reset). */
export function clearFailures(db: Db, accountKey: string): Promise<void> {
  return limitsFor(db).clear(accountKey);
}

/** Starts a session; returns the id for the cookie (256 random bits; only its hash is stored). */
export async function startSession(
  db: Db,
  userId: number,
  meta: { ip: string; userAgent: string },
  policy: SessionPolicy,
  clock: Clock,
): Promise<string> {
  const token = newSecretToken();
  const now = clock.now();
  await sessions.insertSession(db, {
    idHash: sha256Hex(token),
    userId,
    now: now.toISOString(),
    expiresAt: new Date(now.getTime() + policy.absoluteMs).toISOString(),
    ip: meta.ip,
    userAgent: meta.userAgent.slice(0, 300),
  });
  return token;
}

/** The viewer behind a session cookie, or null when the session is unknown, idle too long or past its end. */
export async function resolveSession(
  db: Db,
  token: string,
  policy: SessionPolicy,
  clock: Clock,
  reads: SteadyReads = passThrough,
): Promise<Viewer | null> {
  if (!asSecretToken(token)) return null;
  const idHash = sha256Hex(token);
  const s = await reads.read(`session:${idHash}`, () => sessions.findSession(db, idHash));
  if (!s) return null;
  const now = clock.now().getTime();
  if (!isSessionAlive(s, now, policy.idleMs)) {
    await sessions.deleteSession(db, idHash);
    return null;
  }
  if (now - Date.parse(s.lastSeenAt) > TOUCH_EVERY_MS) {
    // Marking the session as seen is a write; on a full disk it fails, and a signed-in reader should still read.
    await sessions.touchSession(db, idHash, new Date(now).toISOString()).catch((err: unknown) => {
      if (storageFault(err) !== 'disk_full') throw err;
    });
  }
  return { userId: s.user.id, email: s.user.email, name: s.user.name, role: s.user.role, twoFactor: s.user.twoFactor, sessionHash: idHash };
}

export async function endSession(db: Db, token: string): Promise<void> {
  if (asSecretToken(token)) await sessions.deleteSession(db, sha256Hex(token));
}
