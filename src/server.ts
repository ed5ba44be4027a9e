import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.ts';
import type { Config } from './config.ts';
import { connect, type DatabaseHandle } from './db/connect.ts';
import { withStartupLock } from './db/dialect.ts';
import { migrateToLatest } from './db/migrator.ts';
import { seedDemo } from './demo/seed.ts';
import { JobRunner } from './jobs/runner.ts';
import { siteJobs } from './jobs/site-jobs.ts';
import { systemClock } from './lib/time.ts';
import { issueAdminSetupToken } from './modules/accounts/index.ts';
import { countQuestions } from './modules/content/generate.service.ts';
import { imageDeps } from './modules/images/index.ts';
import { ensureStandardSubjects } from './modules/subjects/index.ts';

export interface ServeOptions {
  /** Load the demo content when the database has no questions (what `npm start` does). */
  demoIfEmpty?: boolean;
}

/** Connects, migrates, builds the app and listens; SIGTERM and SIGINT close it gracefully. */
export async function serve(config: Config, options: ServeOptions = {}): Promise<{ app: FastifyInstance; database: DatabaseHandle }> {
  const database = connect(config.database);
  const app = await buildApp(config, { database });
  const log = app.log;
  const jobs = new JobRunner(siteJobs(app.context), log, app.context.metrics);
  try {
    // Several processes may start together on one database: one at a time migrates, adds the standard subjects
    // and seeds, so the first seeds the demo and the others find questions there and skip it.
    await withStartupLock(
      database,
      async (locked) => {
        const applied = await migrateToLatest(locked);
        if (applied.length > 0) log.info({ migrations: applied }, 'database migrated');
        // The standard subjects (History, Literature, Science, Math, ...) exist on every site, so asking and writing
        // guides work from the first start; adding them again changes nothing.
        await ensureStandardSubjects(locked.db);
        if (options.demoIfEmpty && (await countQuestions(locked.db)) === 0) {
          // The demo's diagrams go where the site keeps its images.
          const images = imageDeps({ database: locked, config, clock: systemClock, images: { blobs: app.context.images.blobs } });
          const report = await seedDemo(locked.db, systemClock, images);
          log.info(report, 'demo content loaded into the empty database');
        }
      },
      () => log.info('another process is migrating or seeding the database; waiting for it'),
    );
    await app.listen({ port: config.port, host: config.host });
    // Background jobs run beside the web server, not inside buildApp; shutting down stops them first.
    jobs.start();
    const setupToken = await issueAdminSetupToken(database.db, systemClock);
    if (setupToken) {
      log.warn(
        { setupUrl: `${config.siteUrl}/setup?token=${setupToken}` },
        `This site has no admin. Within 10 minutes, open ${config.siteUrl}/setup?token=${setupToken} to create one (or run: npx scholia user create --role admin)`,
      );
    }
  } catch (err) {
    log.fatal({ err }, 'could not start');
    await app.close().catch(() => {});
    await database.close().catch(() => {});
    throw err;
  }
  log.info({ url: config.siteUrl, database: database.engine }, `Scholia is serving ${config.siteUrl}`);
  if (!config.smtpUrl)
    log.warn('SMTP_URL is not set: mail is not sent but kept in the outbox (/admin/outbox) and printed here, links included');

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    log.info({ signal }, 'shutting down: finishing requests in flight');
    const timer = setTimeout(() => {
      log.error('shutdown timed out; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    timer.unref();
    try {
      await jobs.stop();
      await app.close();
      await database.close();
      log.info('shut down cleanly');
      process.exit(0);
    } catch (err) {
      log.error({ err }, 'error while shutting down');
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  return { app, database };
}
