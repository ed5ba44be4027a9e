import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { connect, type DatabaseHandle, type Engine } from '../../src/db/connect.ts';
import { migrateToLatest } from '../../src/db/migrator.ts';
import { postgresUrl } from './environment.ts';

export interface TestDatabase extends DatabaseHandle {
  /** Drops what the test made (the PostgreSQL schema) and closes connections. */
  destroy(): Promise<void>;
}

/** Engines the suites run on here: SQLite always, PostgreSQL when TEST_DATABASE_URL is set. */
export const engines: Engine[] = postgresUrl ? ['sqlite', 'postgres'] : ['sqlite'];

/**
 * A fresh, migrated database: a SQLite file in a temporary directory (a file, not :memory:, so the tests take
 * the same paths as a real site, the read-only connection for hot reads included), or a schema of its own in
 * the test PostgreSQL.
 */
export async function createTestDatabase(engine: Engine): Promise<TestDatabase> {
  if (engine === 'sqlite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'scholia-test-'));
    const handle = connect({ engine: 'sqlite', file: path.join(dir, 'test.db') });
    await migrateToLatest(handle);
    return {
      ...handle,
      async destroy() {
        await handle.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  if (!postgresUrl) throw new Error('TEST_DATABASE_URL is not set');
  const schema = `t_${randomBytes(6).toString('hex')}`;
  // Kysely's migrator looks through every table of the database to find its own; a schema dropped by another
  // test file in the middle of that look fails it ("relation ... does not exist"). Creating, migrating and
  // dropping test schemas under one advisory lock keeps them from overlapping.
  const handle = await withSchemaLock(async (admin) => {
    await admin.query(`create schema ${schema}`);
    const h = connect({ engine: 'postgres', url: postgresUrl as string, poolSize: 4 }, { pgSchema: schema });
    await migrateToLatest(h);
    return h;
  });
  return {
    ...handle,
    async destroy() {
      await handle.close();
      await withSchemaLock((admin) => admin.query(`drop schema if exists ${schema} cascade`));
    },
  };
}

const SCHEMA_LOCK = 7_305_521;

async function withSchemaLock<T>(fn: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  try {
    await admin.query('select pg_advisory_lock($1)', [SCHEMA_LOCK]);
    return await fn(admin);
  } finally {
    await admin.query('select pg_advisory_unlock($1)', [SCHEMA_LOCK]).catch(() => {});
    await admin.end();
  }
}
