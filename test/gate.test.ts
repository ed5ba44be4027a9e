import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getGuide, presentSections } from '../src/modules/guides/guide.service.ts';
import { importGuides } from '../src/modules/guides/index.ts';
import { getQuestionPage, presentQuestionPage } from '../src/modules/questions/question.service.ts';
import { search } from '../src/modules/search/index.ts';
import { testCaches } from './helpers/caches.ts';
import { createTestDatabase, engines, type TestDatabase } from './helpers/databases.ts';
import { makeQuestion } from './helpers/factories.ts';
import { TestClock } from './helpers/http.ts';

// The one gate, checked where it matters: every view model a page is rendered from. For a reader without
// membership each one, serialised whole, must not hold the members-only end of an expert answer or a guide section;
// for a member it must. A view can only leak what its model holds, so this covers every template at once.

const CANARY = 'quillfeather obsidianmoth';
const FILLER = Array.from({ length: 12 }, (_, i) => `Point ${i} of the answer explains one more cause in plain words.`).join('\n\n');
const GATED = `${FILLER}\n\nThe ${CANARY} sentence closes it.`;
const PREVIEW_WORDS = 80;

const readers = [
  ['a visitor', null],
  ['a student without membership', { member: false }],
] as const;

describe.each(engines)('view models hold only what their viewer may read, on %s', (engine) => {
  let database: TestDatabase;
  let questionId: number;
  const clock = new TestClock();

  beforeAll(async () => {
    database = await createTestDatabase(engine);
    questionId = await makeQuestion(database.db, {
      subject: 'History',
      title: 'Why did the old bridge toll anger the farmers?',
      quickAnswer: 'Because it doubled in one year. The quick answer is free.',
      answer: GATED,
    });
    await importGuides(
      database.db,
      [
        {
          subject: 'History',
          title: 'The Bridge Toll: A Study Guide',
          overview: 'A guide to the toll and the farmers. Free to read.',
          sections: [
            { title: 'Summary', body: FILLER, membersOnly: false },
            { title: 'Analysis', body: GATED, membersOnly: true },
          ],
          importKey: 'gate-test-guide',
        },
      ],
      { clock },
    );
  });
  afterAll(async () => {
    await database.destroy();
  });

  const caches = testCaches();
  const models = async (viewer: { member: boolean } | null) => {
    const page = await getQuestionPage({ database, caches, clock }, questionId);
    const guide = await getGuide(database.db, 'the-bridge-toll-a-study-guide', { includeDrafts: false });
    if (!page || !guide) throw new Error('test content missing');
    const results = await search(database, {
      q: 'quillfeather bridge toll farmers',
      viewer,
      previewWords: PREVIEW_WORDS,
      previews: caches.previews,
    });
    const guideResults = await search(database, {
      q: 'bridge toll',
      type: 'guides',
      viewer,
      previewWords: PREVIEW_WORDS,
      previews: caches.previews,
    });
    return {
      'question page': await presentQuestionPage({ db: database.db, previews: caches.previews }, viewer, page, PREVIEW_WORDS),
      'guide sections': await presentSections(caches.previews, viewer, guide),
      'search results': results,
      'guide search results': guideResults,
    };
  };

  it.each(readers)('gives %s the preview and the free parts, never the gated end', async (_who, viewer) => {
    const all = await models(viewer);
    for (const [name, model] of Object.entries(all)) expect(JSON.stringify(model), name).not.toContain(CANARY);
    const page = all['question page'];
    expect(page.answer?.body.full).toBe(false);
    expect(JSON.stringify(page.answer)).toContain('Point 0 of the answer');
    const sections = all['guide sections'];
    expect(sections.find((s) => s.slug === 'summary')?.gated).toBe(false);
    expect(sections.find((s) => s.slug === 'analysis')?.gated).toBe(true);
    // The question was found, with a snippet from what this reader may read.
    expect(all['search results'].results.map((r) => r.id)).toContain(questionId);
  });

  it('gives a member the whole of each', async () => {
    const all = await models({ member: true });
    expect(JSON.stringify(all['question page'])).toContain(CANARY);
    expect(all['question page'].answer?.body.full).toBe(true);
    expect(JSON.stringify(all['guide sections'])).toContain(CANARY);
  });
});
