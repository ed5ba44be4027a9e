import { createHash, randomBytes } from 'node:crypto';

// The random secrets Scholia hands out (session ids, emailed links, setup links, the second-factor step):
// 256 bits, base64url, stored only as their SHA-256.

export function newSecretToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The stored form of a secret (or any text): hex SHA-256. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A value from a cookie or form that has the shape of one of our tokens, else null (checked before any lookup). */
export function asSecretToken(raw: unknown): string | null {
  return typeof raw === 'string' && /^[A-Za-z0-9_-]{43}$/.test(raw) ? raw : null;
}
