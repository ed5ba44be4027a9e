import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { postgresUrl } from './environment.ts';

/**
 * A PostgreSQL database of its own on the test server, not a schema of the test database: for the `scholia` commands,
 * which know only DATABASE_URL and work in its default schema (as startup-race.test.ts does). Dropped by `drop`.
 */
export async function createOwnDatabase(prefix = 'scholia_t'): Promise<{ url: string; drop(): Promise<void> }> {
  if (!postgresUrl) throw new Error('TEST_DATABASE_URL is not set');
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(postgresUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const a = new pg.Client({ connectionString: postgresUrl });
      await a.connect();
      try {
        await a.query(`drop database if exists ${name} with (force)`);
      } finally {
        await a.end();
      }
    },
  };
}
