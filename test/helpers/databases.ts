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
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const handle = connect({ engine: 'postgres', url: postgresUrl, poolSize: 4 }, { pgSchema: schema });
  await migrateToLatest(handle);
  return {
    ...handle,
    async destroy() {
      await handle.close();
      const c = new pg.Client({ connectionString: postgresUrl });
      await c.connect();
      await c.query(`drop schema if exists ${schema} cascade`);
      await c.end();
    },
  };
}
