import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../src/modules/accounts/index.ts';
import { importQuestions } from '../src/modules/content/import.service.ts';
import { guideImportKey } from '../src/modules/content/import-guide.ts';
import { guideDb } from '../src/modules/guides/guide.tables.ts';
import { importGuides } from '../src/modules/guides/index.ts';
import { ensureStandardSubjects } from '../src/modules/subjects/index.ts';
import { buildTestApp, type TestApp } from './helpers/app.ts';
import { engines } from './helpers/databases.ts';
import { makeQuestion } from './helpers/factories.ts';
import { Client, TestClock } from './helpers/http.ts';
import { enrolTwoFactor } from './helpers/two-factor.ts';

const PW = 'study guide test password';
const CANARY_WORD = 'quillowbright';
const CANARY = `The ${CANARY_WORD} canary closes this members-only section.`;
const OPENING = 'Opening words of the themes section are free to read as a preview';
const FILLER = Array.from({ length: 10 }, (_, i) => `Paragraph ${i} of the themes explains one more idea in plain words.`).join('\n\n');
const CRAWLER_UA = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';

/** The text of every page of a PDF, as pdf.js reads it (spaces normalised). */
async function pdfText(bytes: Buffer): Promise<{ pages: string[]; all: string }> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const doc = await pdfjs.getDocument({ data: new Uint8Array(bytes), verbosity: 0, useSystemFonts: false }).promise;
  const pages: string[] = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const content = await (await doc.getPage(i)).getTextContent();
    pages.push(
      content.items
        .map((item) => ('str' in item ? item.str : ''))
        .join(' ')
        .replace(/\s+/g, ' ')
        .trim(),
    );
  }
  await doc.destroy();
  return { pages, all: pages.join(' ') };
}

const line = (o: Record<string, unknown>) => JSON.stringify(o);
const source = (lines: string[]) =>
  async function* () {
    yield* lines;
  };

describe.each(engines)('study guides on %s', (engine) => {
  let t: TestApp;
  const clock = new TestClock();
  let n = 0;
  let editor: Client;
  let questionUrl: string;

  const signedIn = async (email: string) => {
    const c = new Client(t.app, `100.91.0.${++n}`);
    expect((await c.submit('/login', '/login', { email, password: PW })).statusCode).toBe(303);
    return c;
  };
  const crawler = (url: string) => t.app.inject({ method: 'GET', url, headers: { 'user-agent': CRAWLER_UA } });

  /** A published guide with a free summary and a members-only themes section that ends with the canary. */
  const publishedGuide = async (title: string, subject = 'Literature') => {
    await importGuides(
      t.database.db,
      [
        {
          subject,
          title,
          overview: `The overview of ${title} is free for everyone to read.`,
          sections: [
            { title: 'Summary', body: `The summary of ${title} is free.`, membersOnly: false },
            {
              title: 'Themes',
              body: `${OPENING} before the rest.\n\n${FILLER}\n\nThe keeper's ratio is $\\frac{a}{b}$.\n\n$$\\sqrt{x^2 + 1}$$\n\n${CANARY}`,
              membersOnly: true,
            },
          ],
          importKey: guideImportKey({ subject, title }),
        },
      ],
      { clock },
    );
  };

  beforeAll(async () => {
    t = await buildTestApp(engine, { clock });
    await ensureStandardSubjects(t.database.db);
    for (const [email, role] of [
      ['guide-editor@example.org', 'editor'],
      ['guide-student@example.org', 'student'],
      ['guide-educator@example.org', 'educator'],
      ['guide-member@example.org', 'student'],
    ] as const) {
      await createUser(t.database.db, { email, name: email.split('@')[0] as string, role, password: PW });
    }
    editor = await signedIn('guide-editor@example.org');
    const id = await makeQuestion(t.database.db, { subject: 'Literature', title: 'Why does the sea captain keep a diary?' });
    questionUrl = `/q/${id}/why-does-the-sea-captain-keep-a-diary`;
    await publishedGuide('The Lighthouse Keeper');
  });
  afterAll(async () => {
    await t.close();
  });

  describe('reading', () => {
    it('lists published guides A-Z and by subject, with overview, contents and sections', async () => {
      await publishedGuide('An Atlas of Tides', 'Science');
      const index = await new Client(t.app).get('/guides');
      expect(index.statusCode).toBe(200);
      expect(index.body).toContain('<h2 id="by-subject">By subject</h2>');
      expect(index.body).toContain('<h3 id="subject-literature">Literature</h3>');
      expect(index.body).toContain('<h3 id="subject-science">Science</h3>');
      // Leading articles do not count: "An Atlas of Tides" files under A, "The Lighthouse Keeper" under L.
      expect(index.body).toContain('<h3 id="letter-a">A</h3>');
      expect(index.body).toContain('<h3 id="letter-l">L</h3>');
      expect(index.body).toContain('href="/guides/the-lighthouse-keeper"');

      const page = await new Client(t.app).get('/guides/the-lighthouse-keeper');
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('<h1>The Lighthouse Keeper</h1>');
      expect(page.body).toContain('The overview of The Lighthouse Keeper is free for everyone to read.');
      expect(page.body).toContain('<h2 id="contents-title">Contents</h2>');
      expect(page.body).toContain('href="/guides/the-lighthouse-keeper/summary"');
      expect(page.body).toContain('href="/guides/the-lighthouse-keeper/themes"');
      expect(page.body).toContain('The summary of The Lighthouse Keeper is free.');
      // Related questions of the subject.
      expect(page.body).toContain(`href="${questionUrl}"`);

      const section = await new Client(t.app).get('/guides/the-lighthouse-keeper/summary');
      expect(section.statusCode).toBe(200);
      expect(section.body).toContain('The summary of The Lighthouse Keeper is free.');
      expect(section.body).toContain('rel="next"');
      expect(section.body).toContain('<link rel="canonical" href="http://scholia.test/guides/the-lighthouse-keeper/summary"/>');

      // Search engines find the guide and each section in the pages sitemap; every page links the guide list.
      const sitemap = (await new Client(t.app).get('/sitemaps/pages.xml')).body;
      expect(sitemap).toContain('<loc>http://scholia.test/guides/the-lighthouse-keeper</loc>');
      expect(sitemap).toContain('<loc>http://scholia.test/guides/the-lighthouse-keeper/themes</loc>');
      expect(index.body).toContain('<a href="/guides">Guides</a>');

      for (const missing of ['/guides/nope', '/guides/the-lighthouse-keeper/nope', '/guides/BAD%20slug', '/guides/nope.pdf']) {
        expect((await new Client(t.app).get(missing)).statusCode, missing).toBe(404);
      }
    });

    it('links question pages to the published guides of their subject', async () => {
      const page = await new Client(t.app).get(questionUrl);
      expect(page.body).toContain('<h2 id="guides-title">Study guides</h2>');
      expect(page.body).toContain('href="/guides/the-lighthouse-keeper"');
      expect(page.body).not.toContain('href="/guides/an-atlas-of-tides"');
    });
  });

  describe('authoring', () => {
    it('is for editors and admins only: students and educators get 403, visitors are sent to sign in', async () => {
      const student = await signedIn('guide-student@example.org');
      const educator = await signedIn('guide-educator@example.org');
      for (const c of [student, educator]) {
        expect((await c.get('/editor/guides')).statusCode).toBe(403);
        expect((await c.get('/editor/guides/new')).statusCode).toBe(403);
        // A valid CSRF token from another page does not help: the role is checked on the server.
        const res = await c.submit('/account', '/editor/guides', {
          title: 'Forbidden guide',
          subject: 'history',
          overview: 'No.',
          action: 'save',
        });
        expect(res.statusCode).toBe(403);
      }
      const visitor = await new Client(t.app).get('/editor/guides');
      expect(visitor.statusCode).toBe(303);
      expect(visitor.headers.location).toBe('/login?next=%2Feditor%2Fguides');
      const posted = await new Client(t.app).post('/editor/guides', { title: 'Forbidden guide', subject: 'history', overview: 'No.' });
      expect(posted.statusCode).toBe(303);
      const editorList = await editor.get('/editor/guides');
      expect(editorList.statusCode).toBe(200);
      expect(editorList.body).not.toContain('Forbidden guide');
      // Admins too (once they have set up two-factor sign-in, as every admin must).
      await createUser(t.database.db, { email: 'guide-admin@example.org', name: 'Guide Admin', role: 'admin', password: PW });
      const admin = await signedIn('guide-admin@example.org');
      await enrolTwoFactor(admin, clock.now());
      expect((await admin.get('/editor/guides')).statusCode).toBe(200);
      expect((await admin.get('/editor/guides/new')).statusCode).toBe(200);
    });

    it('creates a guide with checked fields, previews Markdown without saving, adds, orders and publishes sections', async () => {
      // Refused: the typed text comes back with the errors next to the fields.
      const bad = await editor.submit('/editor/guides/new', '/editor/guides', {
        title: 'Ok',
        subject: '',
        overview: 'Typed overview stays.',
        action: 'save',
      });
      expect(bad.statusCode).toBe(400);
      expect(bad.body).toContain('must be 3 to 120 characters (got 2)');
      expect(bad.body).toContain('choose one of the subjects');
      expect(bad.body).toContain('value="Ok"');
      expect(bad.body).toContain('Typed overview stays.');

      // Preview renders on the server and saves nothing.
      const preview = await editor.submit('/editor/guides/new', '/editor/guides', {
        title: 'Kings and Tides',
        subject: 'history',
        overview: 'A **bold** overview.',
        action: 'preview',
      });
      expect(preview.statusCode).toBe(200);
      expect(preview.body).toContain('<strong>bold</strong>');
      expect(preview.body).toContain('value="Kings and Tides"');
      expect((await editor.get('/editor/guides')).body).not.toContain('Kings and Tides');

      // An expired form keeps the text and saves nothing.
      const expired = await editor.post('/editor/guides', {
        _csrf: 'forged',
        title: 'Kings and Tides',
        subject: 'history',
        overview: 'Kept.',
      });
      expect(expired.statusCode).toBe(403);
      expect(expired.body).toContain('Kept.');

      const created = await editor.submit('/editor/guides/new', '/editor/guides', {
        title: 'Kings and Tides',
        subject: 'history',
        overview: 'A **bold** overview.',
        action: 'save',
      });
      expect(created.statusCode).toBe(303);
      const edit = (created.headers.location as string).split('?')[0] as string;
      expect(edit).toMatch(/^\/editor\/guides\/\d+$/);

      // A draft: readers do not see it; editors do, marked as a draft.
      expect((await new Client(t.app).get('/guides/kings-and-tides')).statusCode).toBe(404);
      expect((await new Client(t.app).get('/guides')).body).not.toContain('Kings and Tides');
      expect((await editor.get('/guides/kings-and-tides')).body).toContain('This guide is a draft');

      // Nothing to publish yet.
      const early = await editor.submit(edit, `${edit}/status`, { status: 'published' });
      expect(early.statusCode).toBe(400);
      expect(early.body).toContain('Add at least one section before publishing.');

      const emptyBody = await editor.submit(edit, `${edit}/sections`, { title: 'Summary typed', body: '', action: 'save' });
      expect(emptyBody.statusCode).toBe(400);
      expect(emptyBody.body).toContain('value="Summary typed"');
      expect(emptyBody.body).toContain('must not be empty');

      for (const [title, members] of [
        ['Alpha', false],
        ['Bravo', true],
        ['Charlie', false],
      ] as const) {
        const added = await editor.submit(edit, `${edit}/sections`, {
          title,
          body: `The ${title} section text.`,
          ...(members ? { membersOnly: '1' } : {}),
          action: 'save',
        });
        expect(added.statusCode).toBe(303);
      }
      const order = async () => {
        const body = (await editor.get('/guides/kings-and-tides')).body;
        return ['alpha', 'bravo', 'charlie'].sort((a, b) => body.indexOf(`id="section-${a}"`) - body.indexOf(`id="section-${b}"`));
      };
      expect(await order()).toEqual(['alpha', 'bravo', 'charlie']);
      const { id: charlieId } = await guideDb(t.database.db)
        .selectFrom('guide_sections')
        .select('id')
        .where('title', '=', 'Charlie')
        .executeTakeFirstOrThrow();
      const charlie = `${edit}/sections/${charlieId}`;
      expect((await editor.submit(edit, `${charlie}/move`, { direction: 'up' })).statusCode).toBe(303);
      expect(await order()).toEqual(['alpha', 'charlie', 'bravo']);
      expect((await editor.submit(edit, `${charlie}/move`, { direction: 'up' })).statusCode).toBe(303);
      expect(await order()).toEqual(['charlie', 'alpha', 'bravo']);
      // Moving the first one up changes nothing.
      expect((await editor.submit(edit, `${charlie}/move`, { direction: 'up' })).statusCode).toBe(303);
      expect(await order()).toEqual(['charlie', 'alpha', 'bravo']);

      const published = await editor.submit(edit, `${edit}/status`, { status: 'published' });
      expect(published.statusCode).toBe(303);
      const visitor = await new Client(t.app).get('/guides/kings-and-tides');
      expect(visitor.statusCode).toBe(200);
      expect(visitor.body).toContain('The Charlie section text.');
      expect(visitor.body).not.toContain('This guide is a draft');
      // Bravo is members-only and short: a reader without membership gets only part of it, never all of it.
      expect(visitor.body).not.toContain('The Bravo section text.');
      expect(visitor.body).toContain('The Bravo…');
      expect((await new Client(t.app).get('/guides')).body).toContain('Kings and Tides');

      // Back to draft.
      expect((await editor.submit(edit, `${edit}/status`, { status: 'draft' })).statusCode).toBe(303);
      expect((await new Client(t.app).get('/guides/kings-and-tides')).statusCode).toBe(404);
    });

    it('keeps a revision of every save, restores an earlier one, and refuses to overwrite a newer save unseen', async () => {
      const created = await editor.submit('/editor/guides/new', '/editor/guides', {
        title: 'Revision Rivers',
        subject: 'science',
        overview: 'First overview.',
        action: 'save',
      });
      const edit = (created.headers.location as string).split('?')[0] as string;
      await editor.submit(edit, `${edit}/sections`, { title: 'Summary', body: 'First summary text.', action: 'save' });
      const sectionUrl = /href="(\/editor\/guides\/\d+\/sections\/\d+)"/.exec((await editor.get(edit)).body)?.[1] as string;

      const formOf = async () => {
        const body = (await editor.get(sectionUrl)).body;
        return { basedOn: /name="basedOn" value="(\d+)"/.exec(body)?.[1] as string };
      };
      const first = await formOf();
      const saved = await editor.submit(sectionUrl, sectionUrl, {
        title: 'Summary',
        body: 'Second summary text.',
        membersOnly: '1',
        basedOn: first.basedOn,
        action: 'save',
      });
      expect(saved.statusCode).toBe(303);

      // A form opened before that save is refused, with the typed text kept.
      const stale = await editor.submit(sectionUrl, sectionUrl, {
        title: 'Summary',
        body: 'Stale edit typed by someone else.',
        basedOn: first.basedOn,
        action: 'save',
      });
      expect(stale.statusCode).toBe(409);
      expect(stale.body).toContain('Stale edit typed by someone else.');
      expect(stale.body).toContain('Someone else saved this');

      // Preview of a section renders the Markdown and saves nothing.
      const preview = await editor.submit(sectionUrl, sectionUrl, {
        title: 'Summary',
        body: '## A heading\n\n*slanted*',
        action: 'preview',
      });
      expect(preview.body).toContain('<h3>A heading</h3>');
      expect(preview.body).toContain('<em>slanted</em>');

      await editor.submit(edit, edit, { title: 'Revision Rivers', subject: 'science', overview: 'Second overview.', action: 'save' });

      const history = await editor.get(`${edit}/history`);
      expect(history.statusCode).toBe(200);
      expect(history.body).toContain('First summary text.');
      expect(history.body).toContain('Second summary text.');
      expect(history.body).toContain('First overview.');
      const restoreFirstSummary = [...history.body.matchAll(/<li class="card">([\s\S]*?)<\/li>/g)]
        .map((m) => m[1] as string)
        .find((li) => li.includes('First summary text.'));
      const action = /action="([^"]+\/restore)"/.exec(restoreFirstSummary ?? '')?.[1] as string;
      expect(action).toMatch(/\/editor\/guides\/\d+\/revisions\/\d+\/restore$/);
      const restored = await editor.submit(`${edit}/history`, action, {});
      expect(restored.statusCode).toBe(303);
      const after = (await editor.get(sectionUrl)).body;
      expect(after).toContain('First summary text.');
      // The restore brings back the section as it was (free), and is itself a revision.
      expect(after).not.toMatch(/name="membersOnly" value="1" checked/);
      const revisions = await guideDb(t.database.db)
        .selectFrom('guide_revisions')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('section_id', 'is not', null)
        .where('guide_id', '=', Number(edit.split('/').pop()))
        .executeTakeFirstOrThrow();
      // Added, saved, restored (the refused and previewed forms left none).
      expect(Number(revisions.n)).toBe(3);
      const student = await signedIn('guide-student@example.org');
      expect((await student.get(`${edit}/history`)).statusCode).toBe(403);
      expect((await student.submit('/account', action, {})).statusCode).toBe(403);
    });
  });

  describe('the paywall', () => {
    const slug = '/guides/the-lighthouse-keeper';
    const pages = [slug, `${slug}/themes`, `${slug}/summary`, '/guides', `${slug}.pdf`];

    it('never sends a members-only section past its opening to a visitor, a crawler or a student without membership', async () => {
      const student = await signedIn('guide-student@example.org');
      const readers: Array<[string, (url: string) => Promise<{ statusCode: number; body: string }>]> = [
        ['visitor', (u) => new Client(t.app).get(u)],
        ['crawler', crawler],
        ['student', (u) => student.get(u)],
      ];
      for (const [who, get] of readers) {
        for (const url of [...pages, questionUrl]) {
          const res = await get(url);
          expect(res.body, `${who} ${url}`).not.toContain(CANARY_WORD);
          expect(res.body, `${who} ${url}`).not.toContain('Paragraph 9 of the themes');
        }
        const section = await get(`${slug}/themes`);
        expect(section.body).toContain(OPENING);
        expect(section.body).toContain('Start your 48-hour free trial');
        expect(section.body).toContain('no card is needed');
        const guide = await get(slug);
        expect(guide.body).toContain(OPENING);
        expect(guide.body).toContain('The rest of this section is for members.');
      }
      const visitorSection = (await new Client(t.app).get(`${slug}/themes`)).body;
      expect(visitorSection).toContain('Already a member?');
      const studentSection = (await student.get(`${slug}/themes`)).body;
      expect(studentSection).toContain('action="/membership/trial"');
    });

    it('marks the members-only part in JSON-LD and describes the guide from its overview only', async () => {
      for (const url of [slug, `${slug}/themes`]) {
        const html = (await crawler(url)).body;
        const raw = /<script type="application\/ld\+json">(.*?)<\/script>/s.exec(html)?.[1] as string;
        const data = JSON.parse(raw);
        expect(data.isAccessibleForFree).toBe(false);
        expect(data.hasPart).toEqual({ '@type': 'WebPageElement', isAccessibleForFree: false, cssSelector: '.guide-members-only' });
        expect(data.description).toBe('The overview of The Lighthouse Keeper is free for everyone to read.');
        expect(html).toContain('<meta name="description" content="The overview of The Lighthouse Keeper is free for everyone to read."/>');
        expect(html).toContain('class="prose guide-members-only gated-preview"');
      }
      const free = JSON.parse(
        /<script type="application\/ld\+json">(.*?)<\/script>/s.exec((await crawler(`${slug}/summary`)).body)?.[1] as string,
      );
      expect(free.isAccessibleForFree).toBe(true);
      expect(free.hasPart).toBeUndefined();
      // The trail the page shows, for search engines too.
      const blocks = [...(await crawler(`${slug}/themes`)).body.matchAll(/<script type="application\/ld\+json">(.*?)<\/script>/gs)].map(
        (m) => JSON.parse(m[1] as string),
      );
      const crumbs = blocks.find((b) => b['@type'] === 'BreadcrumbList');
      expect(crumbs.itemListElement.map((i: { name: string; item: string }) => [i.name, i.item])).toEqual([
        ['Home', 'http://scholia.test/'],
        ['Study guides', 'http://scholia.test/guides'],
        ['The Lighthouse Keeper', `http://scholia.test${slug}`],
        ['Themes', `http://scholia.test${slug}/themes`],
      ]);
    });

    it('shows everything to a trialing member, who may download the PDF', async () => {
      const member = await signedIn('guide-member@example.org');
      expect((await member.get(`${slug}/themes`)).body).not.toContain(CANARY_WORD);
      const started = await member.submit(`${slug}/themes`, '/membership/trial', { next: `${slug}/themes` });
      expect(started.statusCode).toBe(303);
      expect(started.headers.location).toBe(`${slug}/themes`);
      const section = await member.get(`${slug}/themes`);
      expect(section.body).toContain(CANARY);
      expect(section.body).not.toContain('class="paywall"');
      const guide = await member.get(slug);
      expect(guide.body).toContain(CANARY);
      expect(guide.body).toContain(`href="${slug}.pdf"`);
    });
  });

  describe('downloads', () => {
    it('gives a member a PDF with the title, the page numbers and every section in full', async () => {
      const member = await signedIn('guide-member@example.org');
      const res = await member.get('/guides/the-lighthouse-keeper.pdf');
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('application/pdf');
      expect(res.headers['content-disposition']).toBe('attachment; filename="the-lighthouse-keeper.pdf"');
      expect(res.headers['cache-control']).toBe('private, no-store');
      const bytes = res.rawPayload;
      expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
      const { pages, all } = await pdfText(bytes);
      expect(pages.length).toBeGreaterThanOrEqual(2);
      expect(pages[0]).toContain('The Lighthouse Keeper');
      expect(pages[0]).toContain('The overview of The Lighthouse Keeper is free for everyone to read.');
      expect(pages[0]).toContain(`Page 1 of ${pages.length}`);
      // Every later page carries the guide's title at its head and its number at its foot.
      for (const [i, text] of pages.entries()) {
        expect(text).toContain(`Page ${i + 1} of ${pages.length}`);
        if (i > 0) expect(text).toContain('The Lighthouse Keeper');
      }
      expect(all).toContain('Summary');
      expect(all).toContain('The summary of The Lighthouse Keeper is free.');
      expect(all).toContain('Paragraph 9 of the themes explains one more idea in plain words.');
      // Formulas print as readable text, not as TeX.
      expect(all).toContain('(a)/(b)');
      expect(all).toContain('sqrt(x^2 + 1)');
      expect(all).not.toContain('\\frac');
      expect(all).toContain(CANARY);
    });

    it('refuses the PDF to visitors and students without membership, with the paywall and 403', async () => {
      const student = await signedIn('guide-student@example.org');
      for (const res of [
        await new Client(t.app).get('/guides/the-lighthouse-keeper.pdf'),
        await student.get('/guides/the-lighthouse-keeper.pdf'),
      ]) {
        expect(res.statusCode).toBe(403);
        expect(res.headers['content-type']).toContain('text/html');
        expect(res.body).not.toContain('%PDF');
        expect(res.body).not.toContain(CANARY_WORD);
        expect(res.body).toContain('Downloads are for members');
        expect(res.body).toContain('Start your 48-hour free trial');
      }
    });
  });

  describe('scholia import', () => {
    const guideLine = (extra: Record<string, unknown> = {}) =>
      line({
        type: 'guide',
        subject: 'Philosophy',
        title: 'The Cave and the Sun',
        overview: 'What the allegory of the cave asks of its readers.',
        sections: [
          { title: 'Summary', body: 'Prisoners watch shadows on a wall.', membersOnly: false },
          { title: 'Analysis', body: 'The sun stands for the good.', membersOnly: true },
        ],
        ...extra,
      });
    const questionLine = line({
      subject: 'Philosophy',
      title: 'What does the cave stand for in the allegory?',
      quickAnswer: 'Ignorance. The shadows are the world of opinion.',
      answer: 'The cave is the world of the senses.',
      educator: 'Imported Philosopher',
    });

    it('imports guides beside questions, published, and adds nothing the second time', async () => {
      const first = await importQuestions(t.database.db, source([guideLine(), '', questionLine]), { clock });
      expect(first).toMatchObject({ lines: 2, added: 2, alreadyPresent: 0, committed: true, invalid: [] });
      const page = await new Client(t.app).get('/guides/the-cave-and-the-sun');
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('Prisoners watch shadows on a wall.');
      expect(page.body).not.toContain('The sun stands for the good.');
      expect(page.body).toContain('<span class="badge members-badge">Members only</span>');
      const second = await importQuestions(t.database.db, source([guideLine({ overview: 'A changed overview.' }), questionLine]), {
        clock,
      });
      expect(second).toMatchObject({ added: 0, alreadyPresent: 2, committed: true });
      expect((await new Client(t.app).get('/guides/the-cave-and-the-sun-2')).statusCode).toBe(404);
    });

    it('reports every bad guide line by number and field, and imports nothing', async () => {
      const lines = [
        guideLine({ title: 'Good guide that must not be imported' }),
        guideLine({ title: 'Ab' }),
        guideLine({ sectons: [] }),
        guideLine({
          sections: [
            { title: '', body: 'Body.' },
            { title: 'Two', body: 'Body.', membersOnly: 'yes' },
          ],
        }),
        guideLine({ sections: [] }),
        line({ type: 'guide', subject: 'History' }),
        guideLine({ type: 'guide', overview: 42 }),
      ];
      const report = await importQuestions(t.database.db, source(lines), { clock });
      expect(report.committed).toBe(false);
      const byLine = Object.fromEntries(report.invalid.map((e) => [e.line, e.issues.map((i) => `${i.field} ${i.message}`)]));
      expect(Object.keys(byLine).map(Number)).toEqual([2, 3, 4, 5, 6, 7]);
      expect(byLine[2]).toEqual(['title must be 3 to 120 characters (got 2)']);
      expect(byLine[3]).toEqual(['sectons is not a known field (did you mean sections?)']);
      expect(byLine[4]).toEqual(['sections[0].title must not be empty', 'sections[1].membersOnly must be true or false']);
      expect(byLine[5]).toEqual(['sections must be an array of 1 to 40 sections']);
      expect(byLine[6]).toEqual(expect.arrayContaining(['title is missing', 'overview is missing', 'sections is missing']));
      expect(byLine[7]).toEqual(['overview must be a string, got number']);
      expect((await new Client(t.app).get('/guides/good-guide-that-must-not-be-imported')).statusCode).toBe(404);
    });
  });
});
