import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';
import { countInWindow } from './rate.repository.ts';
import * as throttles from './throttle.repository.ts';

/**
 * Where lockout counters and hourly limits live, shared by every app process: the database by default, Redis
 * when REDIS_URL is set (no writes to the database on every failed sign-in, and keys expire by themselves).
 */
export interface LimitStore {
  readonly kind: 'database' | 'redis';
  /** The latest lock end (ms) among the keys, or 0. */
  lockedUntil(keys: readonly string[]): Promise<number>;
  /** Counts a failure; the count starts again after `forgetAfterMs` without one. Returns the new count. */
  addFailure(key: string, nowMs: number, forgetAfterMs: number): Promise<number>;
  lock(key: string, untilMs: number, nowMs: number): Promise<void>;
  clear(key: string): Promise<void>;
  /** Counts an event in a fixed window and returns the window's count. */
  countInWindow(key: string, windowStartMs: number, windowMs: number): Promise<number>;
}

export function databaseLimitStore(db: Kysely<Database>): LimitStore {
  return {
    kind: 'database',
    async lockedUntil(keys) {
      const rows = await throttles.findThrottles(db, keys);
      return rows.map((t) => (t.lockedUntil ? Date.parse(t.lockedUntil) : 0)).reduce((a, b) => Math.max(a, b), 0);
    },
    addFailure: (key, nowMs, forgetAfterMs) =>
      throttles.addFailure(db, key, new Date(nowMs).toISOString(), new Date(nowMs - forgetAfterMs).toISOString()),
    lock: (key, untilMs) => throttles.lockUntil(db, key, new Date(untilMs).toISOString()),
    clear: (key) => throttles.clearThrottle(db, key),
    countInWindow: (key, windowStartMs) => countInWindow(db, key, new Date(windowStartMs).toISOString()),
  };
}

export function redisLimitStore(redis: Redis, prefix = 'scholia:'): LimitStore {
  const failures = (key: string) => `${prefix}fail:${key}`;
  const lockKey = (key: string) => `${prefix}lock:${key}`;
  return {
    kind: 'redis',
    async lockedUntil(keys) {
      if (keys.length === 0) return 0;
      const values = await redis.mget(...keys.map(lockKey));
      return values.map((v) => (v ? Number(v) : 0)).reduce((a, b) => Math.max(a, b), 0);
    },
    async addFailure(key, _nowMs, forgetAfterMs) {
      // INCR and the expiry in one round trip: the count lives until an hour (forgetAfterMs) after the last failure.
      const result = await redis.multi().incr(failures(key)).pexpire(failures(key), forgetAfterMs).exec();
      return Number(result?.[0]?.[1] ?? 1);
    },
    async lock(key, untilMs, nowMs) {
      await redis.set(lockKey(key), String(untilMs), 'PX', Math.max(1, untilMs - nowMs));
    },
    async clear(key) {
      await redis.del(failures(key), lockKey(key));
    },
    async countInWindow(key, windowStartMs, windowMs) {
      const k = `${prefix}rate:${key}:${windowStartMs}`;
      const result = await redis.multi().incr(k).pexpire(k, windowMs).exec();
      return Number(result?.[0]?.[1] ?? 1);
    },
  };
}

/**
 * Redis with the database behind it: while Redis cannot be reached (refused, or no answer within the client's
 * command timeout) every limit and lockout is counted in the database instead, so sign-in, sign-up and asking go on
 * working and stay limited. `onFallback` hears of each failure (app.ts logs a warning, at most once a minute).
 * Counts made in one store are not seen by the other: a lockout begun in Redis starts over in the database.
 */
export function withFallback(primary: LimitStore, fallback: LimitStore, onFallback: (err: unknown) => void): LimitStore {
  const guard =
    <A extends unknown[], R>(run: (s: LimitStore) => (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await run(primary)(...args);
      } catch (err) {
        onFallback(err);
        return run(fallback)(...args);
      }
    };
  return {
    kind: primary.kind,
    lockedUntil: guard((s) => s.lockedUntil),
    addFailure: guard((s) => s.addFailure),
    lock: guard((s) => s.lock),
    clear: guard((s) => s.clear),
    countInWindow: guard((s) => s.countInWindow),
  };
}

const stores = new WeakMap<object, LimitStore>();

/** Chooses the store for a database handle (app.ts does, from REDIS_URL). */
export function useLimitStore(db: Kysely<Database>, store: LimitStore): void {
  stores.set(db, store);
}

/** The store for this database: the one chosen for it, else the database itself. */
export function limitsFor(db: Kysely<Database>): LimitStore {
  let store = stores.get(db);
  if (!store) {
    store = databaseLimitStore(db);
    stores.set(db, store);
  }
  return store;
}
