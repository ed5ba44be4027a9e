import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../src/modules/accounts/index.ts';
import { buildTestApp, type TestApp } from './helpers/app.ts';
import { engines } from './helpers/databases.ts';
import { makeEducator, makeQuestion } from './helpers/factories.ts';
import { Client } from './helpers/http.ts';

const PW = 'related test password';

/** What a student might type into the ask box, on purpose or not; each must get an answer, never an error. */
const HOSTILE = [
  '"',
  '"""eyam',
  'eyam"',
  'NEAR(eyam plague, 3)',
  'eyam AND plague OR NOT quarantine',
  'eyam*',
  '* * *',
  '^eyam',
  'title:eyam',
  '{title}: eyam',
  '-eyam +plague',
  '((((eyam',
  '[plague]',
  '🎉🔥📚 eyam 🌱',
  'eyam\u0000plague',
  '\u0000\u0000\u0000',
  'a\u0007b\u001b[31mred',
  '\u202eeyam\u202c',
  "'; drop table questions; --",
  "' OR '1'='1",
  '%_\\ eyam',
  '\\"\\\'',
  '光合作用',
  'e\u0301yam',
  '\ufeff',
  'the of and',
  '(("eyam" OR '.repeat(50),
  'eyam '.repeat(2000),
  'x'.repeat(10_000),
  Array.from({ length: 1000 }, (_, i) => `word${i}`).join(' '),
];

/** The question ids listed under "Related questions", in order. */
function relatedIds(html: string): number[] {
  const start = html.indexOf('aria-labelledby="related-title"');
  expect(start, 'the page has a related questions section').toBeGreaterThan(0);
  const section = html.slice(start, html.indexOf('</aside>', start));
  return [...section.matchAll(/href="\/q\/(\d+)\//g)].map((m) => Number(m[1]));
}

describe.each(engines)('related and similar questions on %s', (engine) => {
  let t: TestApp;
  const ids: Record<string, number> = {};
  let targetPath: string;

  beforeAll(async () => {
    t = await buildTestApp(engine);
    const db = t.database.db;
    const educatorId = (await makeEducator(db)).id;
    const q = (name: string, o: Parameters<typeof makeQuestion>[1]) =>
      makeQuestion(db, { educatorId, ...o }).then((id) => {
        ids[name] = id;
        return id;
      });
    // Oldest first: the questions sharing words come before everything else, so only ranking can put them first.
    await q('termOtherSubject', { subject: 'Science', title: 'Why was the Eyam quarantine so effective against bubonic plague?' });
    await q('termAndTopic', { subject: 'History', topics: ['Plague'], title: 'Why did the Eyam villagers stay during the plague?' });
    await q('topicOnly', { subject: 'History', topics: ['Plague'], title: 'What did doctors wear to visit the sick?' });
    await q('target', { subject: 'History', topics: ['Plague'], title: 'How did the bubonic plague reach Eyam in 1665?' });
    // Sharing words and the topic, but not published, or hidden by a moderator.
    await q('queued', { subject: 'History', topics: ['Plague'], title: 'Did the bubonic plague come back to Eyam later?' });
    await db
      .updateTable('questions')
      .set({ status: 'queued' })
      .where('id', '=', ids.queued as number)
      .execute();
    await q('hidden', { subject: 'History', topics: ['Plague'], title: 'When did the Eyam plague finally end?' });
    await db
      .updateTable('questions')
      .set({ status: 'hidden' })
      .where('id', '=', ids.hidden as number)
      .execute();
    // Newer questions of the same subject with nothing in common: today's fallback would list these first.
    for (let i = 0; i < 8; i++) await q(`unrelated${i}`, { subject: 'History', title: `Who won battle number ${i} of the civil war?` });
    // A title full of query syntax: its page (and its related questions) must still come out.
    await q('syntax', {
      subject: 'History',
      title: 'What does "NEAR(eyam plague, 3)" AND * OR {title}: mean 🎉?',
    });
    // The only question of its subject: its related questions come from other subjects, by shared rare words.
    await q('lone', { subject: 'Music', title: 'Which ballads tell of the Eyam plague?' });
    targetPath = `/q/${ids.target}/how-did-the-bubonic-plague-reach-eyam-in-1665`;
    await createUser(db, { email: 'reader@example.org', name: 'Rita Reader', password: PW });
  });
  afterAll(async () => {
    await t.close();
  });

  it('lists questions sharing a topic first, then the rest of the subject, those sharing rare title words first in each', async () => {
    const res = await new Client(t.app).get(targetPath);
    expect(res.statusCode).toBe(200);
    const related = relatedIds(res.body);
    expect(related).toHaveLength(5);
    // The topic's questions, sharing words first; then the subject's: the title full of syntax says "eyam" and
    // "plague" too, then the newest. The Science question shares the most words but its subject has more to show.
    expect(related).toEqual([ids.termAndTopic, ids.topicOnly, ids.syntax, ids.unrelated7, ids.unrelated6]);
    expect(related).not.toContain(ids.termOtherSubject);
  });

  it('lists questions of other subjects only when its own has run out, and only those sharing rare title words', async () => {
    let res = await new Client(t.app).get(`/q/${ids.lone}`);
    if (res.statusCode === 301) res = await new Client(t.app).get(res.headers.location as string);
    expect(res.statusCode).toBe(200);
    const related = relatedIds(res.body);
    expect(related.length).toBeGreaterThan(0);
    const sharing = [ids.termOtherSubject, ids.termAndTopic, ids.target, ids.syntax];
    for (const id of related) expect(sharing).toContain(id);
  });

  it('never lists the question itself, nor questions unpublished or hidden', async () => {
    for (const path of [targetPath, `/q/${ids.termAndTopic}`, `/q/${ids.topicOnly}`]) {
      let res = await new Client(t.app).get(path);
      if (res.statusCode === 301) res = await new Client(t.app).get(res.headers.location as string);
      expect(res.statusCode).toBe(200);
      const related = relatedIds(res.body);
      const self = Number(/\/q\/(\d+)/.exec(path)?.[1]);
      expect(related).not.toContain(self);
      expect(related).not.toContain(ids.queued);
      expect(related).not.toContain(ids.hidden);
    }
  });

  it('drops a related question hidden after the list was worked out, at once', async () => {
    // Signed in, so the page is rendered per request (no visitor cache in between).
    const reader = new Client(t.app, '100.90.0.1');
    expect((await reader.submit('/login', '/login', { email: 'reader@example.org', password: PW })).statusCode).toBe(303);
    expect(relatedIds((await reader.get(targetPath)).body)).toContain(ids.topicOnly);
    const db = t.database.db;
    await db
      .updateTable('questions')
      .set({ status: 'hidden' })
      .where('id', '=', ids.topicOnly as number)
      .execute();
    try {
      const related = relatedIds((await reader.get(targetPath)).body);
      expect(related).not.toContain(ids.topicOnly);
      expect(related).toHaveLength(5);
      expect(related[0]).toBe(ids.termAndTopic);
    } finally {
      await db
        .updateTable('questions')
        .set({ status: 'published' })
        .where('id', '=', ids.topicOnly as number)
        .execute();
    }
  });

  it('renders a question whose title is full of query syntax, with related questions', async () => {
    const res = await new Client(t.app).get(`/q/${ids.syntax}`);
    expect(res.statusCode).toBe(301);
    const page = await new Client(t.app).get(res.headers.location as string);
    expect(page.statusCode).toBe(200);
    const related = relatedIds(page.body);
    expect(related).not.toContain(ids.syntax);
    // "eyam" and "plague" are words of its title like any other: the subject's questions holding them come first.
    expect(related.slice(0, 2).sort()).toEqual([ids.termAndTopic, ids.target].sort());
    expect(related).not.toContain(ids.termOtherSubject);
  });

  it('suggests answered questions on /ask by a word of their title, closest first', async () => {
    const c = new Client(t.app);
    const one = await c.get(`/ask/similar?q=${encodeURIComponent('quarantine')}`);
    expect(one.statusCode).toBe(200);
    expect(one.json().results).toEqual([
      {
        title: 'Why was the Eyam quarantine so effective against bubonic plague?',
        path: `/q/${ids.termOtherSubject}/why-was-the-eyam-quarantine-so-effective-against-bubonic-plague`,
        subjectName: 'Science',
      },
    ]);
    // Any word may match; the question holding the most of the rare ones comes first.
    const several = (await c.get(`/ask/similar?q=${encodeURIComponent('Was the Eyam quarantine a success?')}`)).json().results;
    expect(several[0].path).toMatch(new RegExp(`^/q/${ids.termOtherSubject}/`));
    expect(several.length).toBeGreaterThan(1);
    expect(several.length).toBeLessThanOrEqual(5);
    // With the subject the student chose, that subject's matches come first.
    const history = (await c.get(`/ask/similar?q=${encodeURIComponent('eyam plague')}&subject=history`)).json().results;
    expect(history[0].subjectName).toBe('History');
    const science = (await c.get(`/ask/similar?q=${encodeURIComponent('eyam plague')}&subject=science`)).json().results;
    expect(science[0].path).toMatch(new RegExp(`^/q/${ids.termOtherSubject}/`));
    // Words of titles that are not published find nothing.
    for (const word of ['later', 'finally']) {
      expect((await c.get(`/ask/similar?q=${word}`)).json().results).toEqual([]);
    }
    // Stop words only: nothing worth matching.
    expect((await c.get(`/ask/similar?q=${encodeURIComponent('what is the')}`)).json().results).toEqual([]);
  });

  it('answers any text typed on /ask with a 200 or a clear 400, never a 500', async () => {
    const c = new Client(t.app);
    for (const q of HOSTILE) {
      const res = await c.get(`/ask/similar?q=${encodeURIComponent(q)}`);
      expect([200, 400], JSON.stringify(q.slice(0, 40))).toContain(res.statusCode);
      if (res.statusCode === 200) expect(Array.isArray(res.json().results)).toBe(true);
      else expect(res.json().message).toBeTruthy();
    }
    for (const url of ['/ask/similar', '/ask/similar?q=', '/ask/similar?q=eyam&q=plague', '/ask/similar?q[x]=eyam', '/ask/similar?q=%ZZ']) {
      const res = await c.get(url);
      expect([200, 400], url).toContain(res.statusCode);
    }
  });
});
