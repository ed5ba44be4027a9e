import { createReadStream, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
// Only what the help, usage errors and the error report need is imported here; each command imports its own code
// when it runs (`await import(...)`), so `scholia --help` answers at once. Keep these imports light.
import { type Config, ConfigError, loadConfig } from './config.ts';
import type { DatabaseHandle } from './db/connect.ts';
import { freeBytesNear, storageFault } from './db/faults.ts';
import { InputError } from './lib/errors.ts';
import type { Progress } from './lib/progress.ts';
import { ROLES } from './modules/accounts/user.ts';
import type { BackupOptions } from './modules/operations/index.ts';

const HELP = `Usage: scholia <command> [options]

Commands:
  serve [--demo-if-empty]          Migrate and serve the site (PORT, default 3000)
  migrate                          Bring the database schema up to date
  seed --demo                      Load the demo accounts and questions (adds nothing twice)
  import FILE.jsonl [--skip-invalid]
                                   Import questions with expert answers, one JSON object a line
  generate --questions N [--seed S] [--batch B]
                                   Add N synthetic questions for load tests
  reindex                          Rebuild the search index from the questions (all or nothing)
  render                           Render the stored Markdown again (after an upgrade that renders more)
  images prune [--older-than-hours H] [--dry-run]
                                   Remove images no question, answer or guide uses, uploaded over H hours ago
                                   (default 24), and delete the files no image needs (--dry-run: only count)
  billing reconcile                Bring every membership in line with Stripe (Stripe mode)
  user create --email E --name N --role ROLE [--password P] [--subjects a,b]
                                   Create an account (roles: ${ROLES.join(', ')})
  backup FILE [--force]            Copy the whole site (rows and images) into FILE while it runs, with FILE.sha256
  restore FILE [--force]           Load a backup into an empty database and data directory (--force: over a site)
  move --to postgres://USER@HOST/DB
                                   Copy this SQLite site into an empty PostgreSQL database and verify the copy
                                   (interrupted, the same command goes on where it stopped)

Configuration comes from environment variables; see .env.example.`;

class UsageError extends Error {}

/** Where a command reads its settings and writes its output: the process for `scholia`, buffers in tests. */
export interface CliIo {
  env: Record<string, string | undefined>;
  cwd: string;
  /** One line of the command's report (stdout). */
  out(line: string): void;
  /** Errors and warnings (stderr), written as given. */
  err(text: string): void;
}

/** The process's own environment and streams: what the `scholia` command uses. */
export const processIo: CliIo = {
  env: process.env,
  cwd: process.cwd(),
  out: (line) => void process.stdout.write(`${line}\n`),
  err: (text) => void process.stderr.write(text),
};

/**
 * Connects, brings the schema up to date and runs fn. The migration takes the start-up lock that `serve` holds
 * while it migrates and seeds, so a command run beside a starting server waits for it instead of racing it.
 */
async function withDatabase<T>(io: CliIo, fn: (h: DatabaseHandle) => Promise<T>, opts: { migrate?: boolean } = {}): Promise<T> {
  const config = loadConfig(io.env, io.cwd);
  const [{ connect }, { withStartupLock }, { migrateToLatest }] = await Promise.all([
    import('./db/connect.ts'),
    import('./db/dialect.ts'),
    import('./db/migrator.ts'),
  ]);
  const handle = connect(config.database);
  try {
    if (opts.migrate !== false) await withStartupLock(handle, migrateToLatest);
    return await fn(handle);
  } finally {
    await handle.close();
  }
}

function positiveInt(raw: string | undefined, name: string, fallback?: number): number {
  if (raw === undefined) {
    if (fallback !== undefined) return fallback;
    throw new UsageError(`--${name} is required`);
  }
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || !Number.isSafeInteger(Number(raw)))
    throw new UsageError(`--${name} must be a positive whole number`);
  return Number(raw);
}

/**
 * An AbortSignal that fires on the first Ctrl-C, so long commands stop at a safe point. The handler is removed when
 * the command ends (`cleanups`): the tests run many commands one after another in one process.
 */
function interruptSignal(io: CliIo, cleanups: Array<() => void>): AbortSignal {
  const controller = new AbortController();
  const onInterrupt = () => {
    io.err('\nInterrupted: stopping at the next safe point…\n');
    controller.abort();
  };
  process.once('SIGINT', onInterrupt);
  cleanups.push(() => process.removeListener('SIGINT', onInterrupt));
  return controller.signal;
}

/**
 * Runs one `scholia` command and returns its exit code (-1: it keeps running, as `serve` does). Every failure is
 * reported on `io.err` as one plain message, never a stack trace.
 */
export async function runCli(argv: string[], io: CliIo = processIo): Promise<number> {
  const cleanups: Array<() => void> = [];
  try {
    return await command(argv, io, cleanups);
  } catch (err) {
    reportFailure(err, io);
    return err instanceof UsageError || err instanceof ConfigError || err instanceof InputError ? 2 : 1;
  } finally {
    for (const cleanup of cleanups) cleanup();
  }
}

async function command(argv: string[], io: CliIo, cleanups: Array<() => void>): Promise<number> {
  const out = io.out;
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve': {
      const { values } = parseArgs({ args: rest, options: { 'demo-if-empty': { type: 'boolean' } } });
      const { serve } = await import('./server.ts');
      await serve(loadConfig(io.env, io.cwd), { demoIfEmpty: values['demo-if-empty'] === true });
      return -1; // keep running
    }
    case 'migrate': {
      const [{ withStartupLock }, { migrateToLatest }] = await Promise.all([import('./db/dialect.ts'), import('./db/migrator.ts')]);
      const applied = await withDatabase(io, (h) => withStartupLock(h, migrateToLatest), { migrate: false });
      out(applied.length === 0 ? 'The database is up to date.' : `Applied ${applied.length} migration(s): ${applied.join(', ')}`);
      return 0;
    }
    case 'seed': {
      const { values } = parseArgs({ args: rest, options: { demo: { type: 'boolean' } } });
      if (!values.demo) throw new UsageError('seed needs --demo (the only data set so far)');
      const [{ withStartupLock }, { seedDemo }, { imageDeps, siteBlobStore }, { systemClock }] = await Promise.all([
        import('./db/dialect.ts'),
        import('./demo/seed.ts'),
        import('./modules/images/index.ts'),
        import('./lib/time.ts'),
      ]);
      const config = loadConfig(io.env, io.cwd);
      // Under the start-up lock, like `serve --demo-if-empty`: two seeds at once would both try to add the same accounts.
      const report = await withDatabase(io, (h) =>
        withStartupLock(h, (locked) => {
          // The demo's diagrams go where the site keeps its images.
          const images = { blobs: siteBlobStore(config, h.db, systemClock) };
          return seedDemo(locked.db, systemClock, imageDeps({ database: locked, config, clock: systemClock, images }));
        }),
      );
      out(`Demo content: ${report.usersAdded} account(s) and ${report.questionsAdded} question(s) added.`);
      return 0;
    }
    case 'import': {
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { 'skip-invalid': { type: 'boolean' } } });
      const given = positionals[0];
      if (!given || positionals.length > 1) throw new UsageError('import takes one file: scholia import FILE.jsonl');
      const file = path.resolve(io.cwd, given);
      if (!existsSync(file) || !statSync(file).isFile()) throw new UsageError(`no such file: ${given}`);
      const config = loadConfig(io.env, io.cwd);
      const [{ importQuestions }, { refreshPlannerStatistics }, { createProgress }, { siteBlobStore }, { systemClock }] = await Promise.all(
        [
          import('./modules/content/import.service.ts'),
          import('./db/dialect.ts'),
          import('./lib/progress.ts'),
          import('./modules/images/index.ts'),
          import('./lib/time.ts'),
        ],
      );
      const signal = interruptSignal(io, cleanups);
      const lines = async function* () {
        const rl = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Number.POSITIVE_INFINITY });
        for await (const line of rl) {
          if (signal.aborted) throw new Error('interrupted: nothing was imported');
          yield line;
        }
      };
      let bar: Progress | undefined;
      let phase = '';
      const report = await withDatabase(io, async (h) => {
        const r = await importQuestions(h.db, lines, {
          skipInvalid: values['skip-invalid'] === true,
          // Image files a line lists are read from the import file's folder.
          images: {
            dir: path.dirname(file),
            blobs: siteBlobStore(config, h.db, systemClock),
            limits: config.images,
          },
          onProgress: (p, done, total) => {
            if (p !== phase) {
              bar?.stop();
              phase = p;
              bar = createProgress(p === 'check' ? 'Checking' : p === 'images' ? 'Storing images' : 'Importing', Math.max(total, 1));
            }
            bar?.update(done, total || undefined);
          },
        });
        if (r.added > 0) await refreshPlannerStatistics(h.engine, h.db);
        return r;
      });
      bar?.stop();
      for (const bad of report.invalid) {
        for (const issue of bad.issues) io.err(`line ${bad.line}: ${issue.field} ${issue.message}\n`);
      }
      if (!report.committed) {
        out(
          `Nothing imported: ${report.invalid.length} of ${report.lines} line(s) are invalid (listed above). Fix them, or pass --skip-invalid to import the rest.`,
        );
        return 1;
      }
      out(
        `Imported ${report.added} question(s); ${report.alreadyPresent} already present` +
          (report.invalid.length > 0 ? `; ${report.invalid.length} invalid line(s) skipped (listed above).` : '.'),
      );
      return report.invalid.length > 0 ? 2 : 0;
    }
    case 'generate': {
      const { values } = parseArgs({
        args: rest,
        options: { questions: { type: 'string' }, seed: { type: 'string' }, batch: { type: 'string' } },
      });
      const questions = positiveInt(values.questions, 'questions');
      const seed = positiveInt(values.seed, 'seed', 1);
      const batchSize = Math.min(positiveInt(values.batch, 'batch', 500), 2000);
      const [{ generateQuestions }, { refreshPlannerStatistics }, { createProgress }] = await Promise.all([
        import('./modules/content/generate.service.ts'),
        import('./db/dialect.ts'),
        import('./lib/progress.ts'),
      ]);
      const signal = interruptSignal(io, cleanups);
      const bar = createProgress('Generating', questions);
      const started = Date.now();
      const report = await withDatabase(io, async (h) => {
        const refreshStatistics = () => refreshPlannerStatistics(h.engine, h.db);
        const r = await generateQuestions(h.db, {
          questions,
          seed,
          batchSize,
          signal,
          onProgress: (d) => bar.update(d),
          refreshStatistics,
        });
        if (r.added > 0) await refreshPlannerStatistics(h.engine, h.db);
        return r;
      });
      bar.stop();
      const secs = (Date.now() - started) / 1000;
      out(
        `${report.interrupted ? 'Interrupted: ' : ''}added ${report.added} question(s), ${report.alreadyPresent} already present, in ${secs.toFixed(1)} s` +
          (report.interrupted ? '. Run the same command again to continue.' : '.'),
      );
      return report.interrupted ? 130 : 0;
    }
    case 'reindex': {
      if (rest.length > 0) throw new UsageError('reindex takes no arguments');
      const [{ RebuildInterrupted, rebuildSearchIndex }, { createProgress }] = await Promise.all([
        import('./modules/search/index.ts'),
        import('./lib/progress.ts'),
      ]);
      const signal = interruptSignal(io, cleanups);
      const bar = createProgress('Reindexing', 1);
      const started = Date.now();
      try {
        const indexed = await withDatabase(io, (h) =>
          rebuildSearchIndex(h, { signal, onProgress: (done, total) => bar.update(done, total) }),
        );
        bar.stop();
        out(`Search index rebuilt: ${indexed} published question(s) in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
        return 0;
      } catch (err) {
        bar.stop();
        if (!(err instanceof RebuildInterrupted)) throw err;
        out('Interrupted: the search index was left as it was.');
        return 130;
      }
    }
    case 'images': {
      const [sub, ...args] = rest;
      if (sub !== 'prune') throw new UsageError('the images command has one subcommand: images prune');
      const { values, positionals } = parseArgs({
        args,
        allowPositionals: true,
        options: { 'older-than-hours': { type: 'string' }, 'dry-run': { type: 'boolean' } },
      });
      if (positionals.length > 0)
        throw new UsageError('images prune takes only options: scholia images prune [--older-than-hours 24] [--dry-run]');
      const hours = positiveInt(values['older-than-hours'], 'older-than-hours', 24);
      const dryRun = values['dry-run'] === true;
      const config = loadConfig(io.env, io.cwd);
      const [{ pruneUnusedImages, siteBlobStore }, { systemClock }, { createProgress }] = await Promise.all([
        import('./modules/images/index.ts'),
        import('./lib/time.ts'),
        import('./lib/progress.ts'),
      ]);
      const signal = interruptSignal(io, cleanups);
      const bars = phasedProgress(createProgress, { images: 'Images', files: 'Files' });
      const report = await withDatabase(io, (h) =>
        pruneUnusedImages(
          { db: h.db, blobs: siteBlobStore(config, h.db, systemClock), clock: systemClock },
          { olderThanHours: hours, dryRun, signal, onProgress: bars.update },
        ),
      ).finally(bars.stop);
      const age = `uploaded over ${hours} hour(s) ago`;
      if (dryRun) {
        out(`Dry run: ${report.unused} of ${report.looked} image(s) ${age} are used nowhere and would be removed. Nothing was changed.`);
        return 0;
      }
      out(`Removed ${report.unused} of ${report.looked} image(s) ${age}: no question, answer or guide used them.`);
      if (report.interrupted) {
        out('Interrupted: the images removed so far stay removed; run the same command again to finish (and delete their files).');
        return 130;
      }
      out(`Deleted ${report.filesDeleted} file(s) no image needs, of ${report.filesChecked} looked at.`);
      return 0;
    }
    case 'render': {
      if (rest.length > 0) throw new UsageError('render takes no arguments');
      const [{ rerenderStoredHtml }, { createProgress }] = await Promise.all([
        import('./modules/content/rerender.service.ts'),
        import('./lib/progress.ts'),
      ]);
      const signal = interruptSignal(io, cleanups);
      const bar = createProgress('Rendering', 1);
      const started = Date.now();
      const report = await withDatabase(io, (h) =>
        rerenderStoredHtml(h.db, { signal, onProgress: (done, total) => bar.update(done, total) }),
      );
      bar.stop();
      const secs = ((Date.now() - started) / 1000).toFixed(1);
      out(
        `${report.interrupted ? 'Interrupted: ' : ''}read ${report.read} text(s), ${report.changed} rendered anew, in ${secs} s` +
          (report.interrupted ? '. Run the same command again to finish.' : '.'),
      );
      return report.interrupted ? 130 : 0;
    }
    case 'billing': {
      const [sub] = rest;
      if (sub !== 'reconcile') throw new UsageError('the billing command has one subcommand: billing reconcile');
      const config = loadConfig(io.env, io.cwd);
      if (!config.stripe) throw new UsageError('billing reconcile needs Stripe mode: set STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET');
      const stripe = config.stripe;
      const [{ reconcileAll, stripeBilling }, { handOffMailer }, { systemClock }, { createProgress }] = await Promise.all([
        import('./modules/membership/index.ts'),
        import('./modules/mail/index.ts'),
        import('./lib/time.ts'),
        import('./lib/progress.ts'),
      ]);
      const result = await withDatabase(io, async (h) => {
        let bar: Progress | undefined;
        let done = 0;
        return reconcileAll(
          {
            db: h.db,
            billing: stripeBilling(stripe),
            clock: systemClock,
            mailer: handOffMailer(h.db, systemClock, config.smtpUrl !== null),
            site: { name: config.siteName, url: config.siteUrl },
            trialHours: config.trialHours,
            reminderHours: config.trialReminderHours,
          },
          {
            start: (total) => {
              bar = createProgress('Reconciling', total);
            },
            tick: () => bar?.update(++done),
            stop: () => bar?.stop(),
          },
        );
      });
      out(
        `Reconciled ${result.customers} customers with Stripe${result.failed ? `; ${result.failed} failed (see above), run again later` : ''}.`,
      );
      return result.failed > 0 ? 1 : 0;
    }
    case 'user': {
      const [sub, ...args] = rest;
      if (sub !== 'create') throw new UsageError('the user command has one subcommand: user create');
      const { values } = parseArgs({
        args,
        options: {
          email: { type: 'string' },
          name: { type: 'string' },
          role: { type: 'string' },
          password: { type: 'string' },
          subjects: { type: 'string' },
        },
      });
      if (!values.email || !values.name) throw new UsageError('user create needs --email and --name');
      const { createUser } = await import('./modules/accounts/index.ts');
      const user = await withDatabase(io, (h) =>
        createUser(h.db, {
          email: values.email as string,
          name: values.name as string,
          role: values.role ?? 'student',
          ...(values.password !== undefined ? { password: values.password } : {}),
          subjects: values.subjects ? values.subjects.split(',').map((s) => s.trim()) : [],
        }),
      );
      out(`Created ${user.role} ${user.name} <${user.email}> (id ${user.id}).`);
      return 0;
    }
    case 'backup': {
      const { report, file, seconds } = await siteFileCommand(io, cleanups, rest, {
        command: 'backup',
        phases: { rows: 'Backing up', images: 'Images' },
        // Opening a SQLite file that is not there would make an empty one.
        check: (config) => {
          if (config.database.engine === 'sqlite' && !existsSync(config.database.file))
            throw new InputError([
              { field: 'backup', message: `there is no site to back up: ${config.database.file} does not exist (is DATA_DIR right?)` },
            ]);
        },
        run: (ops, h, options) => ops.backupSite(h, options),
      });
      for (const t of report.unknownTables) io.err(`Warning: the table ${t} is not Scholia's, so it is not in the backup.\n`);
      if (report.interrupted) {
        out('Interrupted: no backup was written.');
        return 130;
      }
      out(
        `Backed up ${report.rows} row(s) in ${report.tables} tables and ${report.images} image file(s) to ${report.file} ` +
          `(${(report.bytes / 1048576).toFixed(1)} MiB) in ${seconds.toFixed(1)} s.`,
      );
      out(
        `SHA-256 ${report.sha256}, also in ${path.basename(file)}.sha256 (check a copy with: sha256sum -c ${path.basename(file)}.sha256).`,
      );
      return 0;
    }
    case 'restore': {
      const { ops, report } = await siteFileCommand(io, cleanups, rest, {
        command: 'restore',
        phases: { check: 'Checking', restore: 'Restoring', images: 'Images', verify: 'Verifying', reindex: 'Reindexing' },
        run: (ops, h, options) => ops.restoreSite(h, options),
      });
      if (report.interrupted) {
        out('Interrupted: nothing was restored; the database holds what it held before.');
        return 130;
      }
      const verdict = ops.verificationLines(report.checks, report.imagesCheck);
      if (!report.ok) {
        for (const line of verdict) out(line);
        out('The restored site does not match the backup (above); do not start it on this database.');
        return 1;
      }
      out(
        `Restored ${report.rows} row(s) and ${report.images} image file(s) from the backup of ${report.backupCreatedAt} (${report.backupEngine}).`,
      );
      out(verdict.slice(report.checks.length).join(' '));
      if (report.migratedAfter.length > 0) out(`Then brought the schema up to date: ${report.migratedAfter.join(', ')}.`);
      out(`Search index rebuilt: ${report.indexed} published question(s).`);
      return 0;
    }
    case 'move': {
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { to: { type: 'string' } } });
      if (positionals.length > 0 || !values.to) throw new UsageError('move needs the target: scholia move --to postgres://USER@HOST/DB');
      const config = loadConfig(io.env, io.cwd);
      if (config.database.engine !== 'sqlite')
        throw new InputError([
          {
            field: 'move',
            message: 'this site already runs on PostgreSQL; move copies a SQLite site (between two databases, use backup and restore)',
          },
        ]);
      if (!existsSync(config.database.file))
        throw new InputError([
          { field: 'move', message: `there is no site to move: ${config.database.file} does not exist (is DATA_DIR right?)` },
        ]);
      let targetConfig: ReturnType<typeof loadConfig> | undefined;
      try {
        targetConfig = loadConfig({ ...io.env, DATABASE_URL: values.to }, io.cwd);
      } catch (err) {
        if (!(err instanceof ConfigError) || err.variable !== 'DATABASE_URL') throw err;
      }
      if (targetConfig?.database.engine !== 'postgres')
        throw new UsageError('--to must be a PostgreSQL URL, e.g. postgres://scholia@127.0.0.1:5432/scholia');
      const to = targetConfig.database.url;
      const shown = safeUrl(to);
      const [{ moveSite, verificationLines }, { siteBlobStore }, { createProgress }, { connect }] = await Promise.all([
        import('./modules/operations/index.ts'),
        import('./modules/images/index.ts'),
        import('./lib/progress.ts'),
        import('./db/connect.ts'),
      ]);
      // Files on this disk, or one bucket, serve both sites as they are; the database store is per database.
      const store = targetConfig.images.store;
      const sameStore = store === config.images.store && store !== 'database';
      const signal = interruptSignal(io, cleanups);
      const bars = phasedProgress(createProgress, { copy: 'Copying', images: 'Images', verify: 'Verifying', reindex: 'Reindexing' });
      const target = connect({ engine: 'postgres', url: to, poolSize: 4 });
      const source = config.database.file;
      let report: Awaited<ReturnType<typeof moveSite>>;
      try {
        try {
          await target.ping();
        } catch (err) {
          throw new InputError([
            {
              field: '--to',
              message: `cannot reach the PostgreSQL database ${shown}: ${err instanceof Error ? err.message : String(err)}`,
            },
          ]);
        }
        report = await withDatabase(
          io,
          (h) =>
            moveSite(h, target, {
              sourceId: source,
              sourceImages: (db) => siteBlobStore(config, db),
              targetImages: sameStore ? null : (db) => siteBlobStore(targetConfig, db),
              signal,
              onProgress: bars.update,
            }),
          { migrate: false },
        );
      } finally {
        bars.stop();
        await target.close();
      }
      for (const t of report.unknownTables) io.err(`Warning: the table ${t} is not Scholia's, so it was not moved.\n`);
      if (report.interrupted) {
        out('Interrupted: the tables copied so far stay copied. Run the same command again to finish the move.');
        return 130;
      }
      out(
        report.resumed
          ? `Went on with an interrupted move: ${report.tablesCopied} table(s) copied now, ${report.tables - report.tablesCopied} before.`
          : `Copied ${report.rows} row(s) in ${report.tables} tables from ${source} to ${shown}.`,
      );
      if (report.recopied.length > 0) out(`The site had changed since the interrupted run: copied again ${report.recopied.join(', ')}.`);
      out('Verification, SQLite against PostgreSQL (rows and SHA-256 digest of each table):');
      for (const line of verificationLines(report.checks, report.imagesCheck ?? undefined)) out(line);
      if (!report.ok) {
        out(
          'The copy does not match: the SQLite site changed since the move began. What differs was emptied; stop the site, then run the same command again to copy it anew.',
        );
        return 1;
      }
      out(
        sameStore
          ? `Images stay where they are (${store === 'files' ? `files under ${path.join(config.dataDir, 'images')}` : 'the S3 bucket'}): keep IMAGE_STORE=${store}${store === 'files' ? ' and this DATA_DIR' : ''} for the site on PostgreSQL.`
          : `Images: ${report.imagesCopied} file(s) copied into the ${store === 'database' ? "database (IMAGE_STORE=database, PostgreSQL's default)" : `${store} image store`}.`,
      );
      out(`Search index rebuilt: ${report.indexed} published question(s).`);
      out(`Done. Start the site with DATABASE_URL=${shown}.`);
      return 0;
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      out(HELP);
      return 0;
    default:
      throw new UsageError(`unknown command: ${command}`);
  }
}

type Operations = typeof import('./modules/operations/index.ts');

/** What backup and restore pass to their use case besides the database. */
type SiteFileOptions = Required<Pick<BackupOptions, 'file' | 'force' | 'signal' | 'imageStore'>> & {
  readonly onProgress: (phase: string, done: number, total: number) => void;
};

/**
 * What `backup FILE [--force]` and `restore FILE [--force]` share: the one file, the site's image store, a progress
 * bar per phase, Ctrl-C, and the database as it is (a backup copies the schema it finds; a restore migrates itself).
 */
async function siteFileCommand<R>(
  io: CliIo,
  cleanups: Array<() => void>,
  args: string[],
  spec: {
    readonly command: 'backup' | 'restore';
    /** The label of each phase's progress bar. */
    readonly phases: Record<string, string>;
    /** Refuses before the database is opened. */
    readonly check?: (config: Config) => void;
    readonly run: (ops: Operations, h: DatabaseHandle, options: SiteFileOptions) => Promise<R>;
  },
): Promise<{ ops: Operations; report: R; file: string; seconds: number }> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { force: { type: 'boolean' } } });
  if (positionals.length !== 1) throw new UsageError(`${spec.command} takes one file: scholia ${spec.command} FILE`);
  const file = path.resolve(io.cwd, positionals[0] as string);
  const config = loadConfig(io.env, io.cwd);
  spec.check?.(config);
  const [ops, { siteBlobStore }, { createProgress }] = await Promise.all([
    import('./modules/operations/index.ts'),
    import('./modules/images/index.ts'),
    import('./lib/progress.ts'),
  ]);
  const signal = interruptSignal(io, cleanups);
  const bars = phasedProgress(createProgress, spec.phases);
  const started = Date.now();
  const options: SiteFileOptions = {
    file,
    force: values.force === true,
    signal,
    onProgress: bars.update,
    imageStore: (db) => siteBlobStore(config, db),
  };
  const report = await withDatabase(io, (h) => spec.run(ops, h, options), { migrate: false }).finally(bars.stop);
  return { ops, report, file, seconds: (Date.now() - started) / 1000 };
}

/** One progress bar at a time for a command that works in phases, each with its own label and total. */
function phasedProgress(create: (label: string, total: number) => Progress, labels: Record<string, string>) {
  let bar: Progress | undefined;
  let current = '';
  return {
    update: (phase: string, done: number, total: number) => {
      if (phase !== current) {
        bar?.stop();
        current = phase;
        bar = create(labels[phase] ?? phase, Math.max(total, done, 1));
      }
      bar?.update(done, Math.max(total, done, 1));
    },
    stop: () => {
      bar?.stop();
      bar = undefined;
      current = '';
    },
  };
}

/** A database URL fit to print: the password, if any, left out. */
function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return 'the database given';
  }
}

/** What to tell an operator whose command stopped because a disk is full: which disk, and what to do. */
function diskFullMessage(err: unknown, io: CliIo): string {
  let database: ReturnType<typeof loadConfig>['database'] | undefined;
  let dataDir = '';
  try {
    ({ database, dataDir } = loadConfig(io.env, io.cwd));
  } catch {}
  const detail = err instanceof Error ? ` (${err.message})` : '';
  if (database?.engine === 'postgres')
    return `The PostgreSQL server's disk is full${detail}: it cannot save anything. Free space on the database server and try again.`;
  const where = database?.engine === 'sqlite' ? path.dirname(database.file) : dataDir;
  const free = database?.engine === 'sqlite' ? freeBytesNear(database.file) : null;
  return (
    `The disk holding DATA_DIR (${where}) is full${free !== null ? `: ${Math.floor(free / 1024)} KiB free` : ''}${detail}. ` +
    'Scholia cannot write its database there. Free some space on that disk, or point DATA_DIR at a disk with room, and start again.'
  );
}

/** One plain message for a failed command: what was wrong and, for usage, how to call it. */
function reportFailure(err: unknown, io: CliIo): void {
  if (err instanceof ConfigError) io.err(`Configuration error: ${err.message}\n`);
  else if (err instanceof UsageError) io.err(`${err.message}\n\n${HELP}\n`);
  else if (err instanceof InputError) for (const i of err.issues) io.err(`${i.field}: ${i.message}\n`);
  else if (err instanceof Error && (err as NodeJS.ErrnoException).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION')
    io.err(`${err.message}\n\n${HELP}\n`);
  else if (storageFault(err) === 'disk_full') io.err(`${diskFullMessage(err, io)}\n`);
  else io.err(`Error: ${err instanceof Error ? err.message : String(err)}\n`);
}
