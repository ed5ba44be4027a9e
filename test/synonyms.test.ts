import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../src/modules/accounts/index.ts';
import { buildTestApp, type TestApp } from './helpers/app.ts';
import { engines } from './helpers/databases.ts';
import { makeEducator, makeQuestion } from './helpers/factories.ts';
import { Client } from './helpers/http.ts';
import { enrolTwoFactor } from './helpers/two-factor.ts';

const PW = 'synonym test password';

/** The question ids on a search results page, in order. */
function resultIds(html: string): number[] {
  return [...html.matchAll(/<a class="title" href="\/q\/(\d+)\//g)].map((m) => Number(m[1]));
}

describe.each(engines)('search synonyms and abbreviations on %s', (engine) => {
  let t: TestApp;
  let warId: number;
  let otherId: number;
  let darwinId: number;
  let sonnetId: number;

  beforeAll(async () => {
    t = await buildTestApp(engine);
    const db = t.database.db;
    const educatorId = (await makeEducator(db)).id;
    warId = await makeQuestion(db, { educatorId, subject: 'History', title: 'How did a murder in Sarajevo start the First World War?' });
    otherId = await makeQuestion(db, { educatorId, subject: 'History', title: 'Why did the Congress of Vienna redraw the map?' });
    darwinId = await makeQuestion(db, { educatorId, subject: 'Science', title: 'Why did Darwin sail on the Beagle?' });
    sonnetId = await makeQuestion(db, { educatorId, subject: 'Literature', title: 'What makes a sonnet Shakespearean?' });
    await createUser(db, { email: 'admin@example.org', name: 'Ada Admin', role: 'admin', password: PW });
    await createUser(db, { email: 'student@example.org', name: 'Sam Student', password: PW });
  });
  afterAll(async () => {
    await t.close();
  });

  const signIn = async (email: string) => {
    const c = new Client(t.app, `198.51.100.${email.length}`);
    expect((await c.submit('/login', '/login', { email, password: PW })).statusCode).toBe(303);
    return c;
  };

  it('finds a question by the shorthand of the default table, and the shorthand by its phrase', async () => {
    const c = new Client(t.app);
    for (const q of ['ww1', 'WWI causes sarajevo', 'world war 1', 'great war']) {
      const res = await c.get(`/search?q=${encodeURIComponent(q)}`);
      expect(res.statusCode).toBe(200);
      expect(resultIds(res.body)[0], q).toBe(warId);
    }
    // Numerals and ordinals match their words.
    expect(resultIds((await c.get('/search?q=1st+world+war')).body)[0]).toBe(warId);
  });

  it('joins a name and the adjective made from it, both ways', async () => {
    const c = new Client(t.app);
    expect(resultIds((await c.get('/search?q=darwinian+beagle')).body)[0]).toBe(darwinId);
    expect(resultIds((await c.get('/search?q=shakespeare+sonnet')).body)[0]).toBe(sonnetId);
  });

  it('lets an admin edit the table, effective on the next search, and keeps a refused list as typed', async () => {
    const admin = await signIn('admin@example.org');
    // Admins must use two-factor sign-in (the default setting).
    await enrolTwoFactor(admin, new Date());
    const page = await admin.get('/admin/search');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('ww1, wwi, world war 1');
    const before = /<textarea[^>]*>([^<]*)<\/textarea>/.exec(page.body)?.[1] ?? '';

    const visitor = new Client(t.app);
    expect(resultIds((await visitor.get('/search?q=napoleonic+peace+conference')).body)).not.toContain(otherId);

    // Refused: a line of one phrase and a line with no letters; nothing is saved, the text comes back.
    const bad = 'napoleonic peace conference, congress of vienna\nlonely\n!!!, ???';
    const refused = await admin.submit('/admin/search', '/admin/search', { synonyms: bad });
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain('Line 2: A line needs at least two words or phrases');
    expect(refused.body).toContain('Line 3:');
    expect(refused.body).toContain('napoleonic peace conference, congress of vienna\nlonely');
    expect((await admin.get('/admin/search')).body).toContain('ww1, wwi, world war 1');

    const saved = await admin.submit('/admin/search', '/admin/search', {
      synonyms: `${before.replaceAll('&amp;', '&')}\nNapoleonic peace conference, Congress of Vienna`,
    });
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe('/admin/search');
    const after = await admin.follow(saved);
    expect(after.body).toContain('Saved. The next search uses them.');
    expect(after.body).toContain('napoleonic peace conference, congress of vienna');
    expect(resultIds((await visitor.get('/search?q=napoleonic+peace+conference')).body)[0]).toBe(otherId);
    expect(resultIds((await visitor.get('/search?q=ww1')).body)[0]).toBe(warId);
  });

  it('is for admins only', async () => {
    const student = await signIn('student@example.org');
    expect((await student.get('/admin/search')).statusCode).toBe(403);
    // With a valid form token (from a page the student may open), so the refusal is the policy's, not the token's.
    const refused = await student.submit('/account', '/admin/search', { synonyms: 'ww1, nothing else' });
    expect(refused.statusCode).toBe(403);
    const c = new Client(t.app);
    expect(resultIds((await c.get('/search?q=ww1')).body)[0]).toBe(warId);
    const visitor = await new Client(t.app).get('/admin/search');
    expect(visitor.statusCode).toBe(303);
    expect(visitor.headers.location).toMatch(/^\/login/);
  });
});
