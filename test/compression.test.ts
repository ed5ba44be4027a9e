import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import Fastify, { type LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../src/modules/accounts/index.ts';
import { registerCompression } from '../src/platform/compression.ts';
import { buildTestApp, type TestApp } from './helpers/app.ts';
import { engines } from './helpers/databases.ts';
import { makeQuestion } from './helpers/factories.ts';
import { Client } from './helpers/http.ts';

const PW = 'compression test password';
const LONG_ANSWER = Array.from(
  { length: 8 },
  (_, i) =>
    `## Part ${i + 1}\n\nThe Estates-General met in May 1789 because the crown could no longer pay its debts; part ${i + 1} follows what the deputies of the Third Estate did next, and why the crowds of Paris mattered.`,
).join('\n\n');

/** The response's bytes decoded by its Content-Encoding. */
function decoded(res: LightMyRequestResponse): string {
  const coding = res.headers['content-encoding'];
  if (coding === 'br') return brotliDecompressSync(res.rawPayload).toString('utf8');
  if (coding === 'gzip') return gunzipSync(res.rawPayload).toString('utf8');
  expect(coding).toBeUndefined();
  return res.body;
}

describe.each(engines)('compression and HTTP caching on %s', (engine) => {
  let t: TestApp;
  let plain: TestApp;
  let path: string;
  let questionId: number;

  beforeAll(async () => {
    t = await buildTestApp(engine);
    const db = t.database.db;
    questionId = await makeQuestion(db, {
      subject: 'History',
      topics: ['Revolutions'],
      title: 'Why did the Estates-General of 1789 turn into a revolution?',
      answer: LONG_ANSWER,
    });
    await makeQuestion(db, { subject: 'History', topics: ['Revolutions'], title: 'Why did the Bastille fall so quickly in 1789?' });
    // Enough questions that the feeds and sitemaps pass the kilobyte below which nothing is compressed.
    for (let i = 1; i <= 8; i++)
      await makeQuestion(db, { subject: 'History', title: `What changed in France during year ${i} of the Republic?` });
    await createUser(db, { email: 'reader@example.org', name: 'Rosa Reader', role: 'student', password: PW });
    path = (await t.app.inject({ method: 'GET', url: `/q/${questionId}` })).headers.location as string;
    // The same database served by a second app with COMPRESSION=off and the page cache off (PAGE_CACHE_MB=0).
    plain = await buildTestApp(engine, { database: t.database, config: { compression: false, pageCacheBytes: 0 } });
  });
  afterAll(async () => {
    await plain?.app.close();
    await t?.close();
  });

  const get = (url: string, headers: Record<string, string> = {}, app = t) => app.app.inject({ method: 'GET', url, headers });

  it('sends a visitor the question page in brotli or gzip, as the browser takes, decoding to the identity page', async () => {
    const identity = await get(path);
    expect(identity.statusCode).toBe(200);
    expect(identity.headers['content-encoding']).toBeUndefined();
    // Even the uncompressed copy says it was chosen by Accept-Encoding, so no shared cache hands it to everyone.
    expect(identity.headers.vary).toContain('accept-encoding');
    expect(identity.body).toContain('Part 2');

    const br = await get(path, { 'accept-encoding': 'br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toContain('accept-encoding');
    expect(br.rawPayload.length).toBeLessThan(identity.rawPayload.length / 2);
    expect(decoded(br)).toBe(identity.body);

    const gzip = await get(path, { 'accept-encoding': 'gzip' });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(decoded(gzip)).toBe(identity.body);

    // What browsers send: brotli wins; a refused coding is not used.
    expect((await get(path, { 'accept-encoding': 'gzip, deflate, br, zstd' })).headers['content-encoding']).toBe('br');
    expect((await get(path, { 'accept-encoding': 'br;q=0, gzip' })).headers['content-encoding']).toBe('gzip');
    expect((await get(path, { 'accept-encoding': 'identity' })).headers['content-encoding']).toBeUndefined();
  });

  it('serves a cached page again from its kept compressed bytes, compressing nothing', async () => {
    const first = await get(path, { 'accept-encoding': 'br' });
    const made = t.app.context.caches.pages.encodings;
    const again = await get(path, { 'accept-encoding': 'br' });
    expect(again.headers['content-encoding']).toBe('br');
    expect(again.rawPayload.equals(first.rawPayload)).toBe(true);
    expect(t.app.context.caches.pages.encodings).toBe(made);
  });

  it('sends everything as it is with COMPRESSION=off', async () => {
    const res = await get(path, { 'accept-encoding': 'br, gzip' }, plain);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.headers.vary).toBeUndefined();
    expect(res.body).toContain('Part 2');
    const home = await get('/', { 'accept-encoding': 'br, gzip' }, plain);
    expect(home.headers['content-encoding']).toBeUndefined();
    const css = /href="(\/static\/app\.[0-9a-f]{12}\.css)"/.exec(home.body)?.[1] as string;
    expect((await get(css, { 'accept-encoding': 'br' }, plain)).headers['content-encoding']).toBeUndefined();
  });

  it("validates a visitor's page rendered per request (page cache off) just the same", async () => {
    const res = await get(path, {}, plain);
    const etag = res.headers.etag as string;
    expect(etag).toMatch(/^W\/"/);
    expect(res.headers['cache-control']).toBe('public, max-age=0, must-revalidate');
    // The same page as the cached one, so the same ETag: a browser may move between processes configured either way.
    expect((await get(path)).headers.etag).toBe(etag);
    const again = await get(path, { 'if-none-match': etag }, plain);
    expect(again.statusCode).toBe(304);
    expect(again.rawPayload.length).toBe(0);
  });

  it("gives a visitor's question page an ETag and answers 304 with no body while the page is unchanged", async () => {
    const res = await get(path, { 'accept-encoding': 'br' });
    const etag = res.headers.etag as string;
    expect(etag).toMatch(/^W\/"[\w-]+"$/);
    expect(res.headers['cache-control']).toBe('public, max-age=0, must-revalidate');
    // One weak ETag for the page in every coding.
    expect((await get(path)).headers.etag).toBe(etag);
    expect((await get(path, { 'accept-encoding': 'gzip' })).headers.etag).toBe(etag);

    for (const held of [etag, etag.slice(2), `"other", ${etag}`, '*']) {
      const again = await get(path, { 'accept-encoding': 'br', 'if-none-match': held });
      expect(again.statusCode, held).toBe(304);
      expect(again.rawPayload.length).toBe(0);
      expect(again.headers.etag).toBe(etag);
      expect(again.headers['cache-control']).toBe('public, max-age=0, must-revalidate');
    }
    expect((await get(path, { 'if-none-match': 'W/"something-else"' })).statusCode).toBe(200);
  });

  it('gives an edited page a new ETag, so the copy a browser holds is sent again in full', async () => {
    const before = await get(path);
    const old = before.headers.etag as string;
    await t.database.db
      .updateTable('answers')
      .set({ body: 'A rewritten answer.', body_html: '<p>A rewritten answer.</p>', updated_at: new Date().toISOString() })
      .where('question_id', '=', questionId)
      .execute();
    const after = await get(path, { 'accept-encoding': 'br', 'if-none-match': old });
    expect(after.statusCode).toBe(200);
    expect(after.headers.etag).not.toBe(old);
    expect(decoded(after)).toContain('A rewritten answer.');
    expect((await get(path, { 'if-none-match': after.headers.etag as string })).statusCode).toBe(304);
  });

  it("sends a signed-in reader their own page, private, never a 304 on the ETag of the visitors' page", async () => {
    const visitorEtag = (await get(path)).headers.etag as string;
    const c = new Client(t.app);
    expect((await c.submit('/login', '/login', { email: 'reader@example.org', password: PW })).statusCode).toBe(303);
    c.headers = { 'accept-encoding': 'br', 'if-none-match': visitorEtag };
    for (const url of [path, '/subjects/history', '/subjects/history/revolutions']) {
      const res = await c.get(url);
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['cache-control'], url).toBe('private, no-store');
      expect(res.headers.etag, url).toBeUndefined();
      // Compressed all the same, by the plugin.
      expect(res.headers['content-encoding'], url).toBe('br');
      if (url === path) expect(decoded(res)).toContain('Rosa Reader');
    }
  });

  it("gives visitors' home, subject, topic and guide pages an ETag and a 304", async () => {
    for (const url of ['/', '/subjects', '/subjects/history', '/subjects/history/revolutions', '/guides']) {
      const res = await get(url, { 'accept-encoding': 'br' });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['cache-control'], url).toBe('public, max-age=0, must-revalidate');
      const etag = res.headers.etag as string;
      expect(etag, url).toMatch(/^W\/"/);
      const again = await get(url, { 'accept-encoding': 'br', 'if-none-match': etag });
      expect(again.statusCode, url).toBe(304);
      expect(again.rawPayload.length, url).toBe(0);
    }
    // A page that is not the same for every visitor (a form with a CSRF token) gets neither.
    const login = await get('/login');
    expect(login.headers.etag).toBeUndefined();
    expect(login.headers['cache-control']).not.toContain('public');
  });

  it('gives feeds and sitemaps an ETag and Last-Modified, answering 304 to either', async () => {
    for (const url of ['/feed.xml', '/subjects/history/feed.xml', '/sitemaps/questions-1.xml']) {
      const res = await get(url, { 'accept-encoding': 'br' });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['cache-control'], url).toBe('public, max-age=300');
      expect(res.headers['content-encoding'], url).toBe('br');
      expect(decoded(res), url).toMatch(/^<\?xml/);
      const etag = res.headers.etag as string;
      const lastModified = res.headers['last-modified'] as string;
      expect(etag, url).toMatch(/^W\/"/);
      expect(Date.parse(lastModified), url).toBeGreaterThan(0);
      const byTag = await get(url, { 'if-none-match': etag });
      expect(byTag.statusCode, url).toBe(304);
      expect(byTag.rawPayload.length, url).toBe(0);
      expect((await get(url, { 'if-modified-since': lastModified })).statusCode, url).toBe(304);
      // A date before the last change, or an ETag that is not this one (which wins over the date), gets it all.
      const earlier = new Date(Date.parse(lastModified) - 1000).toUTCString();
      expect((await get(url, { 'if-modified-since': earlier })).statusCode, url).toBe(200);
      expect((await get(url, { 'if-modified-since': lastModified, 'if-none-match': 'W/"old"' })).statusCode, url).toBe(200);
    }
    const index = await get('/sitemap.xml');
    expect(index.headers.etag).toMatch(/^W\/"/);
    // The index names no dates, so it has no Last-Modified to compare with.
    expect(index.headers['last-modified']).toBeUndefined();
    expect((await get('/sitemap.xml', { 'if-none-match': index.headers.etag as string })).statusCode).toBe(304);
  });

  it('compresses the static stylesheet once, with an ETag per coding, and leaves small files and fonts as they are', async () => {
    const home = await get('/');
    const css = /href="(\/static\/app\.[0-9a-f]{12}\.css)"/.exec(home.body)?.[1] as string;
    const identity = await get(css);
    expect(identity.headers['content-encoding']).toBeUndefined();
    const br = await get(css, { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.statusCode).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(br.headers.vary).toContain('accept-encoding');
    expect(decoded(br)).toBe(identity.body);
    expect(br.headers.etag).not.toBe(identity.headers.etag);
    expect((await get(css, { 'accept-encoding': 'br' })).rawPayload.equals(br.rawPayload)).toBe(true);
    const gzip = await get(css, { 'accept-encoding': 'gzip' });
    expect(decoded(gzip)).toBe(identity.body);
    expect((await get(css, { 'accept-encoding': 'br', 'if-none-match': br.headers.etag as string })).statusCode).toBe(304);

    // The favicon is under a kilobyte; the KaTeX fonts are WOFF2, compressed already.
    const favicon = /href="(\/static\/favicon\.[0-9a-f]{12}\.svg)"/.exec(home.body)?.[1] as string;
    expect((await get(favicon, { 'accept-encoding': 'br' })).headers['content-encoding']).toBeUndefined();
    const { mathAssets } = await import('../src/platform/math-assets.ts');
    const katex = await get(mathAssets().cssUrl, { 'accept-encoding': 'br' });
    expect(katex.headers['content-encoding']).toBe('br');
    const font = /url\((\/static\/KaTeX_Main-Regular\.[0-9a-f]{12}\.woff2)\)/.exec(decoded(katex))?.[1] as string;
    const woff2 = await get(font, { 'accept-encoding': 'br' });
    expect(woff2.statusCode).toBe(200);
    expect(woff2.headers['content-encoding']).toBeUndefined();
  });

  it('leaves bodies under a kilobyte as they are', async () => {
    const robots = await get('/robots.txt', { 'accept-encoding': 'br' });
    expect(robots.statusCode).toBe(200);
    expect(robots.rawPayload.length).toBeLessThan(1024);
    expect(robots.headers['content-encoding']).toBeUndefined();
  });
});

describe('what the compression plugin is given', () => {
  it('compresses text of a kilobyte or more, never images', async () => {
    const app = Fastify({ logger: false });
    await registerCompression(app, true);
    const text = Buffer.from('<p>Some text that repeats.</p>\n'.repeat(100));
    const picture = Buffer.alloc(4096, 7);
    for (const type of ['image/webp', 'image/jpeg', 'image/png', 'image/gif', 'image/avif']) {
      app.get(`/${type}`, async (_request, reply) => reply.type(type).send(picture));
    }
    app.get('/json', async (_request, reply) => reply.type('application/json').send(text));
    app.get('/atom', async (_request, reply) => reply.type('application/atom+xml; charset=utf-8').send(text));
    try {
      for (const type of ['image/webp', 'image/jpeg', 'image/png', 'image/gif', 'image/avif']) {
        const res = await app.inject({ method: 'GET', url: `/${type}`, headers: { 'accept-encoding': 'br, gzip' } });
        expect(res.headers['content-encoding'], type).toBeUndefined();
        expect(res.rawPayload.equals(picture), type).toBe(true);
      }
      for (const url of ['/json', '/atom']) {
        const res = await app.inject({ method: 'GET', url, headers: { 'accept-encoding': 'gzip' } });
        expect(res.headers['content-encoding'], url).toBe('gzip');
        expect(gunzipSync(res.rawPayload).equals(text), url).toBe(true);
      }
    } finally {
      await app.close();
    }
  });
});
