import { randomInt } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, TokenPurpose } from '../../db/database.ts';
import type { FieldIssue } from '../../lib/errors.ts';
import { hashPassword } from '../../lib/password.ts';
import { newSecretToken, sha256Hex } from '../../lib/secret-token.ts';
import type { Clock } from '../../lib/time.ts';
import type { Mailer } from '../mail/index.ts';
import { checkCurrentPassword, clearFailures, lockedUntil, recordFailure } from './auth.service.ts';
import { throttleKeys } from './auth.ts';
import {
  alreadyRegisteredMail,
  changeEmailMail,
  emailChangingMail,
  resetPasswordMail,
  signInCodeMail,
  verifyEmailMail,
} from './emails.tsx';
import { limitsFor } from './limits.service.ts';
import { passwordProblem } from './password-policy.ts';
import * as sessions from './session.repository.ts';
import * as tokens from './token.repository.ts';
import * as users from './user.repository.ts';
import { ACCOUNT_LIMITS, isPlausibleEmail, normaliseEmail } from './user.ts';

type Db = Kysely<Database>;

/** One-time links and codes live 10 minutes (PRODUCT.md). */
export const LINK_TTL_MS = 10 * 60_000;
const HOUR_MS = 3600_000;
/** Wrong tries allowed on one emailed code before it is spent. */
export const CODE_ATTEMPTS = 5;

/** Hourly limits, shared by every process through the database. */
export const LIMITS = {
  signUpsPerAddressHour: 10,
  signInsPerAddressHour: 60,
  mailsPerEmailHour: 5,
  mailsPerAddressHour: 20,
} as const;

export interface FlowDeps {
  db: Db;
  mailer: Mailer;
  clock: Clock;
  site: { name: string; url: string };
}

export type Limited = { kind: 'limited'; retryAt: Date };

const codeHash = (userId: number, code: string) => sha256Hex(`${userId}:${code}`);

/** Counts an event against each key's hourly limit; the first key over its limit stops it. */
async function withinHourlyLimits(db: Db, now: Date, limits: Array<[key: string, max: number]>): Promise<Limited | null> {
  const start = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS;
  const store = limitsFor(db);
  for (const [key, max] of limits) {
    if ((await store.countInWindow(key, start, HOUR_MS)) > max) return { kind: 'limited', retryAt: new Date(start + HOUR_MS) };
  }
  return null;
}

export function signInLimit(db: Db, clock: Clock, ip: string): Promise<Limited | null> {
  return withinHourlyLimits(db, clock.now(), [[`signin-ip:${ip}`, LIMITS.signInsPerAddressHour]]);
}

async function issue(
  deps: FlowDeps,
  userId: number,
  purpose: TokenPurpose,
  extra: { code?: string; payload?: string } = {},
): Promise<string> {
  const now = deps.clock.now();
  const token = newSecretToken();
  await tokens.retireTokens(deps.db, userId, purpose, now.toISOString());
  await tokens.insertToken(deps.db, {
    userId,
    purpose,
    tokenHash: sha256Hex(token),
    codeHash: extra.code ? codeHash(userId, extra.code) : null,
    payload: extra.payload ?? null,
    now: now.toISOString(),
    expiresAt: new Date(now.getTime() + LINK_TTL_MS).toISOString(),
  });
  return token;
}

const link = (deps: FlowDeps, path: string, token: string) => `${deps.site.url}${path}?token=${encodeURIComponent(token)}`;

export interface SignUpInput {
  name: string;
  email: string;
  password: string;
  ip: string;
  /** A same-site path to land on once the address is confirmed (the question the student signed up from). */
  next?: string;
}

/**
 * Sign-up answers the same whether or not the address has an account: "check your email". A new address gets a
 * verification link; an address with a verified account gets a note that it already has one. The password is
 * kept with the link and becomes the account's only when the owner of the address confirms.
 */
export async function signUp(
  deps: FlowDeps,
  input: SignUpInput,
): Promise<{ kind: 'invalid'; issues: FieldIssue[] } | Limited | { kind: 'sent' }> {
  const name = input.name.replace(/\s+/g, ' ').trim();
  const email = normaliseEmail(input.email);
  const issues: FieldIssue[] = [];
  if (name.length < 1 || name.length > ACCOUNT_LIMITS.name)
    issues.push({ field: 'name', message: `Enter your name (up to ${ACCOUNT_LIMITS.name} characters).` });
  if (!isPlausibleEmail(email)) issues.push({ field: 'email', message: 'Enter an email address such as ana@example.org.' });
  const weak = passwordProblem(input.password, { email, name });
  if (weak) issues.push({ field: 'password', message: weak });
  if (issues.length > 0) return { kind: 'invalid', issues };

  const now = deps.clock.now();
  const limited = await withinHourlyLimits(deps.db, now, [
    [`signup-ip:${input.ip}`, LIMITS.signUpsPerAddressHour],
    [`mail-email:${email}`, LIMITS.mailsPerEmailHour],
  ]);
  if (limited) return limited;

  const existing = await users.findAccountByEmail(deps.db, email);
  // Hash in both branches, so a taken address answers in the same time as a new one.
  const passwordHash = await hashPassword(input.password);
  if (existing?.emailVerifiedAt) {
    await deps.mailer.send(alreadyRegisteredMail(deps.site.name, email, `${deps.site.url}/login`, `${deps.site.url}/reset`));
    return { kind: 'sent' };
  }
  const userId = existing?.id ?? (await users.insertUnverifiedStudent(deps.db, { email, name, createdAt: now.toISOString() }));
  const token = await issue(deps, userId, 'verify_email', { payload: JSON.stringify({ name, passwordHash, next: input.next ?? '/' }) });
  await deps.mailer.send(verifyEmailMail(deps.site.name, email, name, link(deps, '/verify', token)));
  return { kind: 'sent' };
}

export function isLinkLive(deps: FlowDeps, token: string, purpose: TokenPurpose): Promise<boolean> {
  return tokens.isTokenLive(deps.db, sha256Hex(token), purpose, deps.clock.now().toISOString());
}

/** Confirms the address behind a verification link: the account becomes usable with the password chosen then. */
export async function confirmEmail(deps: FlowDeps, token: string): Promise<{ userId: number; next: string } | null> {
  const now = deps.clock.now().toISOString();
  return deps.db.transaction().execute(async (trx) => {
    const spent = await tokens.spendToken(trx, sha256Hex(token), 'verify_email', now);
    if (!spent) return null;
    const { next, ...pending } = JSON.parse(spent.payload ?? '{}') as { name?: string; passwordHash?: string; next?: string };
    await users.markEmailVerified(trx, spent.userId, now, pending);
    return { userId: spent.userId, next: next ?? '/' };
  });
}

/**
 * Mails a verified account if the address has one, within the hourly limits; the caller answers the same
 * whichever way it went, so the response never tells whether the address has an account.
 */
async function mailVerifiedAccount(
  deps: FlowDeps,
  input: { email: string; ip: string },
  send: (userId: number, email: string) => Promise<void>,
): Promise<Limited | { kind: 'sent' }> {
  const email = normaliseEmail(input.email);
  const limited = await withinHourlyLimits(deps.db, deps.clock.now(), [
    [`mail-ip:${input.ip}`, LIMITS.mailsPerAddressHour],
    [`mail-email:${email}`, LIMITS.mailsPerEmailHour],
  ]);
  if (limited) return limited;
  const user = isPlausibleEmail(email) ? await users.findAccountByEmail(deps.db, email) : undefined;
  if (user?.emailVerifiedAt && !user.suspended) await send(user.id, email);
  return { kind: 'sent' };
}

/** Sends a 6-digit code and a link to log in. */
export function requestSignInCode(deps: FlowDeps, input: { email: string; ip: string }): Promise<Limited | { kind: 'sent' }> {
  return mailVerifiedAccount(deps, input, async (userId, email) => {
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const token = await issue(deps, userId, 'sign_in', { code });
    await deps.mailer.send(signInCodeMail(deps.site.name, email, code, link(deps, '/login/link', token)));
  });
}

export type CodeResult = { kind: 'ok'; userId: number } | { kind: 'invalid' } | Limited;

/** Checks an emailed code; wrong codes count towards the same lockout as wrong passwords. */
export async function signInWithCode(deps: FlowDeps, input: { email: string; code: string; ip: string }): Promise<CodeResult> {
  const now = deps.clock.now();
  const email = normaliseEmail(input.email);
  const keys = throttleKeys(email, input.ip);
  const locked = await lockedUntil(deps.db, keys, now);
  if (locked) return { kind: 'limited', retryAt: locked };

  const user = await users.findAccountByEmail(deps.db, email);
  const live = user ? await tokens.findLiveCode(deps.db, user.id, now.toISOString()) : undefined;
  if (user && !user.suspended && live && /^\d{6}$/.test(input.code) && live.codeHash === codeHash(user.id, input.code)) {
    if (await tokens.spendTokenById(deps.db, live.id, now.toISOString())) {
      await clearFailures(deps.db, keys.account);
      return { kind: 'ok', userId: user.id };
    }
  }
  if (live) {
    await tokens.countCodeAttempt(deps.db, live.id);
    if (live.attempts + 1 >= CODE_ATTEMPTS) await tokens.spendTokenById(deps.db, live.id, now.toISOString());
  }
  const retryAt = await recordFailure(deps.db, keys, now);
  return retryAt ? { kind: 'limited', retryAt } : { kind: 'invalid' };
}

/** Spends an emailed sign-in link; returns who it signs in. */
export async function signInWithLink(deps: FlowDeps, token: string): Promise<number | null> {
  const spent = await tokens.spendToken(deps.db, sha256Hex(token), 'sign_in', deps.clock.now().toISOString());
  return spent?.userId ?? null;
}

/** Sends a link to choose a new password. */
export function requestPasswordReset(deps: FlowDeps, input: { email: string; ip: string }): Promise<Limited | { kind: 'sent' }> {
  return mailVerifiedAccount(deps, input, async (userId, email) => {
    const token = await issue(deps, userId, 'reset_password');
    await deps.mailer.send(resetPasswordMail(deps.site.name, email, link(deps, '/reset/confirm', token)));
  });
}

/** Sets a new password from a reset link and ends every session of the account. */
export async function resetPassword(
  deps: FlowDeps,
  token: string,
  password: string,
): Promise<{ kind: 'ok'; userId: number } | { kind: 'invalid'; issues: FieldIssue[] } | { kind: 'expired' }> {
  const now = deps.clock.now().toISOString();
  const hashed = sha256Hex(token);
  if (!(await tokens.isTokenLive(deps.db, hashed, 'reset_password', now))) return { kind: 'expired' };
  const weak = passwordProblem(password);
  if (weak) return { kind: 'invalid', issues: [{ field: 'password', message: weak }] };
  const passwordHash = await hashPassword(password);
  const result = await deps.db.transaction().execute(async (trx) => {
    const spent = await tokens.spendToken(trx, hashed, 'reset_password', now);
    if (!spent) return { kind: 'expired' as const };
    await users.setPasswordHash(trx, spent.userId, passwordHash);
    // A reset ends every session.
    await sessions.deleteSessionsOfUser(trx, spent.userId);
    return { kind: 'ok' as const, userId: spent.userId };
  });
  // And the lockout the forgotten password may have earned.
  if (result.kind === 'ok') {
    const email = await users.findEmailById(deps.db, result.userId);
    if (email) await clearFailures(deps.db, throttleKeys(email, '').account);
  }
  return result;
}

/**
 * Starts a change of address: the current password is asked; the new address gets a link, the old one a notice.
 * Answers the same whether or not the new address is taken (that is checked again when the link is confirmed).
 */
export async function requestEmailChange(
  deps: FlowDeps,
  viewer: { userId: number; email: string; name: string },
  input: { newEmail: string; password: string; ip: string },
): Promise<{ kind: 'sent' } | { kind: 'invalid'; issues: FieldIssue[] } | Limited> {
  const email = normaliseEmail(input.newEmail);
  if (!isPlausibleEmail(email))
    return { kind: 'invalid', issues: [{ field: 'email', message: 'Enter an email address such as ana@example.org.' }] };
  if (email === viewer.email) return { kind: 'invalid', issues: [{ field: 'email', message: 'That is already your address.' }] };
  const check = await checkCurrentPassword(deps.db, viewer, input.password, input.ip, deps.clock);
  if (check.kind === 'locked') return { kind: 'limited', retryAt: check.retryAt };
  if (check.kind === 'wrong') return { kind: 'invalid', issues: [{ field: 'password', message: 'That is not your password.' }] };
  const now = deps.clock.now();
  const limited = await withinHourlyLimits(deps.db, now, [[`mail-email:${email}`, LIMITS.mailsPerEmailHour]]);
  if (limited) return limited;
  const token = await issue(deps, viewer.userId, 'change_email', { payload: JSON.stringify({ email }) });
  await deps.mailer.send(changeEmailMail(deps.site.name, email, link(deps, '/account/email/confirm', token)));
  await deps.mailer.send(emailChangingMail(deps.site.name, viewer.email, email));
  return { kind: 'sent' };
}

/** Confirms a new address from its link; fails if someone else has taken the address meanwhile. */
export async function confirmEmailChange(
  deps: FlowDeps,
  token: string,
): Promise<{ kind: 'ok'; userId: number } | { kind: 'expired' } | { kind: 'taken' }> {
  const now = deps.clock.now().toISOString();
  return deps.db.transaction().execute(async (trx) => {
    const spent = await tokens.spendToken(trx, sha256Hex(token), 'change_email', now);
    if (!spent) return { kind: 'expired' as const };
    const { email } = JSON.parse(spent.payload ?? '{}') as { email?: string };
    if (!email) return { kind: 'expired' as const };
    if (await users.findAccountByEmail(trx, email)) return { kind: 'taken' as const };
    await users.setEmail(trx, spent.userId, email, now);
    return { kind: 'ok' as const, userId: spent.userId };
  });
}
