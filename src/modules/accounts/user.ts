import type { Role } from '../../db/database.ts';

export type { Role };
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
  return email.length <= 254 && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email);
}
