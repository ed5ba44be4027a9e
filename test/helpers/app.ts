import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.ts';
import { type Config, loadConfig } from '../../src/config.ts';
import type { Engine } from '../../src/db/connect.ts';
import type { Clock } from '../../src/lib/time.ts';
import { createTestDatabase, type TestDatabase } from './databases.ts';

export const testConfig: Config = loadConfig({ SITE_URL: 'http://scholia.test', LOG_LEVEL: 'silent' }, '/tmp');

export interface TestApp {
  app: FastifyInstance;
  database: TestDatabase;
  close(): Promise<void>;
}

export async function buildTestApp(
  engine: Engine,
  opts: {
    clock?: Clock;
    database?: TestDatabase;
    config?: Partial<Config>;
    /** Receives what the outbox mailer prints for whoever runs the server (none by default in tests). */
    mailPrint?: (text: string) => void;
  } = {},
): Promise<TestApp> {
  const database = opts.database ?? (await createTestDatabase(engine));
  const app = await buildApp(
    { ...testConfig, ...opts.config },
    { database, logger: false, ...(opts.clock ? { clock: opts.clock } : {}), ...(opts.mailPrint ? { mailPrint: opts.mailPrint } : {}) },
  );
  return {
    app,
    database,
    async close() {
      await app.close();
      await database.destroy();
    },
  };
}
