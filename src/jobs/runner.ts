/**
 * Background work on a timer, outside the request path and outside `buildApp`: `scholia serve` starts a runner
 * beside the web server, tests build the app without one and run a job by hand when they need it.
 *
 * Every job runs in every app process. Each is written to be safe that way: a claim in the database makes a
 * reminder or the daily reconcile happen once across processes, and pruning twice deletes nothing twice.
 */
export interface Job {
  name: string;
  everyMs: number;
  run(): Promise<unknown>;
}

export interface JobLog {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Told when each run of a job ends (for /metrics: runs, failures and durations per job). */
export interface JobObserver {
  jobDone(job: string, ok: boolean, ms: number): void;
}

export class JobRunner {
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly running = new Map<string, Promise<void>>();
  private stopped = false;

  constructor(
    private readonly jobs: readonly Job[],
    private readonly log: JobLog,
    private readonly observer?: JobObserver,
  ) {}

  /** Starts each job's timer. A job still running when its next turn comes skips that turn. */
  start(): void {
    for (const job of this.jobs) {
      const timer = setInterval(() => void this.runJob(job), job.everyMs);
      // The timers alone never keep a process alive: the server does, and a CLI command may end.
      timer.unref();
      this.timers.push(timer);
    }
  }

  /** Runs one job now (by name) and waits for it; its failure is logged, not thrown. */
  async runNow(name: string): Promise<void> {
    const job = this.jobs.find((j) => j.name === name);
    if (!job) throw new Error(`no job named ${name}; jobs: ${this.jobs.map((j) => j.name).join(', ')}`);
    await this.runJob(job);
  }

  /** Stops the timers and waits for the jobs in flight, so the database is not closed under them. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers.splice(0)) clearInterval(t);
    await Promise.all(this.running.values());
  }

  private runJob(job: Job): Promise<void> {
    const inFlight = this.running.get(job.name);
    if (inFlight) return inFlight;
    if (this.stopped) return Promise.resolve();
    const started = Date.now();
    const done = job
      .run()
      .then(
        (result) => {
          this.observer?.jobDone(job.name, true, Date.now() - started);
          if (result !== undefined && result !== null && result !== 0)
            this.log.info({ job: job.name, result, ms: Date.now() - started }, 'job done');
        },
        (err: unknown) => {
          this.observer?.jobDone(job.name, false, Date.now() - started);
          this.log.error({ err, job: job.name }, 'job failed');
        },
      )
      .finally(() => this.running.delete(job.name));
    this.running.set(job.name, done);
    return done;
  }
}
