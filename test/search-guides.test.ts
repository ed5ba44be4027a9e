import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../src/modules/accounts/index.ts';
import { rebuildSearchIndex } from '../src/modules/search/index.ts';
import { ensureStandardSubjects } from '../src/modules/subjects/index.ts';
import { buildTestApp, type TestApp } from './helpers/app.ts';
import { engines } from './helpers/databases.ts';
import { makeQuestion } from './helpers/factories.ts';
import { Client, TestClock } from './helpers/http.ts';

const PW = 'correct horse battery staple';
// Said only in the members-only section: a reader without membership must never get it in a snippet.
const GATED = 'The vermilionfrost in the last chapter stands for the grief the sisters never speak of.';
const FILLER = Array.from({ length: 60 }, (_, i) => `Filler sentence number ${i} keeps this section long.`).join(' ');

describe.each(engines)('study guides in search on %s', (engine) => {
  let t: TestApp;
  const clock = new TestClock();
  let editor: Client;
  let edit: string;
  let n = 0;
  const signedIn = async (email: string) => {
    const c = new Client(t.app, `100.85.0.${++n}`);
    expect((await c.submit('/login', '/login', { email, password: PW })).statusCode).toBe(303);
    return c;
  };
  const visitor = (url: string) => new Client(t.app).get(url);

  beforeAll(async () => {
    t = await buildTestApp(engine, { clock });
    await ensureStandardSubjects(t.database.db);
    await createUser(t.database.db, { email: 'search-editor@example.org', name: 'Ed Itor', role: 'editor', password: PW });
    await createUser(t.database.db, { email: 'search-member@example.org', name: 'Mem Ber', password: PW });
    await makeQuestion(t.database.db, { subject: 'Literature', title: 'Who harvests the quinceberry orchard in spring?' });
    editor = await signedIn('search-editor@example.org');
    const created = await editor.submit('/editor/guides/new', '/editor/guides', {
      title: 'The Glass Orchard',
      subject: 'literature',
      overview: 'A novel about two sisters who keep an orchard of glass trees.',
      action: 'save',
    });
    expect(created.statusCode).toBe(303);
    edit = (created.headers.location as string).split('?')[0] as string;
    for (const [title, body, members] of [
      ['Summary', 'Each autumn the sisters gather the quinceberry harvest and sell it in town.', false],
      ['Themes', `${FILLER}\n\n${GATED}`, true],
    ] as const) {
      const added = await editor.submit(edit, `${edit}/sections`, {
        title,
        body,
        ...(members ? { membersOnly: '1' } : {}),
        action: 'save',
      });
      expect(added.statusCode).toBe(303);
    }
  });
  afterAll(async () => {
    await t.close();
  });

  it('finds a guide once it is published, not while it is a draft', async () => {
    const draft = await visitor('/search?q=quinceberry');
    expect(draft.body).toContain('Who harvests the quinceberry orchard');
    expect(draft.body).not.toContain('The Glass Orchard');
    expect((await editor.submit(edit, `${edit}/status`, { status: 'published' })).statusCode).toBe(303);

    const res = await visitor('/search?q=quinceberry');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('1 question and 1 study guide match');
    // The snippet came from the summary, so the result links to that section.
    expect(res.body).toContain('href="/guides/the-glass-orchard/summary"');
    expect(res.body).toContain('the <mark>quinceberry</mark> harvest');
    expect(res.body).toMatch(/aria-current="page">All results \(2\)/);
    expect(res.body).toContain('Questions (1)');
    expect(res.body).toContain('Study guides (1)');
  });

  it('filters by type, and counts each type', async () => {
    const guides = await visitor('/search?q=quinceberry&type=guides');
    expect(guides.body).toContain('1 study guide matches');
    expect(guides.body).toContain('The Glass Orchard');
    expect(guides.body).not.toContain('Who harvests the quinceberry orchard');
    expect(guides.body).toMatch(/aria-current="page">Study guides \(1\)/);
    const questions = await visitor('/search?q=quinceberry&type=questions');
    expect(questions.body).toContain('Who harvests the quinceberry orchard');
    expect(questions.body).not.toContain('The Glass Orchard');
    // The subject filter keeps the type, and the type filter keeps the subject.
    expect(questions.body).toContain('href="/search?q=quinceberry&amp;subject=literature&amp;type=questions"');
    const inSubject = await visitor('/search?q=quinceberry&subject=literature');
    expect(inSubject.body).toContain('href="/search?q=quinceberry&amp;subject=literature&amp;type=guides"');
    // An unknown type lists both.
    expect((await visitor('/search?q=quinceberry&type=%00nope')).body).toContain('1 question and 1 study guide match');
    const none = await visitor('/search?q=quinceberry&type=guides&subject=math');
    expect(none.statusCode).toBe(200);
    expect(none.body).toContain('No study guides in this subject match');
  });

  it('cuts snippets from the sections the viewer may read', async () => {
    const q = encodeURIComponent('vermilionfrost');
    const student = await signedIn('search-member@example.org');
    for (const res of [await visitor(`/search?q=${q}`), await student.get(`/search?q=${q}`), await visitor(`/search?q=${q}&type=guides`)]) {
      expect(res.statusCode).toBe(200);
      // Found (a members-only section matches), but the snippet is the free overview, not the section.
      expect(res.body).toContain('The Glass Orchard');
      expect(res.body).toContain('href="/guides/the-glass-orchard"');
      expect(res.body).not.toContain('grief the sisters');
      expect(res.body).not.toContain('vermilionfrost</mark>');
    }
    expect((await student.submit('/membership', '/membership/trial', { next: '/' })).statusCode).toBe(303);
    const member = await student.get(`/search?q=${q}`);
    expect(member.body).toContain('<mark>vermilionfrost</mark> in the last chapter stands for the grief');
    expect(member.body).toContain('href="/guides/the-glass-orchard/themes"');
  });

  it('follows section edits and unpublishing at once, and a rebuild gives the same index', async () => {
    const sectionUrl = /href="(\/editor\/guides\/\d+\/sections\/\d+)"/.exec((await editor.get(edit)).body)?.[1] as string;
    const form = (await editor.get(sectionUrl)).body;
    const basedOn = /name="basedOn" value="(\d+)"/.exec(form)?.[1] as string;
    const saved = await editor.submit(sectionUrl, sectionUrl, {
      title: 'Summary',
      body: 'Each autumn the sisters gather the pearwood harvest.',
      basedOn,
      action: 'save',
    });
    expect(saved.statusCode).toBe(303);
    expect((await visitor('/search?q=pearwood')).body).toContain('The Glass Orchard');
    expect((await visitor('/search?q=quinceberry')).body).not.toContain('The Glass Orchard');

    // An emptied guide index, then the rebuild: the guide is found again.
    if (engine === 'sqlite') await sql`insert into guide_fts (guide_fts) values ('delete-all')`.execute(t.database.db);
    else await sql`delete from guide_search`.execute(t.database.db);
    expect((await visitor('/search?q=pearwood')).body).not.toContain('The Glass Orchard');
    await rebuildSearchIndex(t.database);
    expect((await visitor('/search?q=pearwood')).body).toContain('The Glass Orchard');

    expect((await editor.submit(edit, `${edit}/status`, { status: 'draft' })).statusCode).toBe(303);
    const gone = await visitor('/search?q=pearwood');
    expect(gone.body).not.toContain('The Glass Orchard');
    expect(gone.body).toContain('No results for');
  });
});
