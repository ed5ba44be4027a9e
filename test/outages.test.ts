import { connect as netConnect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../src/modules/accounts/index.ts';
import { buildTestApp, type TestApp } from './helpers/app.ts';
import { engines } from './helpers/databases.ts';
import { redisUrl } from './helpers/environment.ts';
import { makeQuestion } from './helpers/factories.ts';
import { Client, TestClock } from './helpers/http.ts';
import { freePort } from './helpers/processes.ts';

// What operators and attackers meet at the edges: Redis gone, personal pages and proxies' caches, addresses
// longer than Node accepts.

const PW = 'outage test password';

describe.each(engines)('with REDIS_URL pointing at a dead server on %s', (engine) => {
  let t: TestApp;
  const clock = new TestClock();
  beforeAll(async () => {
    t = await buildTestApp(engine, { clock, config: { redisUrl: `redis://127.0.0.1:${await freePort()}` } });
    await createUser(t.database.db, { email: 'ana@example.org', name: 'Ana Student', password: PW });
  });
  afterAll(async () => {
    await t.close();
  });

  it('signs in and still locks out, counting in the database, without a 500 or a long wait', async () => {
    const c = new Client(t.app, '198.51.100.30');
    const ok = await c.submit('/login', '/login', { email: 'ana@example.org', password: PW });
    expect(ok.statusCode).toBe(303);
    const statuses: number[] = [];
    let slowest = 0;
    for (let i = 0; i < 6; i++) {
      const started = Date.now();
      const res = await new Client(t.app, '198.51.100.31').submit('/login', '/login', { email: 'ana@example.org', password: 'wrong one' });
      slowest = Math.max(slowest, Date.now() - started);
      statuses.push(res.statusCode);
    }
    expect(statuses.slice(0, 4)).toEqual([401, 401, 401, 401]);
    expect(statuses[4]).toBe(429);
    // A bound on waiting for Redis, not a speed figure: before, each request hung about 3 s and then failed.
    expect(slowest).toBeLessThan(2000);
    const throttled = await t.database.db.selectFrom('auth_throttles').select('key').execute();
    expect(throttled.length).toBeGreaterThan(0);
  });

  it('answers /healthz with 503 and says Redis is down', async () => {
    const res = await t.app.inject('/healthz');
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ status: 'unavailable', redis: 'down', database: 'ok', engine });
  });
});

describe.runIf(redisUrl)('with a live Redis', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp('sqlite', { config: { redisUrl: redisUrl as string } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('reports Redis as ok on /healthz', async () => {
    // The client connects in the background; the first health check may come before it has.
    let res = await t.app.inject('/healthz');
    for (let i = 0; i < 20 && res.statusCode !== 200; i++) {
      await new Promise((r) => setTimeout(r, 100));
      res = await t.app.inject('/healthz');
    }
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', engine: 'sqlite', database: 'ok', disk: 'ok', redis: 'ok' });
  });
});

describe('caching of personal pages and framing headers', () => {
  let t: TestApp;
  let questionUrl: string;
  beforeAll(async () => {
    t = await buildTestApp('sqlite');
    await createUser(t.database.db, { email: 'mia@example.org', name: 'Mia Member', password: PW });
    await createUser(t.database.db, { email: 'eddie@example.org', name: 'Eddie Editor', password: PW, role: 'editor' });
    const id = await makeQuestion(t.database.db, { title: 'Why do leaves change colour in autumn?', subject: 'Science' });
    questionUrl = `/q/${id}/why-do-leaves-change-colour-in-autumn`;
  });
  afterAll(async () => {
    await t.close();
  });

  it('marks every signed-in page private, no-store, and a visitor’s question page not', async () => {
    const visitor = await t.app.inject(questionUrl);
    expect(visitor.statusCode).toBe(200);
    expect(String(visitor.headers['cache-control'] ?? '')).not.toContain('no-store');

    const member = new Client(t.app, '198.51.100.40');
    expect((await member.submit('/login', '/login', { email: 'mia@example.org', password: PW })).statusCode).toBe(303);
    expect((await member.submit(questionUrl, '/membership/trial', { next: questionUrl })).statusCode).toBe(303);
    const editor = new Client(t.app, '198.51.100.41');
    const signIn = await editor.submit('/login', '/login', { email: 'eddie@example.org', password: PW });
    expect(signIn.headers['cache-control']).toBe('private, no-store');

    for (const [who, c, paths] of [
      ['member', member, [questionUrl, '/account', '/account/billing', '/ask', '/membership', '/', '/notifications']],
      ['editor', editor, ['/editor', '/account']],
    ] as const) {
      for (const path of paths) {
        const res = await c.get(path);
        expect(res.statusCode, `${who} ${path}`).toBeLessThan(400);
        expect(res.headers['cache-control'], `${who} ${path}`).toBe('private, no-store');
      }
    }
  });

  it('forbids framing once, by the content security policy, without a contradicting X-Frame-Options', async () => {
    const res = await t.app.inject('/');
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['x-frame-options']).toBeUndefined();
  });
});

describe('addresses longer than the site accepts', () => {
  let t: TestApp;
  let port: number;
  beforeAll(async () => {
    t = await buildTestApp('sqlite');
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    port = (t.app.server.address() as { port: number }).port;
  });
  afterAll(async () => {
    await t.close();
  });

  /** Sends one request over a real socket (inject would skip Node's HTTP parser) and reads the whole answer. */
  const raw = (request: string) =>
    new Promise<string>((resolve, reject) => {
      const socket = netConnect(port, '127.0.0.1', () => socket.end(request));
      let data = '';
      socket.setEncoding('utf8');
      socket.on('data', (d) => {
        data += d;
      });
      socket.on('end', () => resolve(data));
      socket.on('close', () => resolve(data));
      socket.on('error', reject);
    });

  it('answers a search of 2,000 emoji with the site’s own 414 page, not Node’s bare 431', async () => {
    const q = encodeURIComponent('📚'.repeat(2000));
    const answer = await raw(`GET /search?q=${q} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 414 /);
    expect(answer).toContain('text/html');
    expect(answer).toContain('That address is too long');
  });

  it('answers oversized headers with its own page too', async () => {
    const answer = await raw(`GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: x=${'a'.repeat(20_000)}\r\nConnection: close\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 431 /);
    expect(answer).toContain('Clear this site’s cookies');
  });
});
