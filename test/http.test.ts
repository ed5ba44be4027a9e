import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../src/db/connect.ts';
import { createUser } from '../src/modules/accounts/index.ts';
import { buildTestApp, type TestApp } from './helpers/app.ts';
import { engines } from './helpers/databases.ts';
import { postgresUrl } from './helpers/environment.ts';
import { makeQuestion } from './helpers/factories.ts';

// Every page test runs with the visitor page cache on (the default) and off (how members' pages are served).
const variants = engines.flatMap((engine) => [
  { engine, cache: 'on', pageCacheBytes: 64 * 1024 * 1024 },
  { engine, cache: 'off', pageCacheBytes: 0 },
]);

describe.each(variants)('pages over HTTP on $engine, page cache $cache', ({ engine, pageCacheBytes }) => {
  let t: TestApp;
  let questionId: number;
  let unpublishedId: number;

  beforeAll(async () => {
    t = await buildTestApp(engine, { config: { pageCacheBytes } });
    const db = t.database.db;
    const editor = await createUser(db, { email: 'editor@example.org', name: 'Edith Editor', role: 'editor' });
    const educator = await createUser(db, { email: 'teacher@example.org', name: 'Mr. Okonkwo', role: 'educator' });
    questionId = await makeQuestion(db, {
      subject: 'History',
      topics: ['Revolutions'],
      title: 'What were Robespierre’s aims during the Terror?',
      details: 'We read about the **Committee of Public Safety**. <script>alert("x")</script>',
      quickAnswer: 'He wanted to defend the Republic and build a virtuous citizenry. Terror was, for him, virtue made urgent.',
      answer:
        '## Aims\n\nRobespierre believed in a *republic of virtue*.\n\n[Source](https://example.org/terror)\n\n| Year | Event |\n|---|---|\n| 1793 | Terror |',
      sources: [{ title: 'P. McPhee, Robespierre (2012)' }],
      educatorId: educator.id,
      approvedBy: editor.id,
    });
    await makeQuestion(db, { subject: 'History', topics: ['Revolutions'], title: 'Why did the Bastille fall so quickly in 1789?' });
    unpublishedId = await makeQuestion(db, { subject: 'History', title: 'A question that is still in the queue?' });
    await db.updateTable('questions').set({ status: 'queued' }).where('id', '=', unpublishedId).execute();
    for (let i = 0; i < 23; i++) await makeQuestion(db, { subject: 'Math', title: `Math question number ${i} for paging?` });
  });
  afterAll(async () => {
    await t.close();
  });

  const get = (url: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url, headers });

  it('serves the home page with a search box, the subjects and recently answered questions', async () => {
    const res = await get('/');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.body).toMatch(/<form class="search-form" action="\/search" method="get"/);
    expect(res.body).toContain('href="/subjects/history"');
    expect(res.body).toContain('Math question number 22 for paging?');
    expect(res.body).not.toContain('A question that is still in the queue?');
  });

  it('lays out the question page: Student Question, Quick answer, Expert answer with byline and approval, sources, related', async () => {
    const res = await get(`/q/${questionId}/what-were-robespierre-s-aims-during-the-terror`);
    expect(res.statusCode).toBe(200);
    const html = res.body.slice(res.body.indexOf('<main'));
    const order = [
      'Student Question',
      'What were Robespierre’s aims during the Terror?',
      'Quick answer',
      'Expert answer',
      'Mr. Okonkwo',
      'Approved by Scholia Editorial',
      'Sources',
      'Related questions',
    ].map((s) => html.indexOf(s));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(html).toContain('<strong>Committee of Public Safety</strong>');
    expect(html).not.toContain('<script>alert');
    expect(html).toContain('&lt;script&gt;');
    expect(html).toContain('<a href="https://example.org/terror" rel="nofollow ugc">Source</a>');
    expect(html).toContain('<table>');
    expect(html).toContain('P. McPhee, Robespierre (2012)');
    expect(html).toContain('Why did the Bastille fall so quickly in 1789?');
    expect(res.body).toContain(
      `<link rel="canonical" href="http://scholia.test/q/${questionId}/what-were-robespierre-s-aims-during-the-terror"/>`,
    );
    expect(res.body).toContain('<meta name="description" content="He wanted to defend the Republic');
    expect(html).toMatch(/<nav class="breadcrumbs" aria-label="Breadcrumb">.*href="\/subjects\/history">History<\/a>/s);
  });

  it('shows an edit at once although visitor pages are cached', async () => {
    const url = `/q/${questionId}/what-were-robespierre-s-aims-during-the-terror`;
    expect((await get(url)).body).toContain('republic of virtue');
    expect((await get(url)).body).toContain('republic of virtue');
    const db = t.database.db;
    const edited = new Date(Date.now() + 1000).toISOString();
    await db
      .updateTable('answers')
      .set({ body: 'An edited expert answer.', body_html: '<p>An edited expert answer.</p>', updated_at: edited })
      .where('question_id', '=', questionId)
      .execute();
    const after = await get(url);
    expect(after.body).toContain('An edited expert answer.');
    expect(after.body).not.toContain('republic of virtue');
    // Unpublishing takes the page away at once too.
    await db.updateTable('questions').set({ status: 'closed' }).where('id', '=', questionId).execute();
    expect((await get(url)).statusCode).toBe(404);
    await db.updateTable('questions').set({ status: 'published' }).where('id', '=', questionId).execute();
  });

  it('shows at once an edit that another process committed', async () => {
    const url = `/q/${questionId}/what-were-robespierre-s-aims-during-the-terror`;
    const before = (await get(url)).body;
    expect((await get(url)).body).toBe(before);
    // Another app process: its own connection to the same database.
    const other =
      engine === 'sqlite'
        ? connect({ engine: 'sqlite', file: t.database.file as string })
        : connect({ engine: 'postgres', url: postgresUrl as string, poolSize: 1 }, { pgSchema: t.database.pgSchema as string });
    try {
      await other.db
        .updateTable('answers')
        .set({
          body: 'Edited in another process.',
          body_html: '<p>Edited in another process.</p>',
          updated_at: new Date(Date.now() + 9000).toISOString(),
        })
        .where('question_id', '=', questionId)
        .execute();
    } finally {
      await other.close();
    }
    expect((await get(url)).body).toContain('Edited in another process.');
  });

  it('never shows a change that another request has not committed yet', async () => {
    const url = `/q/${questionId}/what-were-robespierre-s-aims-during-the-terror`;
    const before = (await get(url)).body;
    await t.database.db
      .transaction()
      .execute(async (trx) => {
        await trx
          .updateTable('answers')
          .set({ body_html: '<p>Uncommitted draft.</p>', updated_at: new Date(Date.now() + 5000).toISOString() })
          .where('question_id', '=', questionId)
          .execute();
        const during = await get(url);
        expect(during.statusCode).toBe(200);
        expect(during.body).not.toContain('Uncommitted draft.');
        throw new Error('roll back');
      })
      .catch((err: Error) => expect(err.message).toBe('roll back'));
    const after = await get(url);
    expect(after.body).not.toContain('Uncommitted draft.');
    expect(after.body).toBe(before);
  });

  it('escapes JSON-LD so no title can close its script element', async () => {
    const id = await makeQuestion(t.database.db, { subject: 'History', title: 'Why </script><script>alert(1)</script> fails?' });
    const res = await get(`/q/${id}/why-script-script-alert-1-script-fails`);
    expect(res.statusCode).toBe(200);
    const raw = /<script type="application\/ld\+json">(.*?)<\/script>/s.exec(res.body)?.[1] as string;
    expect(JSON.parse(raw).mainEntity.name).toBe('Why </script><script>alert(1)</script> fails?');
    expect(res.body).not.toContain('<script>alert(1)');
  });

  it('shows code in a question highlighted by the server, with no script for it', async () => {
    const details = 'My loop never stops:\n\n```python\nwhile n > 0:\n    print(n)  # why forever?\n```';
    const id = await makeQuestion(t.database.db, {
      subject: 'Computer Science',
      title: 'Why does my Python while loop never stop?',
      details,
    });
    const res = await get(`/q/${id}/why-does-my-python-while-loop-never-stop`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(
      '<code class="language-python"><span class="hljs-keyword">while</span> n &gt; <span class="hljs-number">0</span>',
    );
    expect(res.body).toContain('<span class="hljs-comment"># why forever?</span>');
    expect(res.body).not.toMatch(/<script[^>]*highlight/);
  });

  it('renders math and chemistry on the server; only pages with math load its stylesheet and allow its inline styles', async () => {
    const id = await makeQuestion(t.database.db, {
      subject: 'Science',
      title: 'How do I balance the equation for burning hydrogen?',
      details: 'We wrote $\\ce{H2 + O2 -> H2O}$ and solved $x^2 = 4$, but $\\frac{1}{$ will not render.',
      quickAnswer: 'Put a 2 in front of each: $\\ce{2H2 + O2 -> 2H2O}$ has four hydrogens and two oxygens on each side.',
    });
    const url = `/q/${id}/how-do-i-balance-the-equation-for-burning-hydrogen`;
    for (const round of ['first', 'cached']) {
      const res = await get(url);
      expect(res.statusCode, round).toBe(200);
      expect(res.body).toContain('<annotation encoding="application/x-tex">\\ce{2H2 + O2 -&gt; 2H2O}</annotation>');
      expect(res.body).toContain('<annotation encoding="application/x-tex">x^2 = 4</annotation>');
      expect(res.body).not.toContain('<mtext>\\ce</mtext>');
      // Bad TeX shows its source in the error style; the page still renders.
      expect(res.body).toMatch(/<span class="katex-error"[^>]*>\\frac\{1\}\{<\/span>/);
      expect(res.body).not.toMatch(/<script[^>]*katex/);
      expect(res.headers['content-security-policy']).toContain("style-src-attr 'unsafe-inline'");
      expect(res.headers['content-security-policy']).toContain("style-src 'self'");
      const css = /<link rel="stylesheet" href="(\/static\/katex\.[0-9a-f]{12}\.css)">/.exec(res.body)?.[1];
      expect(css, round).toBeDefined();
      const sheet = await get(css as string);
      expect(sheet.statusCode).toBe(200);
      expect(sheet.headers['content-type']).toBe('text/css; charset=utf-8');
      expect(sheet.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      const font = /url\((\/static\/KaTeX_Main-Regular\.[0-9a-f]{12}\.woff2)\)/.exec(sheet.body)?.[1];
      expect(font).toBeDefined();
      expect(sheet.body).not.toContain('.ttf');
      const woff2 = await get(font as string);
      expect(woff2.statusCode).toBe(200);
      expect(woff2.headers['content-type']).toBe('font/woff2');
    }
    // A page without math: no math stylesheet, and inline styles stay refused.
    const plain = await get(`/q/${questionId}`, {});
    const page = await get(plain.headers.location as string);
    expect(page.body).not.toContain('/static/katex.');
    expect(page.headers['content-security-policy']).not.toContain('style-src-attr');
  });

  it('redirects a wrong or missing slug to the canonical URL with 301', async () => {
    const canonical = `/q/${questionId}/what-were-robespierre-s-aims-during-the-terror`;
    for (const url of [
      `/q/${questionId}`,
      `/q/${questionId}/wrong-slug`,
      `/q/${questionId}/WHAT-WERE-ROBESPIERRE-S-AIMS-DURING-THE-TERROR`,
    ]) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(301);
      expect(res.headers.location).toBe(canonical);
    }
  });

  it('keeps the query string through a slug redirect, and moves slashed addresses to one without the slash', async () => {
    const canonical = `/q/${questionId}/what-were-robespierre-s-aims-during-the-terror`;
    const moved = await get(`/q/${questionId}/wrong-slug?utm_source=newsletter&x=1`);
    expect(moved.statusCode).toBe(301);
    expect(moved.headers.location).toBe(`${canonical}?utm_source=newsletter&x=1`);
    for (const [from, to] of [
      ['/subjects/', '/subjects'],
      ['/signup/', '/signup'],
      [`${canonical}/`, canonical],
      ['/search/?q=terror', '/search?q=terror'],
      // Never to another site: leading slashes collapse.
      ['//evil.example/', '/evil.example'],
      ['///evil.example//', '/evil.example'],
    ] as Array<[string, string]>) {
      const res = await get(from);
      expect(res.statusCode, from).toBe(301);
      expect(res.headers.location, from).toBe(to);
    }
    expect((await get('/')).statusCode).toBe(200);
    expect((await get('/subjects')).statusCode).toBe(200);
  });

  it('answers a helpful 404 for an unknown, malformed or unpublished question', async () => {
    for (const url of [
      '/q/999999/anything',
      '/q/abc/x',
      '/q/0',
      '/q/-5/x',
      `/q/${unpublishedId}/a-question-that-is-still-in-the-queue`,
      '/q/99999999999999999999/x',
    ]) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type']).toContain('text/html');
      expect(res.body).toContain('We could not find that question');
      expect(res.body).toContain('action="/search"');
    }
  });

  it('pages a subject 20 at a time with rel="next" and no OFFSET', async () => {
    const first = await get('/subjects/math');
    expect(first.statusCode).toBe(200);
    const titles = (html: string) => [...html.matchAll(/class="title" href="[^"]+">([^<]+)</g)].map((m) => m[1]);
    expect(titles(first.body)).toHaveLength(20);
    const next = /<link rel="next" href="([^"]+)"/.exec(first.body)?.[1];
    expect(next).toMatch(/^\/subjects\/math\?after=[0-9a-z]+\.[0-9a-z]+$/);
    expect(first.body).toContain('rel="next">Older questions</a>');
    const second = await get(next as string);
    expect(second.statusCode).toBe(200);
    expect(titles(second.body)).toHaveLength(3);
    expect(second.body).not.toContain('rel="next"');
    expect(new Set([...titles(first.body), ...titles(second.body)]).size).toBe(23);
  });

  it('lists subjects with their counts', async () => {
    const res = await get('/subjects');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('23 answered questions');
  });

  it.each([
    ['/subjects/alchemy', 404],
    ['/subjects/math?after=garbage', 400],
    [`/subjects/math?after=${'a'.repeat(5000)}`, 400],
    ['/nope', 404],
    ['/q/%E0%A4%A/x', 400],
    ['/q/1/%ff%fe', 400],
    ['/subjects/%c0%af', 400],
    ['/search?q=%ff%fe%00', 200],
    [`/search?q=${'x'.repeat(10_000)}`, 200],
    [`/search?q=${'x'.repeat(40_000)}`, 400],
    ['/static/app.nothere.css', 404],
  ])('answers %s with %i and an HTML page, never a 500', async (url, status) => {
    const res = await get(url);
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).not.toMatch(/at .+\.ts:\d+/);
  });

  it('refuses a POST to a page with 404 and no stack trace', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/q/1/x',
      payload: 'a=b',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.statusCode).toBe(404);
  });

  it('finds questions by title words on /search', async () => {
    const res = await get('/search?q=robespierre');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('What were Robespierre’s aims during the Terror?');
    const none = await get('/search?q=%22%27%29%28*%25_');
    expect(none.statusCode).toBe(200);
    expect(none.body).toContain('No results for');
  });

  it('reports health: the database engine, and the database and disk both ok', async () => {
    const res = await get('/healthz');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', engine, database: 'ok', disk: 'ok' });
  });

  it('serves the stylesheet under a hashed name with a year of caching and a content security policy on pages', async () => {
    const home = await get('/');
    const css = /href="(\/static\/app\.[0-9a-f]{12}\.css)"/.exec(home.body)?.[1] as string;
    const res = await get(css);
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(res.body).toContain('prefers-color-scheme: dark');
    expect((await get(css, { 'if-none-match': res.headers.etag as string })).statusCode).toBe(304);
    expect(home.headers['content-security-policy']).toContain("script-src 'self'");
    expect(home.headers['x-content-type-options']).toBe('nosniff');
  });
});
