import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../src/modules/accounts/index.ts';
import { grantComplimentary } from '../src/modules/membership/membership.service.ts';
import { ensureSubject } from '../src/modules/subjects/index.ts';
import { buildTestApp, type TestApp, testConfig } from './helpers/app.ts';
import { engines } from './helpers/databases.ts';
import { Client, TestClock } from './helpers/http.ts';
import { solid } from './helpers/images.ts';
import { csrfOf, postMultipart } from './helpers/multipart.ts';

// Diagrams educators and editors place in expert answers and study guides (issue #15): uploaded on "Your images",
// placed as Markdown with a description, rendered as <picture>, and covered by the paywall like the text around them.

const PW = 'placed image test password';

/** Four sentences of plain prose, well over the preview's words, so whatever follows them is members-only. */
const OPENING = Array.from(
  { length: 6 },
  (_, i) =>
    `Step ${i + 1} of the method works through the triangle slowly, naming each side and angle, so that every later step has something definite to point back to.`,
).join(' ');

/** Every image address a page's pictures name. */
function imageUrls(html: string): string[] {
  return [...new Set([...html.matchAll(/\/images\/[0-9a-f]{64}\.[a-z]+/g)].map((m) => m[0]))];
}

describe.each(engines)('images placed in answers and guides on %s', (engine) => {
  let t: TestApp;
  let dataDir: string;
  const clock = new TestClock();
  let n = 0;
  let questionCounter = 0;

  const login = async (email: string) => {
    const c = new Client(t.app, `100.86.${Math.floor(++n / 200)}.${n % 200}`);
    const res = await c.submit('/login', '/login', { email, password: PW });
    expect(res.statusCode, res.body.slice(0, 300)).toBe(303);
    return c;
  };
  /** Uploads a diagram on /uploads as the browser does; returns the image id the page offers to place. */
  const upload = async (c: Client, alt: string, colour: { r: number; g: number; b: number }) => {
    const page = await c.get('/uploads');
    expect(page.statusCode).toBe(200);
    const bytes = await solid(640, 400, { colour }).png().toBuffer();
    const res = await postMultipart(
      t.app,
      c,
      '/uploads',
      [
        ['_csrf', csrfOf(page)],
        ['alt', alt],
      ],
      [{ field: 'image', filename: 'diagram.png', type: 'image/png', bytes }],
    );
    expect(res.statusCode, res.body.slice(0, 400)).toBe(303);
    const shown = await c.follow(res);
    const line =
      /id="placement-new" type="text" readonly="" value="([^"]+)"/.exec(shown.body)?.[1] ??
      /value="(!\[[^"]*\]\(image:\d+\))"/.exec(shown.body)?.[1];
    expect(line).toBeDefined();
    const id = Number(/\(image:(\d+)\)/.exec(line as string)?.[1]);
    expect(id).toBeGreaterThan(0);
    return { id, line: (line as string).replace(/&quot;/g, '"') };
  };
  /** The addresses of an image's files. */
  const urlsOf = async (id: number) => {
    const variants = await t.database.db.selectFrom('image_variants').select('blob_key').where('image_id', '=', id).execute();
    return variants.map((v) => `/images/${v.blob_key}`);
  };
  /** A new student's question, asked through /ask and claimed by the educator; returns its id. */
  const claimedQuestion = async (ed: Client) => {
    const title = `How do I find the missing side of triangle number ${++questionCounter}?`;
    const student = `asker${questionCounter}@example.org`;
    const u = await createUser(t.database.db, { email: student, name: 'Asker', password: PW });
    await grantComplimentary(t.database.db, u.id, '2027-12-31', clock);
    const s = await login(student);
    const asked = await s.submit('/ask', '/ask', {
      title,
      details: 'From my worksheet.',
      subject: 'math',
      topics: 'triangles',
      step: 'post',
    });
    expect(asked.statusCode, asked.body.slice(0, 300)).toBe(303);
    const { id } = await t.database.db.selectFrom('questions').select('id').where('title', '=', title).executeTakeFirstOrThrow();
    expect((await ed.submit('/educator', `/educator/q/${id}/claim`, {})).statusCode).toBe(303);
    return id;
  };
  /** A student's question, claimed and answered by the educator with `body`, then approved by the editor. */
  const publishAnswer = async (ed: Client, editor: Client, body: string) => {
    const id = await claimedQuestion(ed);
    const form = { body, quickAnswer: '', sources: 'Course notes' };
    const submitted = await ed.submit(`/educator/q/${id}`, `/educator/q/${id}`, { ...form, intent: 'submit' });
    expect(submitted.statusCode, submitted.body.slice(0, 600)).toBe(303);
    const approved = await editor.submit(`/editor/q/${id}`, `/editor/q/${id}/approve`, { ...form, intent: 'approve' });
    expect(approved.statusCode, approved.body.slice(0, 600)).toBe(303);
    const { slug } = await t.database.db.selectFrom('questions').select('slug').where('id', '=', id).executeTakeFirstOrThrow();
    return `/q/${id}/${slug}`;
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'scholia-placed-'));
    t = await buildTestApp(engine, {
      clock,
      config: { dataDir, images: { ...testConfig.images, store: engine === 'postgres' ? 'database' : 'files' } },
    });
    await ensureSubject(t.database.db, 'Math');
    await createUser(t.database.db, { email: 'ed@example.org', name: 'Edna Educator', password: PW, role: 'educator', subjects: ['math'] });
    await createUser(t.database.db, {
      email: 'other@example.org',
      name: 'Otto Educator',
      password: PW,
      role: 'educator',
      subjects: ['math'],
    });
    await createUser(t.database.db, { email: 'editor@example.org', name: 'Edie Editor', password: PW, role: 'editor' });
    const m = await createUser(t.database.db, { email: 'member@example.org', name: 'Mia Member', password: PW });
    await grantComplimentary(t.database.db, m.id, '2027-12-31', clock);
    await createUser(t.database.db, { email: 'student@example.org', name: 'Stu Student', password: PW });
  });
  afterAll(async () => {
    await t?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps "Your images" to educators and editors', async () => {
    expect((await new Client(t.app).get('/uploads')).statusCode).toBe(303);
    expect((await (await login('student@example.org')).get('/uploads')).statusCode).toBe(403);
    const ed = await login('ed@example.org');
    const page = await ed.get('/uploads');
    expect(page.body).toContain('enctype="multipart/form-data"');
    // A form without a file comes back with the description kept and a message beside the file field.
    const res = await postMultipart(
      t.app,
      ed,
      '/uploads',
      [
        ['_csrf', csrfOf(page)],
        ['alt', 'The unit circle'],
      ],
      [],
    );
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Choose an image file to upload.');
    expect(res.body).toContain('value="The unit circle"');
    // A text file named .png is refused by its content.
    const fake = await postMultipart(
      t.app,
      ed,
      '/uploads',
      [
        ['_csrf', csrfOf(page)],
        ['alt', 'Not really'],
      ],
      [{ field: 'image', filename: 'x.png', type: 'image/png', bytes: Buffer.from('hello, this is text') }],
    );
    expect(fake.statusCode).toBe(400);
    expect(fake.body).toContain('field-error');
  });

  it('shows a diagram placed after the preview to members only, and answers 403 for its files to everyone else', async () => {
    const ed = await login('ed@example.org');
    const editor = await login('editor@example.org');
    const diagram = await upload(ed, 'A right triangle with legs 3 and 4', { r: 30, g: 90, b: 200 });
    expect(diagram.line).toBe(`![A right triangle with legs 3 and 4](image:${diagram.id})`);
    const path = await publishAnswer(ed, editor, `${OPENING}\n\n${diagram.line}\n\nThe hypotenuse is therefore 5, by Pythagoras.`);

    const memberPage = await (await login('member@example.org')).get(path);
    expect(memberPage.body).toContain(`<picture class="placed-image" data-image="${diagram.id}">`);
    expect(memberPage.body).toContain('alt="A right triangle with legs 3 and 4"');
    expect(memberPage.body).toMatch(/<img src="\/images\/[0-9a-f]{64}\.[a-z]+" srcset="[^"]+" sizes="[^"]+" width="640" height="400"/);
    const urls = imageUrls(memberPage.body);
    expect(urls.length).toBeGreaterThan(1);

    // A visitor's page holds none of its addresses (the preview stops before it), and the files are refused.
    const visitor = new Client(t.app);
    const visitorPage = await visitor.get(path);
    expect(visitorPage.statusCode).toBe(200);
    for (const url of urls) expect(visitorPage.body).not.toContain(url);
    const refused = await visitor.get(urls[0] as string);
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toContain('This image is for members');
    expect(refused.headers['cache-control']).toBe('no-store');
    // A signed-in student without membership is refused too; a member gets it, kept only by their own browser.
    expect((await (await login('student@example.org')).get(urls[0] as string)).statusCode).toBe(403);
    const served = await (await login('member@example.org')).get(urls[0] as string);
    expect(served.statusCode).toBe(200);
    expect(served.headers['cache-control']).toBe('private, max-age=86400');
    // The educator who wrote it and the editor who reviewed it see it as they work.
    expect((await ed.get(urls[0] as string)).statusCode).toBe(200);
    expect((await editor.get(urls[0] as string)).statusCode).toBe(200);
  });

  it('shows a diagram in the opening every reader gets, to everyone, cached publicly', async () => {
    const ed = await login('ed@example.org');
    const editor = await login('editor@example.org');
    const diagram = await upload(ed, 'Triangle ABC with its sides labelled', { r: 200, g: 120, b: 20 });
    const path = await publishAnswer(ed, editor, `${diagram.line}\n\n${OPENING}\n\nAnd the rest of the method follows from there.`);
    const visitorPage = await new Client(t.app).get(path);
    expect(visitorPage.body).toContain(`data-image="${diagram.id}"`);
    const url = imageUrls(visitorPage.body)[0] as string;
    const served = await new Client(t.app).get(url);
    expect(served.statusCode).toBe(200);
    expect(served.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('answers a browser asking whether its copy of a diagram is current as the answer stands now', async () => {
    const ed = await login('ed@example.org');
    const editor = await login('editor@example.org');
    const diagram = await upload(ed, 'A triangle drawn on squared paper', { r: 120, g: 200, b: 40 });
    const id = await claimedQuestion(ed);
    // Submitted with the diagram in the opening: every reader may have it.
    const form = { body: `${diagram.line}\n\n${OPENING}`, quickAnswer: '', sources: 'Course notes' };
    expect((await ed.submit(`/educator/q/${id}`, `/educator/q/${id}`, { ...form, intent: 'submit' })).statusCode).toBe(303);
    const url = (await urlsOf(diagram.id))[0] as string;
    const first = await new Client(t.app).get(url);
    expect(first.statusCode).toBe(200);
    const etag = first.headers.etag as string;
    const revalidating = new Client(t.app, '203.0.113.9', { 'if-none-match': etag });
    expect((await revalidating.get(url)).statusCode).toBe(304);
    expect((await revalidating.get(url)).statusCode).toBe(304);
    // The editor moves it after the opening as they approve: the same browser's next question is refused at once.
    clock.advance(1000);
    const approved = await editor.submit(`/editor/q/${id}`, `/editor/q/${id}/approve`, {
      ...form,
      body: `${OPENING}\n\n${diagram.line}`,
      intent: 'approve',
    });
    expect(approved.statusCode, approved.body.slice(0, 600)).toBe(303);
    const refused = await revalidating.get(url);
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toContain('This image is for members');
    expect((await (await login('member@example.org')).get(url)).statusCode).toBe(200);
  });

  it('refuses an image without a description, another educator’s image, and images from other sites, keeping the text', async () => {
    const ed = await login('ed@example.org');
    const other = await login('other@example.org');
    const theirs = await upload(other, 'Otto’s own diagram', { r: 10, g: 160, b: 60 });
    const mine = await upload(ed, '', { r: 160, g: 10, b: 160 });
    expect(mine.line).toBe(`![Describe the image](image:${mine.id})`);
    // "Your images" offers a line to copy for the educator's own upload only, whatever the address names.
    expect((await ed.get(`/uploads?added=${mine.id}`)).body).toContain('id="placement-new"');
    expect((await ed.get(`/uploads?added=${theirs.id}`)).body).not.toContain('id="placement-new"');
    const title = 'Which side of the triangle is the hypotenuse?';
    const s = await login('member@example.org');
    await s.submit('/ask', '/ask', { title, details: 'Worksheet.', subject: 'math', topics: '', step: 'post' });
    const { id } = await t.database.db.selectFrom('questions').select('id').where('title', '=', title).executeTakeFirstOrThrow();
    await ed.submit('/educator', `/educator/q/${id}/claim`, {});
    const body = `${OPENING}\n\n![](image:${mine.id})\n\n![Otto's](image:${theirs.id})\n\n![a photo](https://example.com/x.png)`;
    const res = await ed.submit(`/educator/q/${id}`, `/educator/q/${id}`, { body, quickAnswer: '', sources: '', intent: 'save' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain(`Describe image ${mine.id} in words between the square brackets`);
    expect(res.body).toContain(`There is no image ${theirs.id} among your images`);
    expect(res.body).toContain('Images from other sites are not shown.');
    expect(res.body).toContain('Step 6 of the method');
    expect(res.body).toContain('https://example.com/x.png');
  });

  it('serves a guide’s image to everyone in a free section and to members only in a members-only one', async () => {
    const editor = await login('editor@example.org');
    const free = await upload(editor, 'A timeline of the three acts', { r: 90, g: 90, b: 20 });
    const gated = await upload(editor, 'A chart of the themes, act by act', { r: 20, g: 90, b: 90 });
    const created = await editor.submit('/editor/guides/new', '/editor/guides', {
      title: 'Triangles: a study guide',
      subject: 'math',
      topics: '',
      overview: 'What every student should know about triangles, from angles to areas.',
    });
    expect(created.statusCode, created.body.slice(0, 500)).toBe(303);
    const guidePath = String(created.headers.location).split('?')[0] as string;
    const add = async (title: string, body: string, membersOnly: boolean) => {
      const res = await editor.submit(guidePath, `${guidePath}/sections`, { title, body, ...(membersOnly ? { membersOnly: '1' } : {}) });
      expect(res.statusCode, res.body.slice(0, 600)).toBe(303);
    };
    await add('Summary', `Angles add up to 180 degrees.\n\n${free.line}`, false);
    await add('Analysis', `Areas are half base times height.\n\n${gated.line}`, true);
    const guideRows = await t.database.db
      .selectFrom('image_uses')
      .select(['kind', 'image_id'])
      .where('image_id', 'in', [free.id, gated.id])
      .execute();
    expect(guideRows.map((r) => r.kind).sort()).toEqual(['guide_section', 'guide_section']);
    const visitor = new Client(t.app);
    for (const url of await urlsOf(free.id)) expect((await visitor.get(url)).statusCode).toBe(200);
    for (const url of await urlsOf(gated.id)) {
      expect((await visitor.get(url)).statusCode).toBe(403);
      expect((await (await login('member@example.org')).get(url)).statusCode).toBe(200);
    }
  });

  it('lets a reader report an image of the answer and an editor remove it: it leaves the page at once and its files answer 410', async () => {
    const ed = await login('ed@example.org');
    const editor = await login('editor@example.org');
    const diagram = await upload(ed, 'A diagram someone will object to', { r: 250, g: 20, b: 20 });
    // In the opening, so visitors see it too (and their page is cached with it).
    const path = await publishAnswer(ed, editor, `${diagram.line}\n\n${OPENING}\n\nAnd so the method ends.`);
    const questionId = Number(path.split('/')[2]);
    const reader = await login('member@example.org');
    const before = await reader.get(path);
    const urls = imageUrls(before.body);
    expect(before.body).toContain(`data-image="${diagram.id}"`);
    const visitor = new Client(t.app);
    expect((await visitor.get(path)).body).toContain(`data-image="${diagram.id}"`);

    const form = await reader.get(`/report?question=${questionId}`);
    expect(form.body).toContain(`value="image-${diagram.id}"`);
    expect(form.body).toContain('Image 1 in the expert answer');
    // An image of another page is not a choice here.
    const wrong = await reader.submit(`/report?question=${questionId}`, '/report', {
      question: String(questionId),
      target: 'image-999999',
      reason: 'This picture is not right at all',
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('This picture is not right at all');
    const sent = await reader.submit(`/report?question=${questionId}`, '/report', {
      question: String(questionId),
      target: `image-${diagram.id}`,
      reason: 'This image has nothing to do with the question',
    });
    expect(sent.statusCode).toBe(200);

    const queue = await editor.get('/editor/reports');
    expect(queue.body).toContain('This image has nothing to do with the question');
    expect(queue.body).toContain('Remove the image');
    const reportId = /action="\/editor\/reports\/(\d+)\/remove-image"/.exec(queue.body)?.[1];
    expect(reportId).toBeDefined();
    // A moment after publishing (pages and previews are kept by the answer's saved time; the test clock stands still).
    clock.advance(1000);
    const removed = await editor.submit('/editor/reports', `/editor/reports/${reportId}/remove-image`, {});
    expect(removed.body).toContain('Removed: the image is off every page that showed it.');

    // Gone from the page at once, for members and (through the page cache) for visitors, and its files are gone too.
    const after = await reader.get(path);
    expect(after.body).not.toContain(`data-image="${diagram.id}"`);
    expect(after.body).toContain('And so the method ends.');
    for (const url of urls) expect((await reader.get(url)).statusCode).toBe(410);
    const visitorAfter = await visitor.get(path);
    expect(visitorAfter.body).not.toContain(`data-image="${diagram.id}"`);
    expect(visitorAfter.body).toContain('Step 1 of the method');
    // The educator cannot place it again: it is off "Your images", and an answer placing it is refused, text kept.
    const again = await ed.get('/uploads');
    expect(again.body).not.toContain(`(image:${diagram.id})`);
    const id = await claimedQuestion(ed);
    const body = `${OPENING}\n\n${diagram.line}\n\nIt shows the sides in order.`;
    const placed = await ed.submit(`/educator/q/${id}`, `/educator/q/${id}`, { body, quickAnswer: '', sources: '', intent: 'save' });
    expect(placed.statusCode).toBe(400);
    expect(placed.body).toContain(`There is no image ${diagram.id} among your images (or it was removed).`);
    expect(placed.body).toContain('It shows the sides in order.');
    expect(placed.body).toContain(diagram.line);
  });
});
