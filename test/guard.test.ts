import type { FastifyInstance, RouteOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { createUser } from '../src/modules/accounts/index.ts';
import { unguardedMethods } from '../src/platform/guard.tsx';
import { buildTestApp, type TestApp, testConfig } from './helpers/app.ts';
import { createTestDatabase, engines } from './helpers/databases.ts';
import { Client } from './helpers/http.ts';

const PW = 'guard test password';

describe('every unsafe route declares who may use it', () => {
  it('lists no POST, PUT, PATCH or DELETE route without config.allow, and refuses to register one', async () => {
    const database = await createTestDatabase('sqlite');
    const seen: RouteOptions[] = [];
    let app: FastifyInstance | undefined;
    try {
      // Building the app registers every route of every module: one unsafe route without `allow` would throw here.
      app = await buildApp(testConfig, { database, logger: false });
      app.addHook('onRoute', (route) => void seen.push(route));
      expect(() => app?.post('/guard-test/forgotten', async () => 'done')).toThrow(/declares no config.allow/);
      expect(() => app?.route({ method: ['GET', 'DELETE'], url: '/guard-test/forgotten-too', handler: async () => 'done' })).toThrow(
        /DELETE \/guard-test\/forgotten-too declares no config.allow/,
      );
      app.post('/guard-test/declared', { config: { allow: 'anyone' } }, async () => 'done');
      expect(seen.map((r) => r.url)).toContain('/guard-test/declared');
      expect(unguardedMethods({ method: 'POST', url: '/x', handler: async () => '' } as RouteOptions)).toEqual(['POST']);
    } finally {
      await app?.close();
      await database.destroy();
    }
  });
});

describe.each(engines)('the guard on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(engine);
    await createUser(t.database.db, { email: 'guarded@example.org', name: 'Guarded Student', password: PW });
  });
  afterAll(async () => {
    await t.close();
  });

  const signedIn = async () => {
    const c = new Client(t.app, '100.82.0.1');
    expect((await c.submit('/login', '/login', { email: 'guarded@example.org', password: PW })).statusCode).toBe(303);
    return c;
  };

  it('sends a visitor to sign in and come back, from a page and from a form', async () => {
    const visitor = new Client(t.app);
    const page = await visitor.get('/notifications');
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toBe('/login?next=%2Fnotifications');
    const form = await visitor.post('/notifications/read', {});
    expect(form.statusCode).toBe(303);
    expect(form.headers.location).toBe('/login?next=%2Fnotifications');
  });

  it('gives a signed-in person a 403 page for a role they do not have', async () => {
    const c = await signedIn();
    const res = await c.get('/admin/plans');
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('<h1');
  });

  it('refuses a form without a valid token, changes nothing, and gives back what was typed with a fresh token', async () => {
    const c = await signedIn();
    await c.get('/account');
    const res = await c.post('/account/notifications', { _csrf: 'forged', email: 'off', note: 'Typed by hand, kept.' });
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('That form had expired');
    expect(res.body).toContain('Typed by hand, kept.');
    expect(res.body).not.toContain('value="forged"');
    expect(res.body).toMatch(/name="_csrf" value="[^"]+"/);
    // Sending it again from that page works: the token given back is good.
    const again = await c.submit('/account', '/account/notifications', { email: 'off' });
    expect(again.statusCode).toBe(303);
  });

  it('turns a form field the schema refuses into a 422 page with the text kept, and a bad id in an address into a 404', async () => {
    const c = await signedIn();
    const res = await c.submit('/account', '/account/notifications', { email: 'x'.repeat(50), note: 'Still here.' });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('Email: at most 5 characters.');
    expect(res.body).toContain('Still here.');
    expect((await c.get('/q/not-a-number/some-slug')).statusCode).toBe(404);
  });
});
