import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';
import { type FieldIssue, InputError } from '../../lib/errors.ts';
import { hashPassword } from '../../lib/password.ts';
import { slugify } from '../../lib/slug.ts';
import { type Clock, isoNow, systemClock } from '../../lib/time.ts';
import { findSubjectsBySlugs } from '../subjects/index.ts';
import { passwordProblem } from './password-policy.ts';
import * as repo from './user.repository.ts';
import { ACCOUNT_LIMITS, canAnswer, isPlausibleEmail, isRole, normaliseEmail, ROLES, type User } from './user.ts';

type Db = Kysely<Database>;

export interface CreateUserInput {
  email: string;
  name: string;
  role?: string;
  password?: string;
  /** Subject slugs or names an educator is verified for. */
  subjects?: readonly string[];
  bio?: string;
}

export async function createUser(db: Db, input: CreateUserInput, clock: Clock = systemClock): Promise<User> {
  const issues: FieldIssue[] = [];
  const email = normaliseEmail(input.email ?? '');
  const name = (input.name ?? '').replace(/\s+/g, ' ').trim();
  const role = input.role ?? 'student';
  if (!isPlausibleEmail(email)) issues.push({ field: 'email', message: 'must be an email address such as ana@example.org' });
  if (name.length < 1 || name.length > ACCOUNT_LIMITS.name)
    issues.push({ field: 'name', message: `must be 1 to ${ACCOUNT_LIMITS.name} characters` });
  if (!isRole(role)) issues.push({ field: 'role', message: `must be one of ${ROLES.join(', ')}` });
  const weak = input.password === undefined ? null : passwordProblem(input.password, { email, name });
  if (weak) issues.push({ field: 'password', message: weak });
  const wanted = (input.subjects ?? []).map((s) => slugify(s, 60)).filter((s) => s !== '');
  if (wanted.length > 0 && isRole(role) && !canAnswer(role)) {
    issues.push({ field: 'subjects', message: 'only educators, editors and admins are verified for subjects' });
  }
  const subjects = await findSubjectsBySlugs(db, wanted);
  const unknown = wanted.filter((w) => !subjects.some((s) => s.slug === w));
  if (unknown.length > 0) issues.push({ field: 'subjects', message: `no subject called ${unknown.join(', ')}` });
  if (issues.length === 0 && (await repo.findUserByEmail(db, email))) {
    issues.push({ field: 'email', message: 'an account with this email already exists' });
  }
  if (issues.length > 0 || !isRole(role)) throw new InputError(issues);

  const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
  const now = isoNow(clock);
  return db.transaction().execute(async (trx) => {
    // Accounts made by an admin or the CLI are trusted with their address; sign-ups verify theirs by mail.
    const user = await repo.insertUser(trx, {
      email,
      name,
      role,
      passwordHash,
      bio: input.bio ?? null,
      createdAt: now,
      emailVerified: true,
    });
    await repo.addEducatorSubjects(
      trx,
      user.id,
      subjects.map((s) => s.id),
      now,
    );
    return user;
  });
}

/**
 * The answering account with this display name, or a new educator account for it. Imports name educators by
 * display name only, so the new account gets an address under the reserved `.invalid` domain until someone
 * gives it a real one.
 */
export async function ensureEducatorByName(db: Db, name: string, clock: Clock = systemClock): Promise<User> {
  const clean = name.replace(/\s+/g, ' ').trim();
  const existing = await repo.findAnswererByName(db, clean);
  if (existing) return existing;
  const base = slugify(clean, 40) || 'educator';
  for (let n = 1; ; n++) {
    const email = `${n === 1 ? base : `${base}-${n}`}@educators.scholia.invalid`;
    if (!(await repo.findUserByEmail(db, email))) {
      return repo.insertUser(db, { email, name: clean, role: 'educator', passwordHash: null, createdAt: isoNow(clock) });
    }
  }
}

export { addEducatorSubjects, findUserByEmail, listEducatorSubjectSlugs } from './user.repository.ts';
