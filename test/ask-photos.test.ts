import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../src/modules/accounts/index.ts';
import { markRemoved } from '../src/modules/images/index.ts';
import { grantComplimentary } from '../src/modules/membership/membership.service.ts';
import { buildTestApp, type TestApp, testConfig } from './helpers/app.ts';
import { engines } from './helpers/databases.ts';
import { makeQuestion } from './helpers/factories.ts';
import { Client, TestClock } from './helpers/http.ts';
import { solid } from './helpers/images.ts';
import { csrfOf, type FilePart, postMultipart } from './helpers/multipart.ts';

const PW = 'photo test password';
/** Small enough that a noisy photo of a few hundred pixels is over it. */
const MAX_BYTES = 64 * 1024;

const ANSWER = [
  'The worksheet asks for the area of a triangle with a base of 6 cm and a height of 4 cm.',
  'The area of any triangle is half its base multiplied by its height, because two copies of it make a parallelogram.',
  'Half of 6 times 4 is half of 24, so the area is 12 square centimetres.',
  'Check the units: centimetres times centimetres give square centimetres, which is what an area is measured in.',
].join(' ');

const jpeg = (colour: { r: number; g: number; b: number }, width = 900, height = 600) =>
  solid(width, height, { colour }).jpeg({ quality: 85 }).toBuffer();

const photo = (bytes: Buffer, filename = 'worksheet.jpg', type = 'image/jpeg'): FilePart => ({ field: 'photos', filename, type, bytes });

/** Every address in a page's srcset and src attributes of <source> and <img> inside <picture>. */
function pictureUrls(html: string): string[] {
  const pictures = html.match(/<picture\b[\s\S]*?<\/picture>/g) ?? [];
  const urls = new Set<string>();
  for (const p of pictures) {
    for (const m of p.matchAll(/\b(?:srcset|src)="([^"]+)"/g)) {
      for (const candidate of (m[1] as string).split(',')) urls.add(candidate.trim().split(/\s+/)[0] as string);
    }
  }
  return [...urls];
}

/** The image ids the form carries in its hidden fields. */
const hiddenIds = (html: string) => [...html.matchAll(/name="images" value="(\d+)"/g)].map((m) => m[1] as string);

describe.each(engines)('photos on /ask and the question page on %s', (engine) => {
  let t: TestApp;
  let dataDir: string;
  const clock = new TestClock();
  let n = 0;

  const login = async (email: string) => {
    const c = new Client(t.app, `100.85.${Math.floor(++n / 200)}.${n % 200}`);
    const res = await c.submit('/login', '/login', { email, password: PW });
    expect(res.statusCode, res.body.slice(0, 300)).toBe(303);
    return c;
  };
  const member = async (email: string) => {
    const u = await createUser(t.database.db, { email, name: email.split('@')[0] as string, password: PW });
    await grantComplimentary(t.database.db, u.id, '2027-12-31', clock);
    return { id: u.id, c: await login(email) };
  };
  /** The /ask form posted as the browser posts it: token first, the text, the photos carried so far, the step, the files. */
  const askWith = async (c: Client, fields: Array<[string, string]>, files: FilePart[] = []) => {
    const token = csrfOf(await c.get('/ask'));
    return postMultipart(t.app, c, '/ask', [['_csrf', token], ...fields], files);
  };
  const typed = (title: string): Array<[string, string]> => [
    ['title', title],
    ['details', 'Question 3 on the worksheet, the triangle one.'],
    ['subject', 'math'],
    ['topics', 'triangles'],
  ];

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'scholia-ask-photos-'));
    t = await buildTestApp(engine, {
      clock,
      // Files on SQLite, the database on PostgreSQL: each engine's usual store (IMAGE_STORE's default).
      config: {
        dataDir,
        images: { ...testConfig.images, maxBytes: MAX_BYTES, maxPerQuestion: 4, store: engine === 'postgres' ? 'database' : 'files' },
      },
    });
    await makeQuestion(t.database.db, { subject: 'Math', title: 'How do you find the area of a rectangle?' });
    await createUser(t.database.db, { email: 'ed@example.org', name: 'Edna Educator', password: PW, role: 'educator', subjects: ['math'] });
    await createUser(t.database.db, { email: 'editor@example.org', name: 'Edie Editor', password: PW, role: 'editor' });
  });
  afterAll(async () => {
    await t?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('takes a photo with the question, through the confirm step, and shows it to the educator, the editor and every reader', async () => {
    const s = await member('pia@example.org');
    const form = await s.c.get('/ask');
    expect(form.body).toContain('enctype="multipart/form-data"');
    expect(form.body).toMatch(
      /<input id="ask-photos" type="file" name="photos" accept="image\/jpeg,image\/png,image\/webp,image\/gif" multiple/,
    );
    expect(form.body).toContain('Up to 4 photos or screenshots');

    const title = 'What is the area of the triangle in my worksheet?';
    const confirm = await askWith(s.c, [...typed(title), ['step', 'check']], [photo(await jpeg({ r: 200, g: 40, b: 40 }))]);
    expect(confirm.statusCode, confirm.body.slice(0, 400)).toBe(200);
    expect(confirm.body).toContain('Is it already answered?');
    expect(confirm.body).toContain('With 1 photo:');
    expect(confirm.body).toContain('alt="Photo 1 you attached"');
    const ids = hiddenIds(confirm.body);
    expect(ids).toHaveLength(1);

    // The confirm step posts urlencoded, the photo as its id.
    const posted = await s.c.post('/ask', {
      _csrf: csrfOf(confirm),
      title,
      details: 'Question 3 on the worksheet, the triangle one.',
      subject: 'math',
      topics: 'triangles',
      images: ids[0] as string,
      step: 'post',
    });
    expect(posted.statusCode, posted.body.slice(0, 400)).toBe(303);
    const question = await t.database.db
      .selectFrom('questions')
      .select(['id', 'slug'])
      .where('title', '=', title)
      .executeTakeFirstOrThrow();
    expect((await s.c.get('/account/questions')).body).toContain('with 1 photo');

    // The educator answering it sees the photo; so does the editor reviewing the answer.
    const ed = await login('ed@example.org');
    expect((await ed.submit('/educator', `/educator/q/${question.id}/claim`, {})).statusCode).toBe(303);
    const editorPage = await ed.get(`/educator/q/${question.id}`);
    expect(editorPage.body).toContain('<picture>');
    expect(editorPage.body).toContain('alt="Photo attached to the question"');
    const answer = { body: ANSWER, quickAnswer: 'Half of base times height: 12 square centimetres.', sources: '' };
    expect((await ed.submit(`/educator/q/${question.id}`, `/educator/q/${question.id}`, { ...answer, intent: 'submit' })).statusCode).toBe(
      303,
    );
    const editor = await login('editor@example.org');
    expect((await editor.get(`/editor/q/${question.id}`)).body).toContain('<picture>');
    expect(
      (await editor.submit(`/editor/q/${question.id}`, `/editor/q/${question.id}/approve`, { ...answer, intent: 'approve' })).statusCode,
    ).toBe(303);

    // A visitor's page (cached after the first view) shows it under the Student Question, in <picture>.
    const address = `/q/${question.id}/${question.slug}`;
    for (const view of [1, 2]) {
      const page = await new Client(t.app).get(address);
      expect(page.statusCode, `view ${view}`).toBe(200);
      const studentQuestion = page.body.slice(page.body.indexOf('Student Question'), page.body.indexOf('id="expert-answer"'));
      expect(studentQuestion).toMatch(
        /<picture><source type="image\/webp" srcset="\/images\/[0-9a-f]{64}\.webp 480w, [^"]+" sizes="[^"]+"\/?>/,
      );
      expect(studentQuestion).toMatch(
        /<img src="\/images\/[0-9a-f]{64}\.jpg" srcset="[^"]+ 480w, [^"]+ 900w" sizes="[^"]+" width="900" height="600" alt="Photo attached to the question" loading="lazy" decoding="async"\/?>/,
      );
    }
    const page = await new Client(t.app).get(address);
    const urls = pictureUrls(page.body);
    // WebP and JPEG at 480 and 900 (the upload's own width).
    expect(urls).toHaveLength(4);
    for (const url of urls) {
      const res = await new Client(t.app).get(url);
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toBe(url.endsWith('.webp') ? 'image/webp' : 'image/jpeg');
      expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers.etag).toBe(`"${url.slice('/images/'.length)}"`);
      expect(res.headers['set-cookie']).toBeUndefined();
      expect((await sharp(res.rawPayload).metadata()).format).toBe(url.endsWith('.webp') ? 'webp' : 'jpeg');
      // A browser checking its copy gets 304, no body.
      const again = await t.app.inject({ method: 'GET', url, headers: { 'if-none-match': res.headers.etag as string } });
      expect(again.statusCode).toBe(304);
      expect(again.body).toBe('');
    }
    // Signed in, the same address answers the same public file (the session is not even read).
    expect((await s.c.get(urls[0] as string)).headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('refuses a text file named photo.png beside the photos field, with everything typed kept', async () => {
    const s = await member('quinn@example.org');
    const title = 'How do I solve 2x + 3 = 7 for x in my homework?';
    const res = await askWith(
      s.c,
      [...typed(title), ['step', 'check']],
      [photo(Buffer.from('Question 3: solve for x. 2x + 3 = 7\n'), 'photo.png', 'image/png')],
    );
    expect(res.statusCode).toBe(400);
    expect(res.body).toMatch(
      /<span class="field-error" id="ask-photos-error">“photo.png”: This file is not a JPEG, PNG, WebP or GIF image, whatever its name says\./,
    );
    expect(res.body).toContain('aria-describedby="ask-photos-hint ask-photos-error"');
    expect(res.body).toContain(`value="${title}"`);
    expect(res.body).toContain('Question 3 on the worksheet, the triangle one.</textarea>');
    expect(res.body).toContain('value="triangles"');
    expect(res.body).not.toContain('Is it already answered?');
    expect(await t.database.db.selectFrom('images').select('id').where('owner_id', '=', s.id).execute()).toEqual([]);
  });

  it('refuses a file over IMAGE_MAX_BYTES the same way, never with a 413 page', async () => {
    const s = await member('rafa@example.org');
    // Noise does not compress: 300 × 300 pixels make a PNG of about 270 KB.
    const noisy = await sharp(randomBytes(300 * 300 * 3), { raw: { width: 300, height: 300, channels: 3 } })
      .png()
      .toBuffer();
    expect(noisy.length).toBeGreaterThan(MAX_BYTES);
    const title = 'Why does my graph of y = x squared look like a U?';
    const small = await jpeg({ r: 20, g: 160, b: 60 });
    const res = await askWith(s.c, [...typed(title), ['step', 'check']], [photo(noisy, 'big-scan.png', 'image/png'), photo(small)]);
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('“big-scan.png”: This file is larger than 64 KB, the most an image can be. Save it smaller');
    expect(res.body).toContain(`value="${title}"`);
    // The other photo of the same post is kept, and stays attached.
    expect(hiddenIds(res.body)).toHaveLength(1);
    expect(res.body).toContain('Remove photo 1');
  });

  it('refuses a fifth photo, whether one at a time or all at once, and lets one be removed', async () => {
    const s = await member('sol@example.org');
    const title = 'How do I label the parts of this plant cell diagram?';
    const four = await Promise.all([0, 1, 2, 3].map((i) => jpeg({ r: 40 * i, g: 90, b: 200 - 40 * i }, 640, 480)));
    const fifth = await jpeg({ r: 250, g: 250, b: 10 }, 640, 480);

    const edited = await askWith(
      s.c,
      [...typed(title), ['step', 'edit']],
      four.map((b, i) => photo(b, `page-${i + 1}.jpg`)),
    );
    expect(edited.statusCode).toBe(200);
    const ids = hiddenIds(edited.body);
    expect(ids).toHaveLength(4);
    expect(edited.body).toContain('4 photos attached; room for 0 more.');

    const oneMore = await askWith(
      s.c,
      [...typed(title), ...ids.map((id): [string, string] => ['images', id]), ['step', 'check']],
      [photo(fifth)],
    );
    expect(oneMore.statusCode).toBe(400);
    expect(oneMore.body).toContain(
      'A question can have at most 4 photos, and with the 1 you chose it would have 5. None of them was added: remove one first.',
    );
    expect(oneMore.body).toContain(`value="${title}"`);
    expect(hiddenIds(oneMore.body)).toEqual(ids);

    // Five files in one post stop at the parser's limit, and get the same kind of answer.
    const five = await askWith(
      s.c,
      [...typed(title), ['step', 'check']],
      [...four, fifth].map((b) => photo(b)),
    );
    expect(five.statusCode).toBe(400);
    expect(five.body).toContain('A question can have at most 4 photos, and you chose more than that.');
    expect(five.body).toContain(`value="${title}"`);

    // Ticking "remove" makes room.
    const swapped = await askWith(
      s.c,
      [...typed(title), ...ids.map((id): [string, string] => ['images', id]), ['remove', ids[0] as string], ['step', 'check']],
      [photo(fifth)],
    );
    expect(swapped.statusCode).toBe(200);
    const after = hiddenIds(swapped.body);
    expect(after).toHaveLength(4);
    expect(after.slice(0, 3)).toEqual(ids.slice(1));
    expect(after).not.toContain(ids[0]);
  });

  it("ignores someone else's image id in the hidden field", async () => {
    const owner = await member('tam@example.org');
    const mine = await askWith(
      owner.c,
      [...typed('Where is the error in my long division here?'), ['step', 'edit']],
      [photo(await jpeg({ r: 1, g: 2, b: 3 }))],
    );
    const [theirs] = hiddenIds(mine.body);
    expect(theirs).toBeDefined();

    const other = await member('uma@example.org');
    const title = 'How do I check a long division answer quickly?';
    const confirm = await askWith(other.c, [
      ...typed(title),
      ['images', theirs as string],
      ['images', '999999'],
      ['images', 'x1'],
      ['step', 'check'],
    ]);
    expect(confirm.statusCode).toBe(200);
    expect(hiddenIds(confirm.body)).toEqual([]);
    expect(confirm.body).not.toContain('<picture>');
    const posted = await askWith(other.c, [...typed(title), ['images', theirs as string], ['step', 'post']]);
    expect(posted.statusCode).toBe(303);
    const q = await t.database.db.selectFrom('questions').select('id').where('title', '=', title).executeTakeFirstOrThrow();
    expect(await t.database.db.selectFrom('question_images').selectAll().where('question_id', '=', q.id).execute()).toEqual([]);
  });

  it('reads no file from a visitor or an expired form, and takes multipart forms only where files are expected', async () => {
    const bytes = await jpeg({ r: 9, g: 9, b: 9 });
    const before = await t.database.db
      .selectFrom('images')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    // A visitor is sent to sign in (with the text kept as a draft) and nothing is stored.
    const visitor = new Client(t.app);
    const out = await postMultipart(
      t.app,
      visitor,
      '/ask',
      [...typed('Can a visitor attach a photo to a question?'), ['step', 'check']],
      [photo(bytes)],
    );
    expect(out.statusCode).toBe(303);
    expect(out.headers.location).toBe('/login?next=%2Fask');
    // An expired form gives the text back and asks for the photos again.
    const s = await member('vic@example.org');
    const title = 'Which angle is the hypotenuse opposite to?';
    const expired = await postMultipart(t.app, s.c, '/ask', [['_csrf', 'not-a-token'], ...typed(title), ['step', 'check']], [photo(bytes)]);
    expect(expired.statusCode).toBe(403);
    expect(expired.body).toContain('That form had expired.');
    expect(expired.body).toContain('Choose the new photos again too.');
    expect(expired.body).toContain(`value="${title}"`);
    const after = await t.database.db
      .selectFrom('images')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
    // Photos attached before the session lapsed come back after signing in again, to their owner only.
    const attached = await askWith(s.c, [...typed(title), ['step', 'edit']], [photo(await jpeg({ r: 120, g: 60, b: 30 }))]);
    const [id] = hiddenIds(attached.body);
    const lapsed = new Client(t.app, '100.85.250.1');
    const kept = await lapsed.post('/ask', { title, subject: 'math', images: id as string, step: 'check' });
    expect(kept.headers.location).toBe('/login?next=%2Fask');
    await lapsed.submit('/login', '/login', { email: 'vic@example.org', password: PW });
    const back = await lapsed.get('/ask');
    expect(back.body).toContain('here is what you typed');
    expect(hiddenIds(back.body)).toEqual([id]);
    // Elsewhere a multipart body is not read at all.
    const elsewhere = await postMultipart(t.app, s.c, '/account/notifications', [['email', 'off']], [photo(bytes)]);
    expect(elsewhere.statusCode).toBe(415);
    // A body that says multipart and is not: 400, not 500.
    const token = csrfOf(await s.c.get('/ask'));
    const broken = await t.app.inject({
      method: 'POST',
      url: '/ask',
      payload: `--x\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${token}\r\n--x\r\nContent-Disposition: form-data; name="title"\r\n\r\ncut sh`,
      headers: { 'content-type': 'multipart/form-data; boundary=x', cookie: [...s.c.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    expect(broken.statusCode).toBe(400);
  });

  it('answers 404 for an unknown or malformed image address and 410 for a removed image', async () => {
    const visitor = new Client(t.app);
    expect((await visitor.get(`/images/${'0'.repeat(64)}.webp`)).statusCode).toBe(404);
    expect((await visitor.get('/images/not-a-key.png')).statusCode).toBe(404);
    expect((await visitor.get('/images/..%2F..%2Fetc%2Fpasswd')).statusCode).toBe(404);
    expect((await visitor.get(`/images/${'a'.repeat(150)}`)).statusCode).toBe(404);

    const s = await member('wes@example.org');
    const res = await askWith(
      s.c,
      [...typed('What does this bar chart of rainfall tell us?'), ['step', 'edit']],
      [photo(await jpeg({ r: 90, g: 10, b: 90 }))],
    );
    const [id] = hiddenIds(res.body);
    const url = pictureUrls(res.body)[0] as string;
    expect((await visitor.get(url)).statusCode).toBe(200);
    await markRemoved({ db: t.database.db, clock }, { id: Number(id), by: null });
    const gone = await visitor.get(url);
    expect(gone.statusCode).toBe(410);
    expect(gone.body).toContain('That image was removed');
  });
});
