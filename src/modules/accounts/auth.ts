// Pure rules of signing in: lockout and session lifetimes. No I/O here.

/** Consecutive failures allowed before a lock; then each failure locks for twice as long, up to the cap. */
export const LOCKOUT = {
  freeFailures: 5,
  firstLockMs: 30_000,
  maxLockMs: 15 * 60_000,
  /** A key's failures start again from zero after this long without one. */
  forgetAfterMs: 60 * 60_000,
} as const;

/** How long the n-th consecutive failure locks the key for, or null when it does not lock yet. */
export function lockDurationMs(failures: number): number | null {
  if (failures < LOCKOUT.freeFailures) return null;
  return Math.min(LOCKOUT.firstLockMs * 2 ** (failures - LOCKOUT.freeFailures), LOCKOUT.maxLockMs);
}

export function throttleKeys(email: string, ip: string): { account: string; ip: string } {
  return { account: `account:${email}`, ip: `ip:${ip}` };
}

export interface SessionTimes {
  lastSeenAt: string;
  expiresAt: string;
}

/** A session is alive until its absolute end and while it has been used within the idle timeout. */
export function isSessionAlive(s: SessionTimes, now: number, idleMs: number): boolean {
  return Date.parse(s.expiresAt) > now && Date.parse(s.lastSeenAt) + idleMs > now;
}

/** Writing last_seen_at on every request would turn every page view into a write; once a minute is enough. */
export const TOUCH_EVERY_MS = 60_000;
