import { createReadStream, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
// Only what the help, usage errors and the error report need is imported here; each command imports its own code
// when it runs (`await import(...)`), so `scholia --help` answers at once. Keep these imports light.
import { ConfigError, loadConfig } from './config.ts';
import type { DatabaseHandle } from './db/connect.ts';
import { freeBytesNear, storageFault } from './db/faults.ts';
import { InputError } from './lib/errors.ts';
import type { Progress } from './lib/progress.ts';
import { ROLES } from './modules/accounts/user.ts';

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
  billing reconcile                Bring every membership in line with Stripe (Stripe mode)
  user create --email E --name N --role ROLE [--password P] [--subjects a,b]
                                   Create an account (roles: ${ROLES.join(', ')})

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
      const [{ withStartupLock }, { seedDemo }] = await Promise.all([import('./db/dialect.ts'), import('./demo/seed.ts')]);
      // Under the start-up lock, like `serve --demo-if-empty`: two seeds at once would both try to add the same accounts.
      const report = await withDatabase(io, (h) => withStartupLock(h, (locked) => seedDemo(locked.db)));
      out(`Demo content: ${report.usersAdded} account(s) and ${report.questionsAdded} question(s) added.`);
      return 0;
    }
    case 'import': {
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { 'skip-invalid': { type: 'boolean' } } });
      const file = positionals[0];
      if (!file || positionals.length > 1) throw new UsageError('import takes one file: scholia import FILE.jsonl');
      if (!existsSync(file) || !statSync(file).isFile()) throw new UsageError(`no such file: ${file}`);
      const [{ importQuestions }, { refreshPlannerStatistics }, { createProgress }] = await Promise.all([
        import('./modules/content/import.service.ts'),
        import('./db/dialect.ts'),
        import('./lib/progress.ts'),
      ]);
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
          onProgress: (p, done, total) => {
            if (p !== phase) {
              bar?.stop();
              phase = p;
              bar = createProgress(p === 'check' ? 'Checking' : 'Importing', Math.max(total, 1));
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
        const r = await generateQuestions(h.db, { questions, seed, batchSize, signal, onProgress: (d) => bar.update(d) });
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
