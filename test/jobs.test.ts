import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobRunner } from '../src/jobs/runner.ts';
import { siteJobs } from '../src/jobs/site-jobs.ts';
import { createUser } from '../src/modules/accounts/index.ts';
import { buildTestApp, type TestApp } from './helpers/app.ts';
import { engines } from './helpers/databases.ts';
import { makeQuestion } from './helpers/factories.ts';
import { Client, TestClock } from './helpers/http.ts';

const PW = 'jobs test password';

/** A log that keeps what it was told, so a test can see a job's failure. */
function keptLog() {
  const lines: Array<{ level: 'info' | 'error'; obj: Record<string, unknown>; msg: string }> = [];
  return {
    lines,
    info: (obj: object, msg: string) => void lines.push({ level: 'info', obj: obj as Record<string, unknown>, msg }),
    error: (obj: object, msg: string) => void lines.push({ level: 'error', obj: obj as Record<string, unknown>, msg }),
  };
}

describe.each(engines)('background jobs beside the app on %s', (engine) => {
  let t: TestApp;
  const clock = new TestClock();

  beforeAll(async () => {
    t = await buildTestApp(engine, { clock });
  });
  afterAll(async () => {
    await t.close();
  });

  it('runs the site jobs with what the app was built with: a trial ending soon gets its reminder mail once', async () => {
    const id = await makeQuestion(t.database.db, { subject: 'History', title: 'Why did the Roman Republic fall apart?' });
    await createUser(t.database.db, { email: 'soon@example.org', name: 'Soon Ending', password: PW });
    const c = new Client(t.app, '100.81.0.1');
    expect((await c.submit('/login', '/login', { email: 'soon@example.org', password: PW })).statusCode).toBe(303);
    const page = `/q/${id}/why-did-the-roman-republic-fall-apart`;
    expect((await c.submit(page, '/membership/trial', { next: page })).statusCode).toBe(303);

    const log = keptLog();
    const runner = new JobRunner(siteJobs(t.app.context), log);
    const names = siteJobs(t.app.context).map((j) => j.name);
    expect(names).toEqual(expect.arrayContaining(['trial-reminders', 'prune-accounts', 'overdue-allowances', 'prune-ask-drafts']));
    clock.advance(43 * 3600_000); // five hours of the 48 left
    for (const name of names) await runner.runNow(name);
    await runner.runNow('trial-reminders');
    await runner.stop();
    expect(log.lines.filter((l) => l.level === 'error')).toEqual([]);
    const mails = await t.database.db.selectFrom('outbox').select('subject').where('to_address', '=', 'soon@example.org').execute();
    expect(mails.map((m) => m.subject).filter((s) => s.includes('trial ends'))).toHaveLength(1);
  });
});

describe('the job runner', () => {
  it('logs a failing job and keeps running the others; stop waits for a job in flight', async () => {
    const log = keptLog();
    let finished = false;
    let release: () => void = () => {};
    const runner = new JobRunner(
      [
        { name: 'breaks', everyMs: 60_000, run: () => Promise.reject(new Error('the mail server said no')) },
        {
          name: 'slow',
          everyMs: 60_000,
          run: () =>
            new Promise<void>((resolve) => {
              release = () => {
                finished = true;
                resolve();
              };
            }),
        },
      ],
      log,
    );
    await runner.runNow('breaks');
    expect(log.lines).toEqual([
      expect.objectContaining({ level: 'error', msg: 'job failed', obj: expect.objectContaining({ job: 'breaks' }) }),
    ]);
    const inFlight = runner.runNow('slow');
    // A second turn while the first runs joins it rather than starting another.
    const again = runner.runNow('slow');
    const stopped = runner.stop().then(() => finished);
    release();
    await Promise.all([inFlight, again]);
    expect(await stopped).toBe(true);
    await expect(runner.runNow('missing')).rejects.toThrow('no job named missing');
  });
});
