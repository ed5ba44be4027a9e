import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guideImportKey } from '../src/modules/content/import-guide.ts';
import { importGuides } from '../src/modules/guides/index.ts';
import { rebuildSearchIndex } from '../src/modules/search/index.ts';
import { newestTitleMatches } from '../src/modules/search/typeahead.repository.ts';
import { buildTestApp, type TestApp } from './helpers/app.ts';
import { engines } from './helpers/databases.ts';
import { makeEducator, makeQuestion } from './helpers/factories.ts';

// Suggestions while typing (GET /search/suggest), through HTTP on each engine.

interface Item {
  title: string;
  url: string;
  kind: 'question' | 'guide';
  subject: string;
}

/** Words found only in an expert answer (or only in a question's details): a suggestion must never reveal them. */
const ANSWER_ONLY = 'zephyrine quartzwing';
const DETAILS_ONLY = 'marmalith';

/** What a careless or hostile visitor may type; each gets 200 and a JSON list. */
const HOSTILE = [
  '"',
  '"""',
  '"photosyn',
  'photosyn"',
  'photosyn*',
  '*',
  '**',
  'AND',
  'OR NOT',
  'photosyn AND',
  'NEAR(photosynthesis energy, 3)',
  'NEAR',
  '^photosyn',
  'title:photosyn',
  '{title}: photosyn',
  '-photosyn +energy',
  '- + ^ : * ( ) [ ] { } < > ! & | \\',
  '((((',
  '(photosyn',
  '[photosyn]',
  "photo's'yn",
  "'; drop table questions; --",
  "' OR '1'='1",
  "'photosyn':* & !'x'",
  '%_\\',
  '\\',
  '🎉🔥📚',
  '📚 photosyn 🌱',
  'photo\u0000syn',
  '\u0000',
  '\u0000\u0000\u0000',
  'a\u0007b\u001b[31mred',
  '\u202eevil\u202c',
  '光合作用',
  'e\u0301te\u0301',
  'Ⅻ ½ ²',
  '\ufeff',
  'x'.repeat(61),
  'x'.repeat(10_000),
  Array.from({ length: 2000 }, (_, i) => `w${i}`)
    .join(' ')
    .slice(0, 10_000),
  `${'photosyn '.repeat(1200)}`.slice(0, 10_000),
];

describe.each(engines)('suggestions while typing on %s', (engine) => {
  let t: TestApp;
  const ids: Record<string, number> = {};
  const tessellations: number[] = [];

  const suggest = async (q: string): Promise<Item[]> => {
    const res = await t.app.inject({ method: 'GET', url: `/search/suggest?q=${encodeURIComponent(q)}` });
    expect(res.statusCode, q).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    return (res.json() as { items: Item[] }).items;
  };
  const titles = async (q: string) => (await suggest(q)).map((i) => i.title);

  beforeAll(async () => {
    t = await buildTestApp(engine);
    const db = t.database.db;
    const educator = await makeEducator(db);
    const q = (key: string, subject: string, title: string, extra: { details?: string; answer?: string } = {}) =>
      makeQuestion(db, { subject, title, educatorId: educator.id, ...extra }).then((id) => {
        ids[key] = id;
      });
    await q('energy', 'Science', 'How does photosynthesis store energy?');
    await q('light', 'Science', 'What does light do in photosynthesis?', {
      details: `My notes say ${DETAILS_ONLY} but I cannot find it anywhere.`,
      answer: `The light reactions split water. The ${ANSWER_ONLY} canary closes this expert answer.`,
    });
    await q('leaves', 'Science', 'Why do leaves change colour in autumn?', {
      answer: `Photosynthesis slows down as chlorophyll breaks down; ${ANSWER_ONLY}.`,
    });
    await q('mitosis', 'Science', 'What is the difference between mitosis and meiosis?');
    await q('hidden', 'Science', 'Does photosynthesis happen in hidden caves?');
    await q('review', 'Science', 'Can photosynthesis run on moonlight in review?');
    await db
      .updateTable('questions')
      .set({ status: 'hidden' })
      .where('id', '=', ids.hidden as number)
      .execute();
    await db
      .updateTable('questions')
      .set({ status: 'in_review' })
      .where('id', '=', ids.review as number)
      .execute();
    for (let i = 0; i < 12; i++) {
      tessellations.push(
        await makeQuestion(db, { subject: 'Math', title: `How do I draw tessellation pattern ${i}?`, educatorId: educator.id }),
      );
    }
    const guide = (title: string, subject: string) => ({
      subject,
      title,
      overview: `An overview of ${title}. ${ANSWER_ONLY} appears in this text, never in a title.`,
      sections: [{ title: 'Summary', body: `The summary of ${title}.`, membersOnly: false }],
      importKey: guideImportKey({ subject, title }),
    });
    await importGuides(db, [
      guide('Photosynthesis', 'Science'),
      guide('Photosynthesis in deep water', 'Science'),
      guide('Macbeth', 'Literature'),
    ]);
    await sql`update guides set status = 'draft' where title = 'Photosynthesis in deep water'`.execute(db);
  });
  afterAll(async () => {
    await t.close();
  });

  it('finds titles by the start of the last word, guides first, with links, kinds and subjects', async () => {
    const items = await suggest('photosyn');
    expect(items).toEqual([
      { title: 'Photosynthesis', url: '/guides/photosynthesis', kind: 'guide', subject: 'Science' },
      {
        title: 'What does light do in photosynthesis?',
        url: `/q/${ids.light}/what-does-light-do-in-photosynthesis`,
        kind: 'question',
        subject: 'Science',
      },
      {
        title: 'How does photosynthesis store energy?',
        url: `/q/${ids.energy}/how-does-photosynthesis-store-energy`,
        kind: 'question',
        subject: 'Science',
      },
    ]);
    // Any case; two letters are enough.
    expect(await titles('PHOTOSYNTHESIS')).toHaveLength(3);
    expect(await titles('Mac')).toEqual(['Macbeth']);
    expect(await titles('mi')).toContain('What is the difference between mitosis and meiosis?');
  });

  it('requires every word, the last as a prefix', async () => {
    expect(await titles('photosynthesis ener')).toEqual(['How does photosynthesis store energy?']);
    expect(await titles('energy photosyn')).toEqual(['How does photosynthesis store energy?']);
    expect(await titles('light photosynthesis')).toEqual(['What does light do in photosynthesis?']);
    // "leaves" is in no photosynthesis title (only in the leaves question's answer).
    expect(await titles('leaves photosyn')).toEqual([]);
    expect(await titles('photosynthesis autumn')).toEqual([]);
    // A one-letter last word waits for the next letter: the words before it decide.
    expect(await titles('photosynthesis store e')).toEqual(['How does photosynthesis store energy?']);
  });

  it('finds a half-typed word whose stored form is shorter than what was typed', async () => {
    // SQLite stores "difference" as its stem "differ", which "differen" does not begin.
    for (const q of ['differ', 'differen', 'difference', 'the differen', 'difference mitos']) {
      expect(await titles(q), q).toEqual(['What is the difference between mitosis and meiosis?']);
    }
  });

  it('lists at most eight, newest first', async () => {
    const items = await suggest('tessellation');
    expect(items.map((i) => i.url)).toEqual(
      tessellations
        .slice(-8)
        .reverse()
        .map((id) => expect.stringMatching(new RegExp(`^/q/${id}/`))),
    );
  });

  it('finds older titles past the newest ones PostgreSQL reads row by row, without repeats', async () => {
    // A window of three ids: the photosynthesis questions are older than the tessellations, so only the title index
    // can find them; the tessellations straddle the window's edge. (SQLite has one path; it must agree.)
    const narrow = { pgWindow: 3 };
    const photo = await newestTitleMatches(t.database, { words: [], prefix: 'photosyn' }, 8, narrow);
    expect(photo.map((r) => r.id)).toEqual([ids.light, ids.energy]);
    const straddling = await newestTitleMatches(t.database, { words: ['tessellation'], prefix: 'pat' }, 8, narrow);
    expect(straddling.map((r) => r.id)).toEqual(tessellations.slice(-8).reverse());
    expect(await newestTitleMatches(t.database, { words: ['draw'], prefix: 'tess' }, 20, narrow)).toHaveLength(12);
    // Short prefixes have index entries of their own on PostgreSQL; a whole short word is its own prefix.
    expect((await newestTitleMatches(t.database, { words: [], prefix: 'ph' }, 8, narrow)).map((r) => r.id)).toEqual([
      ids.light,
      ids.energy,
    ]);
    expect(await newestTitleMatches(t.database, { words: [], prefix: 'draw' }, 20, narrow)).toHaveLength(12);
    expect(await newestTitleMatches(t.database, { words: ['photosynthesis'], prefix: 'sto' }, 8, narrow)).toHaveLength(1);
  });

  it('never suggests hidden or unpublished questions or draft guides', async () => {
    expect(await titles('hidden caves')).toEqual([]);
    expect(await titles('moonlight')).toEqual([]);
    expect(await titles('deep water')).toEqual([]);
    const all = await titles('photosynth');
    expect(all).not.toContain('Does photosynthesis happen in hidden caves?');
    expect(all).not.toContain('Can photosynthesis run on moonlight in review?');
    expect(all).not.toContain('Photosynthesis in deep water');
    // Published again, it is suggested again (the index follows the write).
    await t.database.db
      .updateTable('questions')
      .set({ status: 'published' })
      .where('id', '=', ids.hidden as number)
      .execute();
    expect(await titles('hidden caves')).toEqual(['Does photosynthesis happen in hidden caves?']);
    await t.database.db
      .updateTable('questions')
      .set({ status: 'hidden' })
      .where('id', '=', ids.hidden as number)
      .execute();
    expect(await titles('hidden caves')).toEqual([]);
  });

  it('matches titles only: words of expert answers, details and guide text give nothing', async () => {
    for (const q of [...ANSWER_ONLY.split(' '), 'zephyr', 'quartzw', DETAILS_ONLY, 'marma', 'chlorophyll', 'overview', 'summary']) {
      expect(await suggest(q), q).toEqual([]);
    }
  });

  it('answers empty, one-character and hostile input with 200 and a JSON list', async () => {
    for (const q of ['', ' ', 'p', '  p  ', '"', '*']) expect(await suggest(q), JSON.stringify(q)).toEqual([]);
    for (const q of HOSTILE) {
      const items = await suggest(q);
      expect(Array.isArray(items), JSON.stringify(q.slice(0, 40))).toBe(true);
      for (const item of items) expect(item.url).toMatch(/^\/(q|guides)\//);
    }
    // Syntax is read as words: these find what their words find, no more and no less.
    expect(await titles('photosyn*')).toEqual(await titles('photosyn'));
    expect(await titles('"photosynthesis" AND ener')).toEqual([]);
    expect(await titles('NEAR(photosynthesis ener')).toEqual([]);
    expect(await titles('(photosynthesis) {ener}')).toEqual(['How does photosynthesis store energy?']);
    // No q, a repeated q, an encoded NUL, a bracketed key.
    for (const url of [
      '/search/suggest',
      '/search/suggest?q=photosyn&q=x',
      '/search/suggest?q=%00%00',
      '/search/suggest?q[a]=1',
      // A lone surrogate, and bytes that are not UTF-8 at all.
      '/search/suggest?q=%ED%A0%80photosyn',
      '/search/suggest?q=%FF%FEphotosyn',
      '/search/suggest?q=%E0%A4%A',
    ]) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(Array.isArray(res.json().items), url).toBe(true);
    }
  });

  it('suggests the same after the search index is rebuilt (scholia reindex)', async () => {
    const before = await suggest('photosyn');
    await rebuildSearchIndex(t.database);
    expect(await suggest('photosyn')).toEqual(before);
    expect(await titles('differen')).toEqual(['What is the difference between mitosis and meiosis?']);
  });

  it('may be kept by caches for a short while', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/search/suggest?q=photosyn' });
    expect(res.headers['cache-control']).toBe('public, max-age=60');
    expect(res.headers['set-cookie']).toBeUndefined();
  });
});
