import type { Role } from '../../db/database.ts';

export type { Role };

/**
 * The one set of limits of the accounts module: the services' checks and messages, the forms' maxLength and the
 * route schemas all read these numbers.
 */
export const ACCOUNT_LIMITS = {
  name: 100,
  email: 254,
  /** A password being chosen (NIST 800-63B: allow at least 64). */
  password: 256,
  /** A password typed to prove who you are: it is only compared, so a long pasted one still reaches the check. */
  passwordTyped: 1024,
  /** An emailed sign-in code, an authenticator code or a recovery code, with the spaces people type. */
  code: 20,
  /** Subjects in one application to teach. */
  subjects: 20,
  qualifications: 1000,
  statement: 2000,
  /** An editor's note with a decision on an application, mailed to the applicant. */
  note: 1000,
  /** What the user search on /admin/users looks for. */
  userSearch: 200,
} as const;

export const ROLES: readonly Role[] = ['student', 'educator', 'editor', 'admin'];

export interface User {
  id: number;
  email: string;
  name: string;
  role: Role;
  bio: string | null;
  createdAt: string;
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** Educators, editors and admins may write expert answers. */
export function canAnswer(role: Role): boolean {
  return role === 'educator' || role === 'editor' || role === 'admin';
}

/** Addresses compared and stored lowercased and trimmed (the membership issue adds Gmail-style folding for trials). */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

// Deliberately loose: one @, something on each side, a dot in the domain, no spaces. Verification mail proves the rest.
export function isPlausibleEmail(email: string): boolean {
  return email.length <= ACCOUNT_LIMITS.email && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email);
}
