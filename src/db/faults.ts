import { statfsSync } from 'node:fs';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { Database } from './database.ts';

// What a failed database call means for the people using the site. Most errors are bugs (a 500, logged as one);
// these are outages of the machine or the network, which no change to the request would fix: the site answers
// them with a 503 that keeps what the user typed, and /healthz reports them so a load balancer can act.

export type StorageFault = 'disk_full' | 'database_down';

// PostgreSQL SQLSTATEs: class 53 is "insufficient resources" (53100 disk_full), class 08 "connection exception",
// 57P01-57P03 the server shutting down or starting.
const PG_DISK_FULL = new Set(['53100']);
const PG_DOWN = /^(08|57P0[1-3]|53300)/;
const NET_DOWN = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** The outage behind an error, if it is one: the disk is full, or the database cannot be reached. */
export function storageFault(err: unknown): StorageFault | null {
  if (!(err instanceof Error)) return null;
  const code = String((err as { code?: unknown }).code ?? '');
  // SQLite: SQLITE_FULL, and the I/O errors a full disk gives while a file grows (the WAL, its index, the journal).
  if (code === 'SQLITE_FULL' || code.startsWith('SQLITE_IOERR') || code === 'ENOSPC' || code === 'EDQUOT' || PG_DISK_FULL.has(code))
    return 'disk_full';
  if (PG_DOWN.test(code) || NET_DOWN.has(code)) return 'database_down';
  // node-postgres reports a connection dropped mid-query without a code.
  if (/^Connection terminated|^Client has encountered a connection error|timeout exceeded when trying to connect/.test(err.message))
    return 'database_down';
  const cause = (err as { cause?: unknown }).cause;
  return cause && cause !== err ? storageFault(cause) : null;
}

/**
 * Below this much free space a SQLite site cannot be trusted to save anything: a write grows the WAL by whole pages
 * and a checkpoint may grow the main file. /healthz reports the disk as full from here on.
 */
export const MIN_FREE_BYTES = 1024 * 1024;

/** Free bytes (for an unprivileged process) on the filesystem holding `file`, or null when that cannot be read. */
export function freeBytesNear(file: string): number | null {
  try {
    const s = statfsSync(path.dirname(file));
    return s.bavail * s.bsize;
  } catch {
    return null;
  }
}

/**
 * A small real write (an upsert of one setting), to learn whether the database can save anything right now. Run by
 * /healthz only after a write failed for lack of space, so a healthy site does not write on every health check.
 */
export async function probeWrite(db: Kysely<Database>, at: string): Promise<void> {
  await db
    .insertInto('site_settings')
    .values({ key: 'health:last-write-probe', value: at })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: at }))
    .execute();
}
