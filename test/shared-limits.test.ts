import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { createUser } from '../src/modules/accounts/index.ts';
import { type LimitStore, redisLimitStore } from '../src/modules/accounts/limits.service.ts';
import { testConfig } from './helpers/app.ts';
import { createTestDatabase, engines, type TestDatabase } from './helpers/databases.ts';
import { ci, redisUrl } from './helpers/environment.ts';
import { Client, TestClock } from './helpers/http.ts';

const PW = 'shared limits password';

// Two app processes, modelled as two apps: with the database store they share the database; with Redis each has a
// database of its own and only Redis in common, so any sharing seen below can only come through Redis.
const variants: Array<{ name: string; engine: 'sqlite' | 'postgres'; redis: boolean }> = [
  ...engines.map((engine) => ({ name: `database (${engine})`, engine, redis: false })),
  ...(redisUrl ? [{ name: 'Redis', engine: 'sqlite' as const, redis: true }] : []),
];

if (ci && !redisUrl) throw new Error('CI requires TEST_REDIS_URL for the Redis suite');

describe.each(variants)('limits shared across app processes: $name', ({ engine, redis }) => {
  const clock = new TestClock();
  const databases: TestDatabase[] = [];
  const clients: Redis[] = [];
  const apps: Awaited<ReturnType<typeof buildApp>>[] = [];
  const prefix = `scholia-test:${randomBytes(6).toString('hex')}:`;

  beforeAll(async () => {
    const shared = await createTestDatabase(engine);
    databases.push(shared);
    for (let i = 0; i < 2; i++) {
      const database = redis && i === 1 ? await createTestDatabase(engine) : shared;
      if (database !== shared) databases.push(database);
      let limitStore: LimitStore | undefined;
      if (redis) {
        const client = new Redis(redisUrl as string);
        clients.push(client);
        limitStore = redisLimitStore(client, prefix);
      }
      if (database === shared && i === 1) {
        // Same database: the second app sees the first app's users.
      } else {
        await createUser(database.db, { email: 'both@example.org', name: 'Both', password: PW });
      }
      apps.push(await buildApp(testConfig, { database, clock, logger: false, ...(limitStore ? { limitStore } : {}) }));
    }
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    for (const c of clients) await c.quit();
    for (const d of databases) await d.destroy();
  });

  it('locks an account on every process after five failures on any of them', async () => {
    const [a, b] = apps as [Awaited<ReturnType<typeof buildApp>>, Awaited<ReturnType<typeof buildApp>>];
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const app = i % 2 === 0 ? a : b;
      statuses.push(
        (await new Client(app, `192.0.2.${10 + i}`).submit('/login', '/login', { email: 'both@example.org', password: 'wrong guess' }))
          .statusCode,
      );
    }
    expect(statuses).toEqual([401, 401, 401, 401, 429]);
    // The right password, on the other process, from yet another address: still locked.
    expect((await new Client(b, '192.0.2.99').submit('/login', '/login', { email: 'both@example.org', password: PW })).statusCode).toBe(
      429,
    );
    clock.advance(31_000);
    expect((await new Client(b, '192.0.2.98').submit('/login', '/login', { email: 'both@example.org', password: PW })).statusCode).toBe(
      303,
    );
  });

  it('counts hourly limits across processes', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const app = apps[i % 2] as Awaited<ReturnType<typeof buildApp>>;
      // What the browser shows: the code page after the redirect, or the limit (429).
      const c = new Client(app, '192.0.2.200');
      statuses.push((await c.follow(await c.submit('/login/code', '/login/code', { email: 'both@example.org' }))).statusCode);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
  });
});
