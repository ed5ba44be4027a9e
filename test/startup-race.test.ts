import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { DEMO_USERS } from '../src/demo/seed.ts';
import { postgresUrl } from './helpers/environment.ts';
import { freePort, type Served, startServe } from './helpers/processes.ts';

/** Waits until the process answers /healthz, or fails with its log as soon as it exits (or the time is up). */
async function waitHealthy(s: Served, ms: number): Promise<Response> {
  let gone = false;
  void s.exited.then(() => {
    gone = true;
  });
  const until = Date.now() + ms;
  for (;;) {
    if (gone) throw new Error(`the process on port ${s.port} exited with ${s.child.exitCode} before it served:\n${s.log()}`);
    try {
      return await fetch(`http://127.0.0.1:${s.port}/healthz`);
    } catch {
      if (Date.now() > until) throw new Error(`the process on port ${s.port} did not answer within ${ms} ms:\n${s.log()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

describe.skipIf(!postgresUrl)('first start on an empty PostgreSQL', () => {
  it('the start-up race starts three processes on a fresh PostgreSQL database at once: all come up and the demo is seeded once', async () => {
    // A database of its own, not a schema of the test database: the processes must meet an empty database, as
    // on a site's first start, and take the start-up lock of a real deployment (advisory locks are per database).
    const name = `scholia_race_${randomBytes(5).toString('hex')}`;
    const admin = new pg.Client({ connectionString: postgresUrl });
    await admin.connect();
    await admin.query(`create database ${name}`);
    const url = new URL(postgresUrl as string);
    url.pathname = `/${name}`;
    const dataDir = mkdtempSync(path.join(tmpdir(), 'scholia-race-'));
    const started: Served[] = [];
    try {
      for (let i = 0; i < 3; i++)
        started.push(startServe(['--demo-if-empty'], await freePort(), dataDir, { DATABASE_URL: url.toString() }));
      const health = await Promise.all(started.map((s) => waitHealthy(s, 60_000)));
      for (const h of health) {
        expect(h.status).toBe(200);
        expect(await h.json()).toEqual({ status: 'ok', engine: 'postgres', database: 'ok', disk: 'ok' });
      }
      for (const s of started) expect(s.child.exitCode, s.log()).toBeNull();

      // Exactly one process loaded the demo; the others found it there.
      const seeded = started.flatMap((s) =>
        s
          .log()
          .trim()
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as { msg: string; usersAdded?: number; questionsAdded?: number })
          .filter((l) => l.msg === 'demo content loaded into the empty database'),
      );
      expect(seeded).toHaveLength(1);
      expect(seeded[0]?.usersAdded).toBe(DEMO_USERS.length);

      const db = new pg.Client({ connectionString: url.toString() });
      await db.connect();
      try {
        const count = async (q: string) => Number((await db.query<{ n: string }>(q)).rows[0]?.n);
        expect(await count(`select count(*) as n from users where email like '%@demo.scholia.test'`)).toBe(DEMO_USERS.length);
        expect(await count('select count(*) as n from questions where import_key is not null')).toBe(seeded[0]?.questionsAdded);
        // The house ad has no key to keep it single: a second seed would add another.
        expect(await count('select count(*) as n from ad_slots')).toBe(1);
      } finally {
        await db.end();
      }

      for (const s of started) s.child.kill('SIGTERM');
      for (const s of started) expect(await s.exited, s.log()).toBe(0);
    } finally {
      for (const s of started) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
      await Promise.all(started.map((s) => s.exited));
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
