import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { createUser } from '../src/modules/accounts/index.ts';
import { buildTestApp, type TestApp } from './helpers/app.ts';
import { Client, TestClock } from './helpers/http.ts';

// Behind a reverse proxy the client's address comes from X-Forwarded-For, but only the entries trusted proxies
// wrote: the leftmost ones are whatever the client sent, and must not let it walk past per-address lockouts.

const PASSWORD = 'correct horse battery';
const PROXY = '127.0.0.1';
const CLIENT = '198.51.100.77';

describe.each([
  ['a hop count', '1'],
  ['the proxy address', '127.0.0.1'],
  ['a CIDR range', '127.0.0.0/8'],
])('behind one trusted proxy named by %s (TRUST_PROXY=%s)', (_how, setting) => {
  let t: TestApp;
  const clock = new TestClock();
  beforeAll(async () => {
    const trustProxy = loadConfig({ TRUST_PROXY: setting }, '/tmp').trustProxy;
    t = await buildTestApp('sqlite', { clock, config: { trustProxy } });
    await createUser(t.database.db, { email: 'ana@example.org', name: 'Ana Student', password: PASSWORD });
  });
  afterAll(async () => {
    await t.close();
  });

  it('keeps a client that varies the leftmost X-Forwarded-For entry locked out', async () => {
    // The proxy appends the address it saw, as nginx's $proxy_add_x_forwarded_for does.
    const c = new Client(t.app, PROXY);
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      c.headers = { 'x-forwarded-for': `10.9.${i}.1, ${CLIENT}` };
      statuses.push((await c.submit('/login', '/login', { email: `spray${i}@example.org`, password: 'guess-123' })).statusCode);
    }
    expect(statuses.slice(0, 4)).toEqual([401, 401, 401, 401]);
    expect(statuses.slice(4)).toEqual([429, 429, 429, 429]);
    c.headers = { 'x-forwarded-for': `203.0.113.200, ${CLIENT}` };
    expect((await c.submit('/login', '/login', { email: 'ana@example.org', password: PASSWORD })).statusCode).toBe(429);
    // Another client behind the same proxy is not locked out by the first one.
    const other = new Client(t.app, PROXY, { 'x-forwarded-for': '198.51.100.78' });
    expect((await other.submit('/login', '/login', { email: 'ana@example.org', password: PASSWORD })).statusCode).toBe(303);
    clock.advance(31_000);
  });

  it('records the address the proxy saw, not the one the client wrote, on the session list', async () => {
    const c = new Client(t.app, PROXY, { 'x-forwarded-for': `6.6.6.6, ${CLIENT}` });
    clock.advance(16 * 60_000);
    expect((await c.submit('/login', '/login', { email: 'ana@example.org', password: PASSWORD })).statusCode).toBe(303);
    const account = await c.get('/account');
    expect(account.body).toContain(CLIENT);
    expect(account.body).not.toContain('6.6.6.6');
  });
});

describe('with no trusted proxy (the default)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp('sqlite');
  });
  afterAll(async () => {
    await t.close();
  });

  it('ignores X-Forwarded-For entirely', async () => {
    const c = new Client(t.app, '192.0.2.10', { 'x-forwarded-for': '6.6.6.6' });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      c.headers = { 'x-forwarded-for': `10.0.0.${i}` };
      statuses.push((await c.submit('/login', '/login', { email: `spray${i}@example.org`, password: 'guess-123' })).statusCode);
    }
    expect(statuses[4]).toBe(429);
  });
});
