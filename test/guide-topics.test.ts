import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemoGuides } from '../src/demo/guides.ts';
import { slugify } from '../src/lib/slug.ts';
import { createUser } from '../src/modules/accounts/index.ts';
import { importQuestions } from '../src/modules/content/import.service.ts';
import { guideImportKey, validateGuideRecord } from '../src/modules/content/import-guide.ts';
import { importGuides } from '../src/modules/guides/index.ts';
import { ensureStandardSubjects } from '../src/modules/subjects/index.ts';
import { buildTestApp, type TestApp } from './helpers/app.ts';
import { engines } from './helpers/databases.ts';
import { makeQuestion } from './helpers/factories.ts';
import { Client, TestClock } from './helpers/http.ts';

const PW = 'guide topics test password';
const root = path.resolve(import.meta.dirname, '..');

const source = (lines: string[]) =>
  async function* () {
    yield* lines;
  };

/** The part of a page between two markers (a list of links), so positions are compared within that list only. */
function between(body: string, start: string, end: string): string {
  const from = body.indexOf(start);
  expect(from, `${start} is on the page`).toBeGreaterThanOrEqual(0);
  return body.slice(from, body.indexOf(end, from));
}

const relatedOf = (body: string) => between(body, '<h2 id="related-title">Related questions</h2>', '</aside>');
const guideLinksOf = (body: string) => between(body, '<h2 id="guides-title">Study guides</h2>', '</aside>');
/** The topic chips' names; each chip links to its topic's page. */
const topicsOf = (body: string) =>
  [
    ...between(body, '<ul class="topics" aria-label="Topics">', '</ul>').matchAll(
      /<li><a href="\/subjects\/[a-z0-9-]+\/[a-z0-9-]+">(.*?)<\/a><\/li>/g,
    ),
  ].map((m) => m[1]);

describe.each(engines)('study guide topics on %s', (engine) => {
  let t: TestApp;
  const clock = new TestClock();
  let editor: Client;

  /** A published guide, imported (sections and publishing are the editor's other forms, tested in guides.test.ts). */
  const publishedGuide = async (title: string, subject: string, topics: string[]) => {
    await importGuides(
      t.database.db,
      [
        {
          subject,
          title,
          overview: `The overview of ${title}.`,
          sections: [{ title: 'Summary', body: `The summary of ${title}.`, membersOnly: false }],
          topics,
          importKey: guideImportKey({ subject, title }),
        },
      ],
      { clock },
    );
  };

  beforeAll(async () => {
    t = await buildTestApp(engine, { clock });
    await ensureStandardSubjects(t.database.db);
    await createUser(t.database.db, { email: 'topics-editor@example.org', name: 'Topics Editor', role: 'editor', password: PW });
    editor = new Client(t.app, '100.92.0.1');
    expect((await editor.submit('/login', '/login', { email: 'topics-editor@example.org', password: PW })).statusCode).toBe(303);
  });
  afterAll(async () => {
    await t.close();
  });

  describe('authoring', () => {
    it('takes topics in the details form, shows them on the guide page, and keeps them through a restore', async () => {
      const created = await editor.submit('/editor/guides/new', '/editor/guides', {
        title: 'Tides of the Sonnet',
        subject: 'literature',
        // Spacing is tidied, and two spellings of one topic make one.
        topics: ' Sonnet   Form , Poetry, sonnet form ',
        overview: 'First overview.',
        action: 'save',
      });
      expect(created.statusCode).toBe(303);
      const edit = (created.headers.location as string).split('?')[0] as string;
      await editor.submit(edit, `${edit}/sections`, { title: 'Summary', body: 'Fourteen lines.', action: 'save' });
      expect((await editor.submit(edit, `${edit}/status`, { status: 'published' })).statusCode).toBe(303);

      const page = await new Client(t.app).get('/guides/tides-of-the-sonnet');
      expect(page.statusCode).toBe(200);
      // By name; "Poetry" is the standard topic of the subject, not a second one.
      expect(topicsOf(page.body)).toEqual(['Poetry', 'Sonnet Form']);
      const form = (await editor.get(edit)).body;
      expect(form).toContain('<label for="guide-topics">Topics (optional)</label>');
      expect(form).toMatch(/name="topics" type="text" value="Poetry, Sonnet Form"/);

      // A save with other topics replaces them, and keeps a revision as every save does.
      const saved = await editor.submit(edit, edit, {
        title: 'Tides of the Sonnet',
        subject: 'literature',
        topics: 'Volta',
        overview: 'Second overview.',
        action: 'save',
      });
      expect(saved.statusCode).toBe(303);
      expect(topicsOf((await new Client(t.app).get('/guides/tides-of-the-sonnet')).body)).toEqual(['Volta']);

      // Revisions do not hold topics: restoring the first overview keeps the topics the guide has now.
      const history = (await editor.get(`${edit}/history`)).body;
      const first = [...history.matchAll(/<li class="card">([\s\S]*?)<\/li>/g)]
        .map((m) => m[1] as string)
        .find((li) => li.includes('First overview.'));
      const action = /action="([^"]+\/restore)"/.exec(first ?? '')?.[1] as string;
      expect((await editor.submit(`${edit}/history`, action, {})).statusCode).toBe(303);
      const restored = (await new Client(t.app).get('/guides/tides-of-the-sonnet')).body;
      expect(restored).toContain('First overview.');
      expect(topicsOf(restored)).toEqual(['Volta']);

      // No topics: none shown.
      await editor.submit(edit, edit, {
        title: 'Tides of the Sonnet',
        subject: 'literature',
        topics: '',
        overview: 'Third.',
        action: 'save',
      });
      expect((await new Client(t.app).get('/guides/tides-of-the-sonnet')).body).not.toContain('<ul class="topics"');
    });

    it('refuses bad topics with the message next to the field and the typed text kept', async () => {
      const six = 'One1, Two2, Three3, Four4, Five5, Six6';
      const tooMany = await editor.submit('/editor/guides/new', '/editor/guides', {
        title: 'Too Many Topics',
        subject: 'history',
        topics: six,
        overview: 'Typed overview stays.',
        action: 'save',
      });
      expect(tooMany.statusCode).toBe(400);
      expect(tooMany.body).toContain(
        '<span class="field-error" id="guide-topics-error">Give at most 5 topics, separated by commas (got 6).</span>',
      );
      expect(tooMany.body).toContain(`value="${six}"`);
      expect(tooMany.body).toContain('Typed overview stays.');
      expect(tooMany.body).toContain('aria-describedby="guide-topics-hint guide-topics-error"');

      // On an existing guide's details form too; nothing is saved.
      const created = await editor.submit('/editor/guides/new', '/editor/guides', {
        title: 'Short Topic Guide',
        subject: 'history',
        topics: 'Revolutions',
        overview: 'Kept overview.',
        action: 'save',
      });
      const edit = (created.headers.location as string).split('?')[0] as string;
      const short = await editor.submit(edit, edit, {
        title: 'Short Topic Guide',
        subject: 'history',
        topics: 'Revolutions, X',
        overview: 'Changed overview that must not be saved.',
        action: 'save',
      });
      expect(short.statusCode).toBe(400);
      expect(short.body).toContain('Topic “X” must be 2 to 40 characters (got 1).');
      expect(short.body).toContain('value="Revolutions, X"');
      expect(short.body).toContain('Changed overview that must not be saved.');
      const symbols = await editor.submit(edit, edit, {
        title: 'Short Topic Guide',
        subject: 'history',
        topics: '!!!',
        overview: 'Kept overview.',
        action: 'save',
      });
      expect(symbols.statusCode).toBe(400);
      expect(symbols.body).toContain('Topic “!!!” needs at least one letter or digit (a-z, 0-9).');
      const again = (await editor.get(edit)).body;
      expect(again).toContain('Kept overview.');
      expect(again).toMatch(/name="topics" type="text" value="Revolutions"/);
    });
  });

  describe('related questions and links', () => {
    it('lists questions sharing a topic above newer questions of the subject on the guide page', async () => {
      const sharing = await makeQuestion(t.database.db, {
        subject: 'Science',
        topics: ['Tidal Forces'],
        title: 'Why are there two high tides a day and not one?',
        publishedAt: '2026-01-01T00:00:00.000Z',
      });
      const newer = await makeQuestion(t.database.db, {
        subject: 'Science',
        title: 'Why does a magnet stick to the fridge door?',
        publishedAt: '2026-06-01T00:00:00.000Z',
      });
      // Typed in another case: the question's topic is found by name, not made twice.
      await publishedGuide('The Moon and the Sea', 'Science', ['tidal forces']);
      const body = (await new Client(t.app).get('/guides/the-moon-and-the-sea')).body;
      expect(topicsOf(body)).toEqual(['Tidal Forces']);
      const related = relatedOf(body);
      const at = (id: number) => related.indexOf(`href="/q/${id}/`);
      expect(at(sharing)).toBeGreaterThanOrEqual(0);
      expect(at(newer)).toBeGreaterThan(at(sharing));
      // The section pages list the same.
      const section = relatedOf((await new Client(t.app).get('/guides/the-moon-and-the-sea/summary')).body);
      expect(section.indexOf(`href="/q/${newer}/`)).toBeGreaterThan(section.indexOf(`href="/q/${sharing}/`));

      // A guide without topics keeps today's list: the newest of its subject first.
      await publishedGuide('Magnets Without Topics', 'Science', []);
      const plain = relatedOf((await new Client(t.app).get('/guides/magnets-without-topics')).body);
      expect(plain.indexOf(`href="/q/${sharing}/`)).toBeGreaterThan(plain.indexOf(`href="/q/${newer}/`));
    });

    it('links a question page first to the guide sharing its topic, then to the other guides of its subject', async () => {
      // By title, the other guide would come first.
      await publishedGuide('An Almanac of Maps', 'Social Studies', ['Cartography']);
      await publishedGuide('Zones of the Census', 'Social Studies', ['Census Taking']);
      const id = await makeQuestion(t.database.db, {
        subject: 'Social Studies',
        topics: ['Census Taking'],
        title: 'How often is the census taken, and who is counted?',
      });
      const page = await new Client(t.app).get(`/q/${id}/how-often-is-the-census-taken-and-who-is-counted`);
      expect(page.statusCode).toBe(200);
      const links = guideLinksOf(page.body);
      const sharing = links.indexOf('href="/guides/zones-of-the-census"');
      expect(sharing).toBeGreaterThanOrEqual(0);
      expect(links.indexOf('href="/guides/an-almanac-of-maps"')).toBeGreaterThan(sharing);

      // A draft sharing the topic is not linked.
      const created = await editor.submit('/editor/guides/new', '/editor/guides', {
        title: 'Census Draft',
        subject: 'social-studies',
        topics: 'Census Taking',
        overview: 'Not yet.',
        action: 'save',
      });
      expect(created.statusCode).toBe(303);
      const signedIn = await editor.get(`/q/${id}/how-often-is-the-census-taken-and-who-is-counted`);
      expect(guideLinksOf(signedIn.body)).not.toContain('href="/guides/census-draft"');
    });
  });

  describe('scholia import', () => {
    const guideLine = (extra: Record<string, unknown> = {}) =>
      JSON.stringify({
        type: 'guide',
        subject: 'Arts',
        title: 'The Fugue',
        overview: 'How one melody chases itself.',
        sections: [{ title: 'Summary', body: 'Subject, answer, countersubject.' }],
        ...extra,
      });

    it('imports topics with a guide, shared with the questions of the same file', async () => {
      const question = JSON.stringify({
        subject: 'Arts',
        title: 'What makes a fugue different from a round?',
        quickAnswer: 'A round repeats; a fugue develops.',
        answer: 'A fugue develops its subject.',
        educator: 'Imported Musician',
        topics: ['Counterpoint'],
      });
      const report = await importQuestions(t.database.db, source([question, guideLine({ topics: ['Counterpoint', 'Music'] })]), { clock });
      expect(report).toMatchObject({ added: 2, committed: true, invalid: [] });
      const body = (await new Client(t.app).get('/guides/the-fugue')).body;
      expect(topicsOf(body)).toEqual(['Counterpoint', 'Music']);
      expect(relatedOf(body)).toContain('What makes a fugue different from a round?');
    });

    it('reports bad topics by line and field, and imports nothing', async () => {
      const lines = [
        guideLine({ title: 'Good Fugue That Must Not Be Imported', topics: ['Music'] }),
        guideLine({ title: 'Fugue Two', topics: ['Music', 'X'] }),
        guideLine({ title: 'Fugue Three', topics: 'Music, Film' }),
        guideLine({ title: 'Fugue Four', topics: ['A1', 'B2', 'C3', 'D4', 'E5', 'F6'] }),
        guideLine({ title: 'Fugue Five', topics: [7, '  ', 'War, peace'] }),
        guideLine({ title: 'Fugue Six', topcs: ['Music'] }),
      ];
      const report = await importQuestions(t.database.db, source(lines), { clock });
      expect(report.committed).toBe(false);
      const byLine = Object.fromEntries(report.invalid.map((e) => [e.line, e.issues.map((i) => `${i.field} ${i.message}`)]));
      expect(byLine).toEqual({
        2: ['topics[1] must be 2 to 40 characters (got 1)'],
        3: ['topics must be an array of at most 5 names'],
        4: ['topics must be an array of at most 5 names'],
        5: ['topics[0] must be a string, got number', 'topics[1] must not be empty', 'topics[2] must not contain a comma'],
        6: ['topcs is not a known field (did you mean topics?)'],
      });
      expect((await new Client(t.app).get('/guides/good-fugue-that-must-not-be-imported')).statusCode).toBe(404);
    });

    it("shows topics in the README's guide line, which imports as it stands", () => {
      const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
      const example = readme.split('\n').find((l) => l.startsWith('{"type": "guide"'));
      expect(example).toBeDefined();
      const { record, issues } = validateGuideRecord(JSON.parse(example as string));
      expect(issues).toEqual([]);
      expect(record?.topics?.length).toBeGreaterThan(0);
    });
  });

  it('gives every demo guide topics that demo questions of its subject use', () => {
    // content/<subject slug>.json holds that subject's demo questions.
    const questionTopics = new Map<string, string[]>();
    const dir = path.join(root, 'src/demo/content');
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
      const questions = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Array<{ topics?: string[] }>;
      questionTopics.set(
        file.replace(/\.json$/, ''),
        questions.flatMap((q) => q.topics ?? []),
      );
    }
    const guides = loadDemoGuides();
    expect(guides).toHaveLength(6);
    for (const g of guides) {
      expect(g.topics?.length, g.title).toBeGreaterThan(0);
      for (const topic of g.topics ?? []) expect(questionTopics.get(slugify(g.subject, 60)), `${g.title}: ${topic}`).toContain(topic);
    }
  });
});
