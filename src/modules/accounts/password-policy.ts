import { dictionary } from '@zxcvbn-ts/language-common';
import { ACCOUNT_LIMITS } from './user.ts';

// NIST 800-63B / ASVS: a minimum length, a check against known common passwords, no composition rules.
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = ACCOUNT_LIMITS.password;

// The 49k most common passwords from zxcvbn-ts (MIT); only those long enough to pass the length rule matter.
const common = new Set((dictionary['passwords-common'] as string[]).filter((p) => p.length >= PASSWORD_MIN).map((p) => p.toLowerCase()));

/** Why this password cannot be used, or null when it can. */
export function passwordProblem(password: string, context: { email?: string; name?: string } = {}): string | null {
  if (password.length < PASSWORD_MIN) return `Use at least ${PASSWORD_MIN} characters.`;
  if (password.length > PASSWORD_MAX) return `Use at most ${PASSWORD_MAX} characters.`;
  const lower = password.toLowerCase();
  if (common.has(lower)) return 'That password is one of the most common ones, so it is easy to guess. Choose another.';
  if (context.email && lower === context.email.toLowerCase()) return 'Your password cannot be your email address.';
  if (context.name && lower === context.name.toLowerCase().replace(/\s+/g, '')) return 'Your password cannot be your name.';
  return null;
}
