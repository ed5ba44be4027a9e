import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { connect, type DatabaseHandle } from '../src/db/connect.ts';
import { migrateToLatest } from '../src/db/migrator.ts';
import { testConfig } from './helpers/app.ts';
import { makeQuestion } from './helpers/factories.ts';

// Visitors' cached question pages are answered before Fastify sees the request (src/platform/front-door.ts). These
// tests go over real HTTP, since app.inject never passes through the server the front door sits in, and count the
// requests that reach Fastify to tell which way each response took.

interface Response {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

function get(base: string, pathname: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}${pathname}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const kept: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined && k !== 'date') kept[k] = String(v);
        resolve({ status: res.statusCode ?? 0, headers: kept, body: Buffer.concat(chunks) });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the front door (visitors’ cached question pages)', () => {
  let dir: string;
  let file: string;
  let database: DatabaseHandle;
  let app: FastifyInstance;
  let base: string;
  let path1: string;
  let mathPath: string;
  let id: number;
  /** Requests that reached Fastify. */
  let reachedFastify = 0;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'scholia-door-'));
    file = path.join(dir, 'site.db');
    database = connect({ engine: 'sqlite', file });
    await migrateToLatest(database);
    id = await makeQuestion(database.db, {
      title: 'Why did the Roman Republic fall?',
      quickAnswer: 'Generals with private armies and a Senate that could not reform.',
    });
    const mathId = await makeQuestion(database.db, {
      subject: 'Math',
      title: 'How do I solve a quadratic equation?',
      answer: 'Use the formula $x = \\frac{-b \\pm \\sqrt{b^2-4ac}}{2a}$ for any quadratic.',
    });
    app = await buildApp(testConfig, { database, logger: false });
    app.addHook('onRequest', (_request, _reply, done) => {
      reachedFastify++;
      done();
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    path1 = (await get(base, `/q/${id}`)).headers.location as string;
    mathPath = (await get(base, `/q/${mathId}`)).headers.location as string;
    expect(path1).toMatch(new RegExp(`^/q/${id}/`));
  });

  afterAll(async () => {
    await app?.close();
    await database?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const acceptEncoding of ['br, gzip', 'gzip', undefined]) {
    it(`sends a cached page with the route's very bytes and headers (Accept-Encoding: ${acceptEncoding ?? 'none'})`, async () => {
      const headers: Record<string, string> = acceptEncoding ? { 'accept-encoding': acceptEncoding } : {};
      // The page may or may not be cached yet: a request through the route makes sure it is, and is the reference.
      const before = reachedFastify;
      const viaRoute = await get(base, `${path1}?ref=${encodeURIComponent(String(acceptEncoding))}`, {
        ...headers,
        cookie: 'scholia_session=none',
      });
      expect(reachedFastify).toBe(before + 1);
      // A bogus session cookie is cleared by the route; the visitor's own page is the same otherwise.
      expect(viaRoute.headers['set-cookie']).toContain('scholia_session=;');
      await get(base, path1, headers);
      const counted = reachedFastify;
      const viaDoor = await get(base, path1, headers);
      expect(reachedFastify).toBe(counted);
      const { 'set-cookie': _cleared, 'cache-control': routeCacheControl, ...routeHeaders } = viaRoute.headers;
      expect(routeCacheControl).toBe('private, no-store');
      const reference = await get(base, path1, headers);
      expect(viaDoor.status).toBe(200);
      expect(viaDoor.headers).toEqual(reference.headers);
      expect(viaDoor.body.equals(reference.body)).toBe(true);
      expect(viaDoor.headers['content-encoding']).toBe(acceptEncoding ? acceptEncoding.split(',')[0] : undefined);
      const { 'cache-control': _c, ...doorHeaders } = viaDoor.headers;
      expect(doorHeaders).toEqual(routeHeaders);
    });
  }

  it('matches the route for a page with math (its style policy), for HEAD and for a 304', async () => {
    await get(base, mathPath);
    await get(base, mathPath);
    const counted = reachedFastify;
    const page = await get(base, mathPath, { 'accept-encoding': 'br' });
    expect(page.headers['content-security-policy']).toContain("style-src-attr 'unsafe-inline'");
    const head = await get(base, mathPath, { 'accept-encoding': 'br' }, 'HEAD');
    expect(head.body.length).toBe(0);
    expect(head.headers).toEqual(page.headers);
    const notModified = await get(base, mathPath, { 'if-none-match': page.headers.etag as string });
    expect(notModified.status).toBe(304);
    expect(notModified.body.length).toBe(0);
    expect(notModified.headers.etag).toBe(page.headers.etag);
    expect(reachedFastify).toBe(counted);
    // The route answers the same 304: a request with a (stale) session cookie goes to the route, which finds no
    // session, treats it as a visitor's and compares the same ETag.
    const before = reachedFastify;
    const viaRoute = await get(base, mathPath, { 'if-none-match': page.headers.etag as string, cookie: 'scholia_session=stale' });
    expect(reachedFastify).toBe(before + 1);
    expect(viaRoute.status).toBe(304);
    expect(viaRoute.headers.etag).toBe(page.headers.etag);
    expect(viaRoute.headers['content-security-policy']).toBe(notModified.headers['content-security-policy']);
  });

  it('shows an edit committed by another process at once', async () => {
    await get(base, path1);
    const cached = await get(base, path1);
    expect(cached.body.toString()).toContain('Generals with private armies');
    // Another process: its own connection to the same file.
    const other = new Database(file);
    other
      .prepare('update answers set quick_answer = ?, updated_at = ? where question_id = ?')
      .run('Ambitious generals, private armies and a Senate that would not change.', new Date().toISOString(), id);
    other.close();
    const before = reachedFastify;
    const after = await get(base, path1);
    expect(after.body.toString()).toContain('Ambitious generals, private armies');
    expect(reachedFastify).toBe(before + 1);
  });

  it('leaves signed-in readers, other methods, other addresses and wrong slugs to the routes', async () => {
    await get(base, path1);
    await get(base, path1);
    let counted = reachedFastify;
    await get(base, path1, { cookie: 'theme=dark; scholia_session=abc' });
    expect(reachedFastify).toBe(++counted);
    await get(base, `/q/${id}/not-the-slug`);
    expect(reachedFastify).toBe(++counted);
    await get(base, `/q/0${id}/${path1.split('/')[3]}`);
    expect(reachedFastify).toBe(++counted);
    await get(base, path1, {}, 'POST');
    expect(reachedFastify).toBe(++counted);
    // A visitor's other cookies do not matter.
    await get(base, path1, { cookie: 'theme=dark' });
    expect(reachedFastify).toBe(counted);
  });

  it('counts what it serves in /metrics under the question route', async () => {
    const count = async () => {
      const text = (await get(base, '/metrics')).body.toString();
      const line = text
        .split('\n')
        .find(
          (l) =>
            l.startsWith('scholia_http_request_duration_seconds_count{') &&
            l.includes('route="/q/:id/:slug"') &&
            l.includes('status_code="200"') &&
            l.includes('method="GET"'),
        );
      return Number(line?.split(' ').pop() ?? 0);
    };
    await get(base, path1);
    const before = await count();
    const counted = reachedFastify;
    await get(base, path1);
    await get(base, path1);
    expect(reachedFastify).toBe(counted);
    expect(await count()).toBe(before + 2);
  });
});
