import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, pruneAccountData } from '../src/modules/accounts/index.ts';
import { buildTestApp, type TestApp } from './helpers/app.ts';
import { engines } from './helpers/databases.ts';
import { Client, TestClock } from './helpers/http.ts';

const PW = 'maintenance password';

describe.each(engines)('pruning account data on %s', (engine) => {
  let t: TestApp;
  const clock = new TestClock();
  beforeAll(async () => {
    t = await buildTestApp(engine, { clock });
    await createUser(t.database.db, { email: 'idle@example.org', name: 'Idle', password: PW });
    await createUser(t.database.db, { email: 'active@example.org', name: 'Active', password: PW });
  });
  afterAll(async () => {
    await t.close();
  });

  const count = async (table: 'sessions' | 'auth_throttles' | 'rate_counters') =>
    Number(
      (
        await t.database.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('deletes old limit windows, forgotten lockout counters and dead sessions, and keeps live ones', async () => {
    const idle = new Client(t.app, '192.0.2.50');
    await idle.submit('/login', '/login', { email: 'idle@example.org', password: PW });
    await new Client(t.app, '192.0.2.51').submit('/login', '/login', { email: 'idle@example.org', password: 'wrong password' });
    expect(await count('auth_throttles')).toBeGreaterThan(0);
    expect(await count('rate_counters')).toBeGreaterThan(0);

    clock.advance(25 * 3600_000);
    const active = new Client(t.app, '192.0.2.52');
    await active.submit('/login', '/login', { email: 'active@example.org', password: PW });
    const windowsNow = await t.database.db.selectFrom('rate_counters').select('window_start').execute();
    await pruneAccountData(t.database.db, clock, 24 * 3600_000);

    expect(await count('auth_throttles')).toBe(0);
    // Only the current hour's window is left.
    const left = await t.database.db.selectFrom('rate_counters').select('window_start').execute();
    expect(left.length).toBeGreaterThan(0);
    expect(left.length).toBeLessThan(windowsNow.length);
    expect(await count('sessions')).toBe(1);
    expect((await active.get('/')).body).toContain('Signed in as </span>Active');
  });
});
