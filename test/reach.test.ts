import { XMLParser, XMLValidator } from 'fast-xml-parser';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QuestionStatus } from '../src/db/database.ts';
import { buildAtomFeed } from '../src/modules/reach/feed.ts';
import { reachRoutes } from '../src/modules/reach/reach.routes.ts';
import { buildRobots } from '../src/modules/reach/robots.ts';
import { buildUrlset, parseQuestionSitemapName } from '../src/modules/reach/sitemap.ts';
import { w3cDatetime, xmlText } from '../src/modules/reach/xml.ts';
import { feedPathFor } from '../src/views/layout.tsx';
import { buildTestApp, type TestApp, testConfig } from './helpers/app.ts';
import { engines } from './helpers/databases.ts';
import { makeQuestion } from './helpers/factories.ts';
import { Client, TestClock } from './helpers/http.ts';

const SITE = testConfig.siteUrl;
const CANARY = 'Only members ever read this closing line, marked qv7-canary-sentence.';
const CANARY_MARK = 'qv7-canary';
const FREE_QUICK = 'Rising costs and a weak king broke the old order. This free summary is marked kx4-quick.';
// (PostgreSQL refuses U+0000 in text, so the stored title carries other controls; the builder tests cover it.)
const TRICKY_TITLE = 'Why do Tom & Jerry <fight> "so" much 🦊\u0007\u001b in \'cartoons\'?';
const TRICKY_CLEAN = 'Why do Tom & Jerry <fight> "so" much 🦊 in \'cartoons\'?';
// Characters no XML 1.0 document may contain (lone surrogates included, via the `u` flag).
const NOT_XML = /[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  isArray: (name) => ['url', 'sitemap', 'entry', 'link'].includes(name),
});

/** Parses an XML response after checking it is well-formed and free of characters XML forbids. */
function parseXml(body: string): any {
  expect(XMLValidator.validate(body)).toBe(true);
  expect(body).not.toMatch(NOT_XML);
  return parser.parse(body);
}

/** Element text whether or not the element has attributes. */
const text = (v: unknown): string => (typeof v === 'string' ? v : ((v as { '#text'?: string })['#text'] ?? ''));

interface Made {
  id: number;
  slug: string;
  title: string;
  subject: string;
  publishedAt: string;
  status: QuestionStatus;
}

describe.each(engines)('sitemaps, feeds and robots.txt on %s', (engine) => {
  let t: TestApp;
  let small: FastifyInstance;
  const clock = new TestClock();
  const made: Made[] = [];
  let canaryId = 0;
  let trickyId = 0;
  let editedId = 0;
  const edited = '2026-11-20T08:30:00.000Z';

  const published = () => made.filter((q) => q.status === 'published');
  const canonical = (q: { id: number; slug: string }) => `${SITE}/q/${q.id}/${q.slug}`;
  /** Newest first, as the feeds list them. */
  const newestFirst = (qs: Made[]) =>
    [...qs].sort((a, b) => (a.publishedAt === b.publishedAt ? b.id - a.id : a.publishedAt < b.publishedAt ? 1 : -1));

  beforeAll(async () => {
    t = await buildTestApp(engine, { clock });
    const db = t.database.db;
    const add = async (o: { subject: string; title: string; publishedAt: string; quickAnswer?: string; answer?: string }) => {
      const id = await makeQuestion(db, o);
      const row = await db.selectFrom('questions').select(['slug']).where('id', '=', id).executeTakeFirstOrThrow();
      made.push({ id, slug: row.slug, title: o.title, subject: o.subject, publishedAt: o.publishedAt, status: 'published' });
      return id;
    };
    canaryId = await add({
      subject: 'History',
      title: 'What brought down the French monarchy in 1792?',
      publishedAt: '2026-11-25T10:00:00.000Z',
      quickAnswer: FREE_QUICK,
      answer: `## Causes\n\nDebt, bread prices and a king who could not choose.\n\n${CANARY}`,
    });
    trickyId = await add({
      subject: 'History',
      title: TRICKY_TITLE,
      publishedAt: '2026-11-24T10:00:00.000Z',
      quickAnswer: 'Cats & mice <always> fight\u0001 in "cartoons".',
    });
    editedId = await add({ subject: 'History', title: 'Why did the Berlin Wall fall in 1989?', publishedAt: '2026-11-01T10:00:00.000Z' });
    for (let i = 0; i < 6; i++) {
      await add({ subject: 'Math', title: `How do I solve equation number ${i}?`, publishedAt: `2026-10-0${i + 1}T10:00:00.000Z` });
    }
    // Enough older questions for the site feed to be cut at 50.
    for (let i = 0; i < 48; i++) {
      const day = String((i % 28) + 1).padStart(2, '0');
      await add({ subject: 'Arts', title: `What makes artwork number ${i} matter?`, publishedAt: `2025-06-${day}T10:00:00.000Z` });
    }
    // Questions without a page: in the queue, taken down by a moderator, rejected. They are every question of the
    // id range holding the 4th one, so with 3 questions a sitemap, that range's file has nothing to list.
    const unlist = async (id: number, status: QuestionStatus) => {
      await db.updateTable('questions').set({ status }).where('id', '=', id).execute();
      (made.find((q) => q.id === id) as Made).status = status;
    };
    const ids = made.map((q) => q.id);
    const bucketOf = (id: number) => Math.floor((id - 1) / 3);
    const emptied = bucketOf(ids[3] as number);
    const statuses: QuestionStatus[] = ['queued', 'hidden', 'rejected'];
    let k = 0;
    for (const id of ids) if (bucketOf(id) === emptied) await unlist(id, statuses[k++ % 3] as QuestionStatus);
    expect(k).toBeGreaterThan(0);
    // An answer edited after publication: its page changed then.
    await db.updateTable('answers').set({ updated_at: edited }).where('question_id', '=', editedId).execute();

    small = Fastify({ logger: false });
    await small.register(
      reachRoutes(
        { database: t.database, clock, site: { name: 'Scholia', url: SITE, cssUrl: '/static/app.css', faviconUrl: '/static/favicon.svg' } },
        { questionsPerSitemap: 3 },
      ),
    );
  });
  afterAll(async () => {
    await small?.close();
    await t?.close();
  });

  const get = (url: string) => new Client(t.app).get(url);

  it('serves robots.txt: private paths kept out, the sitemap index named', async () => {
    const res = await get('/robots.txt');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.headers['cache-control']).toBe('public, max-age=300');
    const lines = res.body.split('\n');
    expect(lines).toContain('User-agent: *');
    expect(lines).toContain(`Sitemap: ${SITE}/sitemap.xml`);
    for (const p of [
      '/account',
      '/admin',
      '/editor',
      '/educator',
      '/login',
      '/signup',
      '/reset',
      '/ask',
      '/notifications',
      '/search/suggest',
    ]) {
      expect(lines).toContain(`Disallow: ${p}`);
    }
    // Public pages stay open: no rule is a prefix of them.
    const disallowed = lines.filter((l) => l.startsWith('Disallow: ')).map((l) => l.slice('Disallow: '.length));
    for (const open of [
      '/',
      '/q/1/x',
      '/subjects',
      '/subjects/history',
      '/membership',
      '/static/app.css',
      '/feed.xml',
      '/sitemap.xml',
      '/search?q=revolution',
      '/guides/macbeth',
    ]) {
      expect(
        disallowed.filter((d) => open.startsWith(d)),
        open,
      ).toEqual([]);
    }
  });

  it('serves a sitemap index listing the pages sitemap and the one questions sitemap', async () => {
    const res = await get('/sitemap.xml');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/xml; charset=utf-8');
    expect(res.headers['cache-control']).toBe('public, max-age=300');
    const doc = parseXml(res.body);
    expect(doc.sitemapindex['@_xmlns']).toBe('http://www.sitemaps.org/schemas/sitemap/0.9');
    expect(doc.sitemapindex.sitemap.map((s: any) => s.loc)).toEqual([`${SITE}/sitemaps/pages.xml`, `${SITE}/sitemaps/questions-1.xml`]);
  });

  it('lists the home page, the subjects page and every subject page in the pages sitemap', async () => {
    const res = await get('/sitemaps/pages.xml');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/xml; charset=utf-8');
    const urls = parseXml(res.body).urlset.url as Array<{ loc: string; lastmod?: string }>;
    const locs = urls.map((u) => u.loc);
    expect(locs).toEqual(
      expect.arrayContaining([`${SITE}/`, `${SITE}/subjects`, ...['history', 'math', 'arts'].map((s) => `${SITE}/subjects/${s}`)]),
    );
    expect(
      locs.every(
        (l) => l === `${SITE}/` || l === `${SITE}/subjects` || l.startsWith(`${SITE}/subjects/`) || l.startsWith(`${SITE}/educators/`),
      ),
    ).toBe(true);
    const byLoc = new Map(urls.map((u) => [u.loc, u.lastmod]));
    const newestHistory = newestFirst(published().filter((q) => q.subject === 'History'))[0] as Made;
    expect(byLoc.get(`${SITE}/subjects/history`)).toBe(w3cDatetime(newestHistory.publishedAt));
    expect(byLoc.get(`${SITE}/`)).toBe(w3cDatetime(newestFirst(published())[0]?.publishedAt));
  });

  it('lists exactly the published questions at their canonical URLs, with when each page last changed', async () => {
    const res = await get('/sitemaps/questions-1.xml');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/xml; charset=utf-8');
    expect(res.headers['cache-control']).toBe('public, max-age=300');
    const urls = parseXml(res.body).urlset.url as Array<{ loc: string; lastmod: string }>;
    expect(urls.map((u) => u.loc)).toEqual(
      published()
        .sort((a, b) => a.id - b.id)
        .map(canonical),
    );
    const byLoc = new Map(urls.map((u) => [u.loc, u.lastmod]));
    const canary = made.find((q) => q.id === canaryId) as Made;
    expect(byLoc.get(canonical(canary))).toBe('2026-11-25T10:00:00Z');
    const editedQ = made.find((q) => q.id === editedId) as Made;
    expect(byLoc.get(canonical(editedQ))).toBe('2026-11-20T08:30:00Z');
    for (const u of urls) expect(u.lastmod).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    // The title's & < > and the emoji never reach a URL: slugs are plain ASCII.
    expect(res.body).toContain(`/q/${trickyId}/why-do-tom-and-jerry-fight-so-much-in-cartoons<`);
  });

  it('answers 404 for a questions sitemap past the last question or with a malformed name', async () => {
    for (const path of ['/sitemaps/questions-2.xml', '/sitemaps/questions-0.xml', '/sitemaps/questions-01.xml', '/sitemaps/other.xml']) {
      const res = await get(path);
      expect(res.statusCode, path).toBe(404);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    }
  });

  it('splits the questions over several sitemaps of at most the set size, skipping ranges with nothing published', async () => {
    const index = parseXml((await small.inject({ method: 'GET', url: '/sitemap.xml' })).body);
    const locs = index.sitemapindex.sitemap.map((s: any) => s.loc as string);
    const expected = [...new Set(published().map((q) => Math.floor((q.id - 1) / 3) + 1))].sort((a, b) => a - b);
    expect(expected.length).toBeGreaterThan(10);
    expect(locs).toEqual([`${SITE}/sitemaps/pages.xml`, ...expected.map((n) => `${SITE}/sitemaps/questions-${n}.xml`)]);
    // The range whose questions were all taken off has no file.
    const missing = Math.floor(((made[3] as Made).id - 1) / 3) + 1;
    expect(expected).not.toContain(missing);
    expect((await small.inject({ method: 'GET', url: `/sitemaps/questions-${missing}.xml` })).statusCode).toBe(404);

    const seen: string[] = [];
    for (const n of expected) {
      const res = await small.inject({ method: 'GET', url: `/sitemaps/questions-${n}.xml` });
      expect(res.statusCode).toBe(200);
      const urls = parseXml(res.body).urlset.url as Array<{ loc: string }>;
      expect(urls.length).toBeGreaterThan(0);
      expect(urls.length).toBeLessThanOrEqual(3);
      seen.push(...urls.map((u) => u.loc));
    }
    expect(seen).toEqual(
      published()
        .sort((a, b) => a.id - b.id)
        .map(canonical),
    );
  });

  it('serves the site feed: the 50 newest published questions, newest first, with their quick answers', async () => {
    const res = await get('/feed.xml');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/atom+xml; charset=utf-8');
    expect(res.headers['cache-control']).toBe('public, max-age=300');
    const feed = parseXml(res.body).feed;
    expect(feed['@_xmlns']).toBe('http://www.w3.org/2005/Atom');
    expect(feed.id).toBe(`${SITE}/feed.xml`);
    expect(feed.link.map((l: any) => l['@_rel'])).toEqual(['self', 'alternate']);
    expect(text(feed.author.name)).toBe('Scholia');
    const expected = newestFirst(published()).slice(0, 50);
    expect(feed.entry).toHaveLength(50);
    expect(feed.entry.map((e: any) => e.link[0]['@_href'])).toEqual(expected.map(canonical));
    expect(feed.entry.map((e: any) => e.id)).toEqual(expected.map((q) => `${SITE}/q/${q.id}`));
    expect(feed.updated).toBe('2026-11-25T10:00:00Z');
    const first = feed.entry[0];
    expect(text(first.title)).toBe('What brought down the French monarchy in 1792?');
    expect(text(first.summary)).toBe(FREE_QUICK);
    expect(first.published).toBe('2026-11-25T10:00:00Z');
    expect(first.category['@_term']).toBe('history');
  });

  it('serves a subject feed with only that subject, and a 404 page for a subject that does not exist', async () => {
    const res = await get('/subjects/history/feed.xml');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/atom+xml; charset=utf-8');
    expect(res.headers['cache-control']).toBe('public, max-age=300');
    const feed = parseXml(res.body).feed;
    expect(feed.id).toBe(`${SITE}/subjects/history/feed.xml`);
    const history = newestFirst(published().filter((q) => q.subject === 'History'));
    expect(feed.entry.map((e: any) => e.id)).toEqual(history.map((q) => `${SITE}/q/${q.id}`));
    const edit = feed.entry.find((e: any) => e.id === `${SITE}/q/${editedId}`);
    expect(edit.updated).toBe('2026-11-20T08:30:00Z');
    expect(edit.published).toBe('2026-11-01T10:00:00Z');

    const math = parseXml((await get('/subjects/math/feed.xml')).body).feed;
    expect(math.entry.map((e: any) => e.id)).toEqual(
      newestFirst(published().filter((q) => q.subject === 'Math')).map((q) => `${SITE}/q/${q.id}`),
    );

    for (const path of ['/subjects/no-such-subject/feed.xml', '/subjects/NOT_A_SLUG/feed.xml']) {
      const missing = await get(path);
      expect(missing.statusCode, path).toBe(404);
      expect(missing.headers['content-type']).toBe('text/html; charset=utf-8');
    }
    expect((await get('/subjects/no-such-subject/feed.xml')).body).toContain('We could not find that subject');
  });

  it('never lets the expert answer out: not in robots.txt, the sitemaps or any feed, while the quick answer is in the feeds', async () => {
    const bodies: Array<[string, string]> = [];
    for (const path of [
      '/robots.txt',
      '/sitemap.xml',
      '/sitemaps/pages.xml',
      '/sitemaps/questions-1.xml',
      '/feed.xml',
      '/subjects/history/feed.xml',
    ]) {
      bodies.push([path, (await get(path)).body]);
    }
    const index = parseXml((await small.inject({ method: 'GET', url: '/sitemap.xml' })).body);
    bodies.push(['small /sitemap.xml', JSON.stringify(index)]);
    for (const s of index.sitemapindex.sitemap) {
      const path = new URL(s.loc).pathname;
      bodies.push([`small ${path}`, (await small.inject({ method: 'GET', url: path })).body]);
    }
    for (const [path, body] of bodies) {
      expect(body, path).not.toContain(CANARY_MARK);
      expect(body, path).not.toContain('Debt, bread prices');
    }
    for (const path of ['/feed.xml', '/subjects/history/feed.xml']) {
      expect(bodies.find(([p]) => p === path)?.[1]).toContain('kx4-quick');
    }
  });

  it('escapes titles and summaries and drops characters XML cannot carry', async () => {
    const res = await get('/subjects/history/feed.xml');
    expect(res.body).toContain('Why do Tom &amp; Jerry &lt;fight&gt; &quot;so&quot; much 🦊 in &apos;cartoons&apos;?');
    expect(res.body).toContain('Cats &amp; mice &lt;always&gt; fight in &quot;cartoons&quot;.');
    expect(res.body).not.toContain('<fight>');
    const entry = parseXml(res.body).feed.entry.find((e: any) => e.id === `${SITE}/q/${trickyId}`);
    expect(text(entry.title)).toBe(TRICKY_CLEAN);
    expect(text(entry.summary)).toBe('Cats & mice <always> fight in "cartoons".');
  });

  it('points the home page and subject pages at their feeds', async () => {
    const home = (await get('/')).body;
    expect(home).toContain(`<link rel="alternate" type="application/atom+xml" title="Scholia" href="${SITE}/feed.xml"/>`);
    const subject = (await get('/subjects/history')).body;
    expect(subject).toMatch(
      new RegExp(`<link rel="alternate" type="application/atom\\+xml" title="[^"]*" href="${SITE}/subjects/history/feed.xml"/>`),
    );
  });
});

describe('reach builders', () => {
  it('escapes markup and strips what XML 1.0 forbids, keeping emoji and other scripts', () => {
    expect(xmlText('a & b < c > d " e \' f')).toBe('a &amp; b &lt; c &gt; d &quot; e &apos; f');
    expect(xmlText('bell\u0007 nul\u0000 esc\u001b del\u007f c1\u0085 fffe\ufffe lone\ud800 ok')).toBe('bell nul esc del c1 fffe lone ok');
    expect(xmlText('tab\tnewline\n 🦊 Ελληνικά 漢字')).toBe('tab\tnewline\n 🦊 Ελληνικά 漢字');
  });

  it('writes W3C datetimes in UTC and refuses what is not a date', () => {
    expect(w3cDatetime('2026-11-26T14:37:38.123Z')).toBe('2026-11-26T14:37:38Z');
    expect(w3cDatetime('not a date')).toBeNull();
    expect(w3cDatetime(null)).toBeNull();
  });

  it('builds documents that parse, whatever the text', () => {
    const nasty = 'x]]><!--&amp;\u0001<![CDATA[';
    const urlset = buildUrlset([{ loc: `${SITE}/q/1/a?b=1&c=2`, lastmod: '2026-01-01T00:00:00.000Z' }]);
    expect(parseXml(urlset).urlset.url[0].loc).toBe(`${SITE}/q/1/a?b=1&c=2`);
    const feed = buildAtomFeed({
      title: nasty,
      selfUrl: `${SITE}/feed.xml`,
      pageUrl: `${SITE}/`,
      author: nasty,
      emptyUpdated: '2026-01-01T00:00:00.000Z',
      entries: [
        { url: `${SITE}/q/1/a`, id: `${SITE}/q/1`, title: nasty, updated: '2026-01-02T00:00:00.000Z', published: null, summary: nasty },
      ],
    });
    const parsed = parseXml(feed).feed;
    expect(text(parsed.title)).toBe('x]]><!--&amp;<![CDATA[');
    expect(text(parsed.entry[0].summary)).toBe('x]]><!--&amp;<![CDATA[');
    expect(parsed.updated).toBe('2026-01-02T00:00:00Z');
  });

  it('reads questions sitemap names strictly', () => {
    expect(parseQuestionSitemapName('questions-1.xml')).toBe(1);
    expect(parseQuestionSitemapName('questions-20.xml')).toBe(20);
    for (const bad of ['questions-0.xml', 'questions-01.xml', 'questions-1.xml.gz', 'questions-.xml', 'questions-1234567890.xml']) {
      expect(parseQuestionSitemapName(bad), bad).toBeNull();
    }
  });

  it('prefixes robots.txt rules with the path of a site served below the root', () => {
    const robots = buildRobots('https://example.org/help', 'https://example.org/help/sitemap.xml');
    expect(robots).toContain('Disallow: /help/account\n');
    expect(robots).toContain('Sitemap: https://example.org/help/sitemap.xml\n');
  });

  it('finds the feed of the home page and of a subject first page only', () => {
    expect(feedPathFor('/')).toBe('/feed.xml');
    expect(feedPathFor('/subjects/history')).toBe('/subjects/history/feed.xml');
    expect(feedPathFor('/subjects')).toBeUndefined();
    expect(feedPathFor('/q/1/x')).toBeUndefined();
    expect(feedPathFor(undefined)).toBeUndefined();
  });
});
