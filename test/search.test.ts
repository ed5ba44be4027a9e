import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../src/demo/seed.ts';
import { createUser } from '../src/modules/accounts/index.ts';
import { generateQuestions } from '../src/modules/content/generate.service.ts';
import { importQuestions } from '../src/modules/content/import.service.ts';
import { parseQuery, rebuildSearchIndex, search as runSearch } from '../src/modules/search/index.ts';
import { postgresSearchIndex } from '../src/modules/search/postgres-search.repository.ts';
import { sqliteSearchIndex } from '../src/modules/search/sqlite-search.repository.ts';
import { buildTestApp, type TestApp } from './helpers/app.ts';
import { axeViolations, launchChromium } from './helpers/browser.ts';
import { testCaches } from './helpers/caches.ts';
import { createTestDatabase, engines, type TestDatabase } from './helpers/databases.ts';
import { chromiumPath, postgresUrl } from './helpers/environment.ts';
import { makeEducator, makeQuestion } from './helpers/factories.ts';
import { Client, TestClock } from './helpers/http.ts';

const PW = 'search test password';
// The canary closes an expert answer, far past the preview non-members get (80 words).
const CANARY = 'The zephyrine quartzwing marmalith canary ends this expert answer.';
const FILLER = Array.from({ length: 14 }, (_, i) => `Step ${i} of the argument adds one more reason in plain words.`).join('\n\n');

/** Every query a hostile or careless visitor might type; each must get a page, never an error. */
const HOSTILE = [
  '"',
  '"""',
  '"photosynthesis',
  'photosynthesis"',
  '"light" "',
  'AND',
  'OR',
  'NOT',
  'photosynthesis AND',
  'photosynthesis OR NOT chlorophyll',
  'NEAR(photosynthesis light, 3)',
  'NEAR',
  'photo*',
  '*',
  '^photosynthesis',
  'title:photosynthesis',
  'title : photosynthesis',
  '{title}: light',
  '-photosynthesis +light',
  '- + ^ : *',
  '((((',
  ')))',
  '(photosynthesis',
  '[light]',
  '{}',
  '🎉🔥📚',
  '📚 photosynthesis 🌱',
  'photo\u0000synthesis',
  '\u0000',
  'a\u0007b\u001b[31mred',
  '\u202eevil\u202c',
  "'; drop table questions; --",
  "' OR '1'='1",
  '%_\\',
  '\\"',
  '光合作用',
  'e\u0301te\u0301',
  '\ufeff',
  'NOT NOT NOT',
  'the of and',
  `${'(("photosynthesis" OR '.repeat(80)}`,
  'x'.repeat(2000),
  Array.from({ length: 300 }, (_, i) => `word${i}`)
    .join(' ')
    .slice(0, 2000),
];

describe.each(engines)('search on %s', (engine) => {
  let t: TestApp;
  const clock = new TestClock();
  let titleMatchId: number;
  let bodyMatchId: number;
  let canaryUrl: string;
  let n = 0;
  const signedIn = async (email: string) => {
    const c = new Client(t.app, `100.84.0.${++n}`);
    expect((await c.submit('/login', '/login', { email, password: PW })).statusCode).toBe(303);
    return c;
  };
  const search = (q: string, extra: { subject?: string; page?: number; member?: boolean | undefined } = {}) =>
    runSearch(t.database, {
      q,
      subject: extra.subject,
      page: extra.page,
      viewer: extra.member === undefined ? null : { member: extra.member },
      previewWords: 80,
      previews: testCaches().previews,
    });

  beforeAll(async () => {
    t = await buildTestApp(engine, { clock });
    const db = t.database.db;
    const educator = await makeEducator(db);
    // A body-only match made first (older), with the word many times, and a title match made after it.
    bodyMatchId = await makeQuestion(db, {
      subject: 'Science',
      title: 'Why do leaves change colour in the autumn?',
      details: 'Our teacher linked it to photosynthesis. Photosynthesis slows down, she said.',
      quickAnswer: 'Chlorophyll breaks down as photosynthesis slows, so other pigments show.',
      answer: 'Photosynthesis needs chlorophyll. When photosynthesis stops for winter the green fades.',
      educatorId: educator.id,
    });
    titleMatchId = await makeQuestion(db, {
      subject: 'Science',
      title: 'How does photosynthesis store energy?',
      details: 'I need this for a biology test.',
      quickAnswer: 'Plants capture light and keep its energy in sugar.',
      answer: 'Light reactions make ATP; the Calvin cycle builds sugar.',
      educatorId: educator.id,
    });
    const canaryId = await makeQuestion(db, {
      subject: 'Literature',
      title: 'Why does the narrator distrust the lighthouse keeper?',
      quickAnswer: 'Because the keeper lies about the storm. The quick answer is free to read.',
      answer: `${FILLER}\n\n${CANARY}`,
      educatorId: educator.id,
    });
    canaryUrl = `/q/${canaryId}/why-does-the-narrator-distrust-the-lighthouse-keeper`;
    for (let i = 0; i < 3; i++)
      await makeQuestion(db, { subject: 'Science', title: `What makes volcano number ${i} erupt?`, educatorId: educator.id });
    for (let i = 0; i < 2; i++)
      await makeQuestion(db, { subject: 'History', title: `Which town did volcano ${i} bury?`, educatorId: educator.id });
    for (let i = 0; i < 45; i++)
      await makeQuestion(db, { subject: 'Math', title: `How do I draw tessellation pattern number ${i}?`, educatorId: educator.id });
    await createUser(db, { email: 'student@example.org', name: 'Stu Dent', password: PW });
    await createUser(db, { email: 'member@example.org', name: 'Mem Ber', password: PW });
  });
  afterAll(async () => {
    await t.close();
  });

  it('ranks a title match above a question that has the word only in its text', async () => {
    const out = await search('photosynthesis');
    expect(out.results.map((r) => r.id)).toEqual([titleMatchId, bodyMatchId]);
    const page = await t.app.inject({ method: 'GET', url: '/search?q=photosynthesis' });
    expect(page.statusCode).toBe(200);
    const first = page.body.indexOf('How does photosynthesis store energy?');
    const second = page.body.indexOf('Why do leaves change colour in the autumn?');
    expect(first).toBeGreaterThan(0);
    expect(second).toBeGreaterThan(first);
    // Snippets mark the words, as text: the only markup inside a snippet is <mark>.
    expect(page.body).toMatch(/<mark>[Pp]hotosynthesis<\/mark>/);
  });

  it('matches other forms of a word and every word of the query; failing that, some of them, the rarer first', async () => {
    expect((await search('volcanoes')).total).toBe(5);
    const both = await search('draw tessellation');
    expect(both.total).toBe(45);
    expect(both.relaxed).toBeNull();
    // No question holds both words: those holding either, the five with the rarer word first.
    const either = await search('volcano tessellation');
    expect(either.relaxed).toBe('some');
    expect(either.total).toBe(50);
    expect(either.results.slice(0, 5).every((r) => /volcano/i.test(r.title))).toBe(true);
    const page = await t.app.inject({ method: 'GET', url: '/search?q=volcano+tessellation' });
    expect(page.body).toContain('No question holds every word of “volcano tessellation”');
    // Words students put between the things they compare are never required.
    expect((await search('volcanoes vs tessellation')).relaxed).toBe('some');
    expect((await search('draw versus tessellation')).total).toBe(45);
  });

  it('matches the last word typed as the start of a word when nothing matches it whole', async () => {
    const out = await search('volca');
    expect(out.relaxed).toBe('prefix');
    expect(out.total).toBe(5);
    expect((await search('volcano')).relaxed).toBeNull();
    // The snippets mark the words it starts, as they mark a whole word.
    const started = await search('captu');
    expect(started.relaxed).toBe('prefix');
    const marked = started.results.flatMap((r) => r.snippet.filter((s) => s.mark).map((s) => s.text));
    expect(marked).toEqual(['capture']);
    const page = await t.app.inject({ method: 'GET', url: '/search?q=captu' });
    expect(page.body).toContain('<mark>capture</mark>');
  });

  it('filters by subject and counts the matches in each', async () => {
    const all = await search('volcano');
    expect(all.total).toBe(5);
    expect(all.subjects).toEqual([
      { slug: 'science', name: 'Science', count: 3 },
      { slug: 'history', name: 'History', count: 2 },
    ]);
    const history = await search('volcano', { subject: 'history' });
    expect(history.total).toBe(2);
    expect(history.allTotal).toBe(5);
    expect(history.results.every((r) => r.subjectSlug === 'history')).toBe(true);
    const page = await t.app.inject({ method: 'GET', url: '/search?q=volcano&subject=history' });
    expect(page.body).toContain('2 questions match in History');
    expect(page.body).toContain('href="/search?q=volcano&amp;subject=science">Science (3)</a>');
    expect(page.body).toMatch(/<a href="\/search\?q=volcano&amp;subject=history" aria-current="page">History \(2\)<\/a>/);
    expect(page.body).not.toContain('What makes volcano number');
    // An unknown subject shows every subject rather than an error.
    expect((await t.app.inject({ method: 'GET', url: '/search?q=volcano&subject=alchemy' })).body).toContain('5 questions match');
  });

  it('pages 20 results at a time with next and previous links, without repeats', async () => {
    const seen = new Set<number>();
    const sizes: number[] = [];
    for (let p = 1; p <= 3; p++) {
      const out = await search('tessellation', { page: p });
      sizes.push(out.results.length);
      for (const r of out.results) seen.add(r.id);
      expect(out.pages).toBe(3);
    }
    expect(sizes).toEqual([20, 20, 5]);
    expect(seen.size).toBe(45);
    const first = await t.app.inject({ method: 'GET', url: '/search?q=tessellation' });
    expect(first.body).toContain('<a href="/search?q=tessellation&amp;page=2" rel="next">Next page</a>');
    expect(first.body).not.toContain('rel="prev"');
    const second = await t.app.inject({ method: 'GET', url: '/search?q=tessellation&page=2' });
    expect(second.body).toContain('<a href="/search?q=tessellation" rel="prev">Previous page</a>');
    expect(second.body).toContain('<a href="/search?q=tessellation&amp;page=3" rel="next">Next page</a>');
    // Out-of-range and nonsense page numbers show a page that exists.
    expect((await t.app.inject({ method: 'GET', url: '/search?q=tessellation&page=99' })).body).toContain('page 3 of 3');
    expect((await t.app.inject({ method: 'GET', url: '/search?q=tessellation&page=-1x' })).body).toContain('page 1 of 3');
  });

  it('shows the results of a corrected spelling at once, and what was typed when asked', async () => {
    const out = await search('photosinthesis');
    expect(out.relaxed).toBe('corrected');
    expect(out.corrected).toBe('photosynthesis');
    expect(out.total).toBeGreaterThan(0);
    const page = await t.app.inject({ method: 'GET', url: '/search?q=photosinthesis' });
    expect(page.body).toContain(
      'Showing results for <strong>photosynthesis</strong>. Search instead for <a href="/search?q=photosinthesis&amp;exact=1">photosinthesis</a>.',
    );
    const exact = await t.app.inject({ method: 'GET', url: '/search?q=photosinthesis&exact=1' });
    expect(exact.body).toContain('No results for “photosinthesis”');
    expect(exact.body).toContain('Did you mean <a href="/search?q=photosynthesis">photosynthesis</a>?');
    // Corrected, and as no question holds both words, those holding either.
    const mixed = await search('vulcano tessellation');
    expect(mixed.relaxed).toBe('some');
    expect(mixed.results[0]?.title).toMatch(/volcano/i);
    // A correction comes from text everyone may read, never from an expert answer.
    for (const member of [undefined, true]) {
      const gated = await search('marmalit', { member });
      expect(gated.relaxed).not.toBe('corrected');
      expect(gated.corrected).toBeNull();
      expect(gated.suggestion).toBeNull();
    }
  });

  it.each(HOSTILE.map((q) => [JSON.stringify(q).slice(0, 50), q]))('answers the query %s with a page', async (_, q) => {
    const res = await t.app.inject({ method: 'GET', url: `/search?q=${encodeURIComponent(q)}` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).not.toMatch(/at .+\.ts:\d+/);
  });

  it('answers any bytes and any length without an error', async () => {
    for (const url of [
      '/search?q=%ff%fe%00',
      '/search?q=%ED%A0%80',
      '/search?q=%C0%AF',
      '/search?q=a&q=b',
      '/search?page=2',
      '/search?q=',
    ]) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBeLessThan(500);
      expect(res.body).not.toMatch(/at .+\.ts:\d+/);
    }
    // Ten thousand characters of operators are read (the first thousand of them) and answered like any query.
    const long = 'photosynthesis "light AND (NOT '.repeat(400);
    expect(long.length).toBeGreaterThan(10_000);
    const res = await t.app.inject({ method: 'GET', url: `/search?q=${encodeURIComponent(long)}` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    // No question holds both words the operators leave: those holding either.
    expect(res.body).toContain('No question holds every word');
    const out = await search(long);
    expect(out.query.text.length).toBeLessThanOrEqual(1000);
    expect(out.relaxed).toBe('some');
    expect((await search('\u0000'.repeat(10_000))).total).toBe(0);
    expect((await search('📚'.repeat(5000))).total).toBe(0);
  });

  it('shows the end of an expert answer in search results to members only', async () => {
    const q = encodeURIComponent('zephyrine quartzwing');
    const visitor = await new Client(t.app).get(`/search?q=${q}`);
    const student = await (await signedIn('student@example.org')).get(`/search?q=${q}`);
    for (const res of [visitor, student]) {
      expect(res.statusCode).toBe(200);
      // The question is found (its answer matches) but nothing past the preview is shown.
      expect(res.body).toContain(canaryUrl);
      expect(res.body).not.toContain('marmalith');
    }
    const member = await signedIn('member@example.org');
    expect((await member.submit(canaryUrl, '/membership/trial', { next: canaryUrl })).statusCode).toBe(303);
    const res = await member.get(`/search?q=${q}`);
    expect(res.body).toContain(canaryUrl);
    expect(res.body).toContain('marmalith');
    expect(res.body).toContain('<mark>zephyrine</mark> <mark>quartzwing</mark> marmalith canary');
  });
});

describe.each(engines)('the search index follows every write on %s', (engine) => {
  it('indexes imports, edits, hiding and deleting in the same transaction', async () => {
    const database = await createTestDatabase(engine);
    try {
      const db = database.db;
      const found = async (q: string) =>
        (await runSearch(database, { q, viewer: null, previewWords: 80, previews: testCaches().previews })).results.map((r) => r.title);
      const search = (q: string) => runSearch(database, { q, viewer: null, previewWords: 80, previews: testCaches().previews });
      const lines = [
        JSON.stringify({
          subject: 'Science',
          title: 'What is a quasicrystal and who found one?',
          details: 'Seen in a documentary.',
          quickAnswer: 'An ordered but never repeating solid.',
          answer: 'Dan Shechtman saw fivefold symmetry in 1982.',
          educator: 'Imported Teacher',
        }),
      ];
      await importQuestions(db, async function* () {
        yield* lines;
      });
      expect(await found('quasicrystal')).toEqual(['What is a quasicrystal and who found one?']);
      expect(await found('shechtman')).toHaveLength(1);

      // A refused import (a bad line) writes nothing, the index included.
      await importQuestions(db, async function* () {
        yield JSON.stringify({
          subject: 'Science',
          title: 'Where do aperiodic tilings occur?',
          quickAnswer: 'x',
          answer: 'x',
          educator: 'T',
        });
        yield '{"bad":';
      });
      expect(await found('aperiodic')).toEqual([]);

      const [row] = await db.selectFrom('questions').select('id').where('title', 'like', '%quasicrystal%').execute();
      const id = (row as { id: number }).id;
      await db.updateTable('answers').set({ body: 'Penrose tilings explain the pattern.' }).where('question_id', '=', id).execute();
      expect(await found('shechtman')).toEqual([]);
      expect(await found('penrose')).toHaveLength(1);
      await db.updateTable('questions').set({ title: 'What is an icosahedral solid?' }).where('id', '=', id).execute();
      expect(await found('quasicrystal')).toEqual([]);
      expect(await found('icosahedral')).toEqual(['What is an icosahedral solid?']);
      expect((await search('icosahedrel')).corrected).toBe('icosahedral');
      await db.updateTable('questions').set({ status: 'hidden' }).where('id', '=', id).execute();
      expect(await found('icosahedral')).toEqual([]);
      // Nor is a hidden question's word offered as a spelling: "did you mean" counts published free text only.
      expect((await search('icosahedrel')).corrected).toBeNull();
      await db.updateTable('questions').set({ status: 'published' }).where('id', '=', id).execute();
      expect(await found('icosahedral')).toHaveLength(1);
      expect((await search('icosahedrel')).corrected).toBe('icosahedral');
      // A write rolled back leaves the index as it was.
      await db
        .transaction()
        .execute(async (trx) => {
          await trx.updateTable('questions').set({ title: 'Rolled back dodecahedron title?' }).where('id', '=', id).execute();
          throw new Error('roll back');
        })
        .catch(() => {});
      expect(await found('dodecahedron')).toEqual([]);
      expect(await found('icosahedral')).toHaveLength(1);
      await db.deleteFrom('answers').where('question_id', '=', id).execute();
      expect(await found('icosahedral')).toEqual([]);

      // The demo seed and synthetic data go through the same tables; a rebuild finds exactly what the triggers kept.
      await seedDemo(db);
      expect((await found('photosynthesis'))[0]).toMatch(/photosynthesis/i);
      await generateQuestions(db, { questions: 60, seed: 5 });
      const { n } = await db
        .selectFrom('questions as q')
        .innerJoin('answers as a', 'a.question_id', 'q.id')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('q.status', '=', 'published')
        .executeTakeFirstOrThrow();
      const generated = await db
        .selectFrom('questions')
        .select('title')
        .where('import_key', 'like', 'gen:5:%')
        .limit(1)
        .executeTakeFirstOrThrow();
      const before = await found(generated.title);
      expect(before).toContain(generated.title);
      expect(await rebuildSearchIndex(database)).toBe(Number(n));
      expect(await found(generated.title)).toEqual(before);
    } finally {
      await database.destroy();
    }
  });
});

describe.each(engines)('subjects in search on %s', (engine) => {
  it('lists and filters by a subject added after a search, at once', async () => {
    const database = await createTestDatabase(engine);
    try {
      const search = (q: string, subject?: string) =>
        runSearch(database, { q, subject, viewer: null, previewWords: 80, previews: testCaches().previews });
      const question = (subject: string, title: string) =>
        JSON.stringify({
          subject,
          title,
          details: 'Asked in class.',
          quickAnswer: 'A short answer.',
          answer: 'A longer answer.',
          educator: 'T',
        });
      await importQuestions(database.db, async function* () {
        yield question('Science', 'Why is a quasicrystal never periodic?');
      });
      expect((await search('quasicrystal')).subjects.map((s) => s.name)).toEqual(['Science']);
      // PostgreSQL keeps the list of subjects for a few seconds; a match in a subject it lacks reads it again.
      await importQuestions(database.db, async function* () {
        yield question('Mineralogy', 'Where are quasicrystal minerals found?');
      });
      const both = await search('quasicrystal');
      expect(both.subjects.map((s) => [s.name, s.count])).toEqual([
        ['Mineralogy', 1],
        ['Science', 1],
      ]);
      const filtered = await search('quasicrystal', 'mineralogy');
      expect(filtered.subject?.name).toBe('Mineralogy');
      expect(filtered.results.map((r) => r.title)).toEqual(['Where are quasicrystal minerals found?']);
    } finally {
      await database.destroy();
    }
  });
});

describe.each(engines)('search over ids far apart on %s', (engine) => {
  it('finds the old matches as well as the new, however far apart their ids', async () => {
    // PostgreSQL reads the newest blocks of ids first, then the next blocks or every older id at once; SQLite its
    // newest candidates. A word in three questions of far apart ids must be found in all three.
    const database = await createTestDatabase(engine);
    try {
      const db = database.db;
      const jumpIdsTo = async (id: number) => {
        if (engine === 'postgres') await sql`select setval(pg_get_serial_sequence('questions', 'id'), ${id})`.execute(db);
        else {
          // SQLite's next rowid is one more than the largest: a queued placeholder there (never searched) moves it on.
          await sql`insert into questions (id, subject_id, asker_id, title, slug, details, details_html, status, created_at, updated_at)
            select ${id}, subject_id, asker_id, 'placeholder', 'placeholder', '', '', 'queued', created_at, updated_at from questions limit 1`.execute(
            db,
          );
        }
      };
      const ids: number[] = [];
      ids.push(await makeQuestion(db, { subject: 'Science', title: 'Why do zorbulant crystals glow in the oldest rocks?' }));
      await jumpIdsTo(150_000);
      ids.push(await makeQuestion(db, { subject: 'Science', title: 'How are zorbulant crystals dated by geologists?' }));
      await jumpIdsTo(330_000);
      ids.push(await makeQuestion(db, { subject: 'Science', title: 'Where are zorbulant crystals mined today?' }));
      expect(ids[2]).toBeGreaterThan(300_000);
      const found = await runSearch(database, { q: 'zorbulant crystals', viewer: null, previewWords: 80, previews: testCaches().previews });
      expect(found.results.map((r) => r.id).sort((a, b) => a - b)).toEqual(ids);
      const one = await runSearch(database, { q: 'zorbulant', viewer: null, previewWords: 80, previews: testCaches().previews });
      expect(one.results).toHaveLength(3);
      // A word of the oldest question alone: the newest blocks hold no match, and every older id is read at once.
      const oldest = await runSearch(database, { q: 'glow', viewer: null, previewWords: 80, previews: testCaches().previews });
      expect(oldest.results.map((r) => r.id)).toEqual([ids[0]]);
      // Many matches among the newest ids and two far older: PostgreSQL, having found the words dense in the newest
      // blocks of ids, goes on block by block (above, finding them sparse, it read every older id at once): for
      // words alone the blocks of search_word_blocks, for a phrase the blocks of ids.
      for (let i = 0; i < 40; i++) {
        ids.push(await makeQuestion(db, { subject: 'Science', title: `Which zorbulant crystals grew in sample ${i}?` }));
      }
      const dense = await runSearch(database, { q: 'zorbulant', viewer: null, previewWords: 80, previews: testCaches().previews });
      expect(dense.total).toBe(43);
      for (const q of ['zorbulant crystals', 'crystals zorbulant', '"zorbulant crystals"']) {
        const both = await runSearch(database, { q, viewer: null, previewWords: 80, previews: testCaches().previews });
        expect(both.total, q).toBe(43);
      }
      expect(
        (await runSearch(database, { q: 'glow crystals', viewer: null, previewWords: 80, previews: testCaches().previews })).results.map(
          (r) => r.id,
        ),
      ).toEqual([ids[0]]);
      const pages = [
        dense,
        await runSearch(database, { q: 'zorbulant', page: 2, viewer: null, previewWords: 80, previews: testCaches().previews }),
      ];
      const third = await runSearch(database, { q: 'zorbulant', page: 3, viewer: null, previewWords: 80, previews: testCaches().previews });
      expect([...pages, third].flatMap((p) => p.results.map((r) => r.id)).sort((a, b) => a - b)).toEqual(ids);
    } finally {
      await database.destroy();
    }
  });
});

describe.each(engines)('a typo that starts a rare word on %s', (engine) => {
  it('shows the corrected spelling when the start of the word finds little and the spelling finds much more', async () => {
    const database = await createTestDatabase(engine);
    try {
      const db = database.db;
      const educator = await makeEducator(db);
      for (let i = 0; i < 4; i++)
        await makeQuestion(db, { subject: 'Science', title: `What makes volcano number ${i} erupt?`, educatorId: educator.id });
      await makeQuestion(db, { subject: 'Arts', title: 'Who drew Professor Volcannon in the old comic?', educatorId: educator.id });
      const find = (q: string, exact = false) =>
        runSearch(database, { q, exact, viewer: null, previewWords: 80, previews: testCaches().previews });
      // "volcann" starts only "Volcannon"; one letter away is "volcano", in four questions.
      const typo = await find('volcann');
      expect(typo.relaxed).toBe('corrected');
      expect(typo.corrected).toBe('volcano');
      expect(typo.total).toBe(4);
      // Asked for exactly what was typed: the start of the word.
      const exact = await find('volcann', true);
      expect(exact.relaxed).toBe('prefix');
      expect(exact.results.map((r) => r.title)).toEqual(['Who drew Professor Volcannon in the old comic?']);
      // A start that finds enough is not second-guessed.
      expect((await find('volca')).relaxed).toBe('prefix');
    } finally {
      await database.destroy();
    }
  });
});

/** Candidates' ids in the order the search service lists them: best score first, equal scores newest first. */
function inServiceOrder(candidates: ReadonlyArray<{ id: number; score: number }>): number[] {
  return [...candidates].sort((a, b) => b.score - a.score || b.id - a.id).map((c) => c.id);
}

/**
 * Questions with "volcano" in them, oldest first: one with it in the title, five in the details only, optionally one
 * with the rarer "caldera", and the newest with it in the title. Their ids by key.
 */
async function addVolcanoQuestions(db: TestDatabase['db'], caldera: boolean): Promise<Record<string, number>> {
  const educator = await makeEducator(db);
  const made: Record<string, number> = {};
  const add = async (key: string, title: string, details: string) => {
    made[key] = await makeQuestion(db, { subject: 'Science', title, details, educatorId: educator.id });
  };
  await add('titleOld', 'Why does a volcano erupt?', 'Asked in class.');
  for (let i = 0; i < 5; i++) await add(`body${i}`, `What happened on field trip day ${i}?`, 'We walked up an old volcano.');
  if (caldera) await add('caldera', 'What is left after an eruption?', 'Our guide said the volcano left a caldera.');
  await add('titleNew', 'How tall can a volcano grow?', 'Asked at the museum.');
  return made;
}

describe('SQLite ranking when words are in very many questions', () => {
  it('puts title matches first when every word is common, and ranks by the selective words otherwise', async () => {
    const database = await createTestDatabase('sqlite');
    try {
      const db = database.db;
      const made = await addVolcanoQuestions(db, true);
      // With a limit of 3, "volcano" (8 questions) counts as common; "caldera" (1) as selective.
      const index = sqliteSearchIndex(db, { rankTermLimit: 3 });
      const order = async (q: string) => {
        const { candidates } = await index.candidates(parseQuery(q), 1000);
        return inServiceOrder(candidates);
      };
      const common = await order('volcano');
      expect(common).toHaveLength(8);
      expect(common.slice(0, 2).sort()).toEqual([made.titleOld, made.titleNew].sort());
      expect(await order('volcano caldera')).toEqual([made.caldera]);
      expect(await order('volcano nothinglikethis')).toEqual([]);
      // A phrase of common words is matched as its words (here the same five questions).
      expect(await order('"old volcano"')).toHaveLength(5);
      // The service gives the same first results with its own limit (nothing is common on a small site).
      const out = await runSearch(database, { q: 'volcano', viewer: null, previewWords: 80, previews: testCaches().previews });
      expect(
        out.results
          .slice(0, 2)
          .map((r) => r.id)
          .sort(),
      ).toEqual([made.titleOld, made.titleNew].sort());
    } finally {
      await database.destroy();
    }
  });
});

describe.skipIf(!postgresUrl)('PostgreSQL ranking of many matches', () => {
  it('ranks the newest matches and lists the older ones after them, newest first', async () => {
    const database = await createTestDatabase('postgres');
    try {
      const db = database.db;
      const made = await addVolcanoQuestions(db, false);
      const order = async (rankedMatches?: number) => {
        const index = postgresSearchIndex(db, rankedMatches === undefined ? {} : { rankedMatches });
        const { candidates } = await index.candidates(parseQuery('volcano'), 1000);
        return inServiceOrder(candidates);
      };
      // Every match ranked: both title matches first.
      const all = await order();
      expect(all).toHaveLength(7);
      expect(all.slice(0, 2).sort()).toEqual([made.titleOld, made.titleNew].sort());
      // The newest three ranked (the newer title match first), then the other four, newest first: the old title
      // match is listed, last, as the oldest.
      const windowed = await order(3);
      expect(windowed).toHaveLength(7);
      expect(windowed[0]).toBe(made.titleNew);
      expect(windowed.slice(3)).toEqual([made.body2, made.body1, made.body0, made.titleOld]);
    } finally {
      await database.destroy();
    }
  });
});

describe.skipIf(!postgresUrl)('PostgreSQL phrases of common words', () => {
  it('matches a phrase of words in most questions as its words, and keeps the order of a phrase with a rare word', async () => {
    const database = await createTestDatabase('postgres');
    try {
      const db = database.db;
      const educator = await makeEducator(db);
      const ids: number[] = [];
      for (let i = 0; i < 30; i++)
        ids.push(
          await makeQuestion(db, {
            subject: 'Science',
            title: `Notes on a river walk number ${i}?`,
            details: 'The river walk was long.',
            educatorId: educator.id,
          }),
        );
      await makeQuestion(db, {
        subject: 'Science',
        title: 'Where does the walk along the river go?',
        details: 'A short one.',
        educatorId: educator.id,
      });
      await makeQuestion(db, {
        subject: 'Science',
        title: 'Which river otters swim upstream?',
        details: 'Otters river.',
        educatorId: educator.id,
      });
      // ANALYZE lists "river" and "walk" among the column's most common elements.
      await sql`analyze search_documents`.execute(db);
      const found = async (q: string) =>
        (await runSearch(database, { q, viewer: null, previewWords: 80, previews: testCaches().previews })).total;
      // Both words are common: the phrase is matched as its words, so the question with them apart counts too.
      expect(await found('"river walk"')).toBe(31);
      // (30 with the words in order, and the one with them apart.)
      // "otters" is rare: the phrase keeps its order ("river otters" is in one title; "otters river" in its details only).
      expect(await found('"river otters"')).toBe(1);
      expect(await found('"otters swim"')).toBe(1);
      expect(await found('"swim otters"')).toBe(0);
    } finally {
      await database.destroy();
    }
  });
});

describe('query parsing', () => {
  it('keeps words and phrases, drops stop words and never passes syntax on', () => {
    expect(parseQuery('The French "war of the worlds" AND -photo* (x)').clauses).toEqual([
      ['french'],
      ['war', 'of', 'the', 'worlds'],
      ['photo'],
      ['x'],
    ]);
    expect(parseQuery('"unbalanced quote words').clauses).toEqual([['unbalanced'], ['quote'], ['words']]);
    expect(parseQuery('the of and').clauses).toEqual([]);
    expect(parseQuery('a\u0000b').text).toBe('a b');
    expect(parseQuery('w '.repeat(5000)).text.length).toBeLessThanOrEqual(1000);
  });
});

/** Runs the real `scholia` command. */
function scholia(args: string[], env: Record<string, string>) {
  const r = spawnSync(process.execPath, [path.resolve(import.meta.dirname, '..', 'bin/scholia.js'), ...args], {
    cwd: path.resolve(import.meta.dirname, '..'),
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'warn', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.each(engines)('scholia reindex on %s', (engine) => {
  it('rebuilds an emptied index', async () => {
    const database = await createTestDatabase(engine);
    const dir = mkdtempSync(path.join(tmpdir(), 'scholia-reindex-'));
    // The command reaches the same database: the SQLite file, or the test's own PostgreSQL schema.
    try {
      const env =
        engine === 'sqlite'
          ? { DATABASE_URL: `sqlite:${(await sql<{ file: string }>`pragma database_list`.execute(database.db)).rows[0]?.file}` }
          : { DATABASE_URL: `${postgresUrl}?options=${encodeURIComponent(`-c search_path=${database.pgSchema}`)}` };
      await makeQuestion(database.db, { title: 'Why did the Hanseatic League decline?' });
      const found = async () =>
        (await runSearch(database, { q: 'hanseatic', viewer: null, previewWords: 80, previews: testCaches().previews })).total;
      expect(await found()).toBe(1);
      if (engine === 'sqlite') await sql`insert into search_fts (search_fts) values ('delete-all')`.execute(database.db);
      else await sql`delete from search_documents`.execute(database.db);
      expect(await found()).toBe(0);
      const r = scholia(['reindex'], { DATA_DIR: dir, ...env });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Search index rebuilt: 1 published question\(s\) in [\d.]+ s\.$/m);
      expect(await found()).toBe(1);
      expect(scholia(['reindex', 'now'], { DATA_DIR: dir, ...env }).stderr).toContain('reindex takes no arguments');
    } finally {
      await database.destroy();
    }
  });
});

describe.skipIf(!chromiumPath)('the search page in Chromium', () => {
  it('passes axe-core with results, subject filter, pages, marks and a suggestion, in light and dark mode', async () => {
    const t = await buildTestApp('sqlite');
    const browser = await launchChromium();
    try {
      const educator = await makeEducator(t.database.db);
      for (let i = 0; i < 25; i++) {
        await makeQuestion(t.database.db, {
          subject: i % 2 ? 'Math' : 'Science',
          title: `How do I draw tessellation pattern number ${i}?`,
          details: 'A tessellation covers the plane with no gaps.',
          educatorId: educator.id,
        });
      }
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      const base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
      for (const colorScheme of ['light', 'dark'] as const) {
        const context = await browser.newContext({ bypassCSP: true, colorScheme, javaScriptEnabled: true });
        const page = await context.newPage();
        for (const p of [
          '/search?q=tessellation',
          '/search?q=tessellation&page=2&subject=math',
          '/search?q=tesselatoin',
          '/search?q=the',
        ]) {
          await page.goto(`${base}${p}`);
          expect(await axeViolations(page), `${p} (${colorScheme})`).toEqual([]);
        }
        await context.close();
      }
    } finally {
      await browser.close();
      await t.close();
    }
  }, 60_000);
});
