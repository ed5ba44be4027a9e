import type { Redis } from 'ioredis';
import type { DatabaseHandle } from '../db/connect.ts';
import { freeBytesNear, MIN_FREE_BYTES, probeWrite, type StorageFault, storageFault } from '../db/faults.ts';

export interface HealthReport {
  status: 'ok' | 'unavailable';
  engine: DatabaseHandle['engine'];
  database: 'ok' | 'down';
  disk: 'ok' | 'full';
  /** Present when REDIS_URL is set. */
  redis?: 'ok' | 'down';
}

/**
 * What /healthz reports, and the memory of outages that requests ran into. A write that failed for lack of space
 * marks the disk as full until a probe write succeeds again (and, on SQLite, the disk has room again), so a load
 * balancer sees the outage while writes fail, not only when the database stops answering reads.
 */
export class Health {
  /** A write failed for lack of space and no probe write has succeeded since. */
  private diskFull = false;

  constructor(
    private readonly database: DatabaseHandle,
    private readonly redis?: Redis,
  ) {}

  /** Called with every request's failure: remembers a full disk. Returns the outage, if the error is one. */
  noteFailure(err: unknown): StorageFault | null {
    const fault = storageFault(err);
    if (fault === 'disk_full') this.diskFull = true;
    return fault;
  }

  async report(): Promise<HealthReport> {
    const [database, disk, redis] = await Promise.all([this.databasePart(), this.diskPart(), this.redisPart()]);
    const ok = database === 'ok' && disk === 'ok' && redis !== 'down';
    return {
      status: ok ? 'ok' : 'unavailable',
      engine: this.database.engine,
      database,
      disk,
      ...(redis ? { redis } : {}),
    };
  }

  private async databasePart(): Promise<'ok' | 'down'> {
    try {
      await this.database.ping();
      return 'ok';
    } catch {
      return 'down';
    }
  }

  private async diskPart(): Promise<'ok' | 'full'> {
    // SQLite's own disk can be read directly; PostgreSQL's is the database server's, known only from failed writes.
    const free = this.database.file ? freeBytesNear(this.database.file) : null;
    if (free !== null && free < MIN_FREE_BYTES) {
      this.diskFull = true;
      return 'full';
    }
    if (!this.diskFull) return 'ok';
    try {
      await probeWrite(this.database.db, new Date().toISOString());
      this.diskFull = false;
      return 'ok';
    } catch (err) {
      return storageFault(err) === 'disk_full' ? 'full' : 'ok';
    }
  }

  private async redisPart(): Promise<'ok' | 'down' | undefined> {
    const redis = this.redis;
    if (!redis) return undefined;
    try {
      await redis.ping();
      return 'ok';
    } catch {
      return 'down';
    }
  }
}
