import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../src/modules/accounts/index.ts';
import { ensureSubject } from '../src/modules/subjects/index.ts';
import { buildTestApp, type TestApp, testConfig } from './helpers/app.ts';
import { engines } from './helpers/databases.ts';
import { Client } from './helpers/http.ts';
import { solid } from './helpers/images.ts';
import { csrfOf, type FilePart, postMultipart } from './helpers/multipart.ts';

// The photo on an educator's profile (issue #16): uploaded on the profile's photo page through the image storage,
// shown on the profile in place of the initials, changed only by the educator (or an editor or admin), removable.

const PW = 'educator photo test password';
const MAX_BYTES = 64 * 1024;

/** The image addresses a page's pictures name. */
const imageUrls = (html: string) => [...new Set([...html.matchAll(/\/images\/[0-9a-f]{64}\.[a-z]+/g)].map((m) => m[0]))];
/** The <img> that shows a profile photo, found by its alt text. */
const photoOf = (html: string, name: string) => new RegExp(`<img [^>]*alt="Photo of ${name}"`).exec(html)?.[0];

describe.each(engines)('educator profile photos on %s', (engine) => {
  let t: TestApp;
  let dataDir: string;
  let n = 0;
  const people: Record<string, { id: number; profile: string }> = {};

  const login = async (email: string) => {
    const c = new Client(t.app, `100.87.${Math.floor(++n / 200)}.${n % 200}`);
    const res = await c.submit('/login', '/login', { email, password: PW });
    expect(res.statusCode, res.body.slice(0, 300)).toBe(303);
    return c;
  };
  /** Posts the photo page's upload form as a browser does: the page's token first, then the file. */
  const uploadPhoto = async (c: Client, photoPage: string, file: FilePart) => {
    const page = await c.get(photoPage);
    expect(page.statusCode, page.body.slice(0, 300)).toBe(200);
    return postMultipart(t.app, c, photoPage, [['_csrf', csrfOf(page)]], [file]);
  };
  const png = async (width: number, height: number, colour: { r: number; g: number; b: number }): Promise<FilePart> => ({
    field: 'photo',
    filename: 'me.png',
    type: 'image/png',
    bytes: await solid(width, height, { colour }).png().toBuffer(),
  });

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'scholia-educator-photo-'));
    t = await buildTestApp(engine, {
      config: { dataDir, images: { ...testConfig.images, maxBytes: MAX_BYTES, store: engine === 'postgres' ? 'database' : 'files' } },
    });
    await ensureSubject(t.database.db, 'Math');
    const person = async (key: string, name: string, role: string, subjects: string[] = []) => {
      const u = await createUser(t.database.db, { email: `${key}@example.org`, name, password: PW, role, subjects });
      people[key] = { id: u.id, profile: `/educators/${u.id}-${name.toLowerCase().replace(/\W+/g, '-')}` };
    };
    await person('priya', 'Priya Natarajan', 'educator', ['math']);
    await person('otto', 'Otto Educator', 'educator', ['math']);
    await person('edie', 'Edie Editor', 'editor');
    await person('stu', 'Stu Student', 'student');
  });
  afterAll(async () => {
    await t?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('lets an educator upload a photo from their profile, which every visitor then sees in place of the initials', async () => {
    const priya = people.priya as { id: number; profile: string };
    const before = await new Client(t.app).get(priya.profile);
    expect(before.body).toContain('>PN</text>');
    expect(before.body).not.toContain('Add a photo');

    const c = await login('priya@example.org');
    const own = await c.get(priya.profile);
    const link = /<a href="([^"]+)">Add a photo<\/a>/.exec(own.body)?.[1];
    expect(link).toBe(`${priya.profile}/photo`);
    const form = await c.get(link as string);
    expect(form.body).toContain('<h1>Your profile photo</h1>');
    expect(form.body).toContain('enctype="multipart/form-data"');
    expect(form.body).not.toContain('Remove photo');

    const res = await uploadPhoto(c, link as string, await png(640, 480, { r: 200, g: 90, b: 40 }));
    expect(res.statusCode, res.body.slice(0, 400)).toBe(303);
    expect((await c.follow(res)).body).toContain('The new photo is on the profile.');

    const visitor = new Client(t.app);
    const after = await visitor.get(priya.profile);
    expect(after.statusCode).toBe(200);
    expect(after.body).not.toContain('>PN</text>');
    // Sized in the circle with its shape kept (640 × 480 is 96 × 72), so its space is kept before it loads.
    expect(photoOf(after.body, 'Priya Natarajan')).toMatch(/ width="96" height="72" /);
    const urls = imageUrls(after.body);
    expect(urls.some((u) => u.endsWith('.webp'))).toBe(true);
    // The schema.org Person carries it too.
    const ld = /<script type="application\/ld\+json">(.*?)<\/script>/s.exec(after.body)?.[1] as string;
    expect(JSON.parse(ld).mainEntity.image).toMatch(new RegExp(`^${testConfig.siteUrl}/images/[0-9a-f]{64}\\.(jpg|png)$`));
    // A profile is public: so are the photo's files, for any reader.
    const file = await visitor.get(urls[0] as string);
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toMatch(/^image\//);
    expect(file.headers['cache-control']).toContain('public');
  });

  it('refuses a file that is not an image, or is too big, with a message beside the field, and keeps the photo there is', async () => {
    const priya = people.priya as { id: number; profile: string };
    const c = await login('priya@example.org');
    const shownBefore = photoOf((await c.get(priya.profile)).body, 'Priya Natarajan');
    expect(shownBefore).toBeDefined();

    const text = await uploadPhoto(c, `${priya.profile}/photo`, {
      field: 'photo',
      filename: 'me.png',
      type: 'image/png',
      bytes: Buffer.from('Dear admissions office, this is a letter and not a picture.'),
    });
    expect(text.statusCode).toBe(400);
    expect(text.body).toContain('class="field-error" id="photo-file-error"');
    expect(text.body).toContain('This file is not a JPEG, PNG, WebP or GIF image');
    expect(text.body).toContain('aria-invalid="true"');

    const noise = await sharp(randomBytes(300 * 300 * 3), { raw: { width: 300, height: 300, channels: 3 } })
      .png()
      .toBuffer();
    expect(noise.length).toBeGreaterThan(MAX_BYTES);
    const big = await uploadPhoto(c, `${priya.profile}/photo`, { field: 'photo', filename: 'big.png', type: 'image/png', bytes: noise });
    expect(big.statusCode).toBe(400);
    expect(big.body).toContain('This file is larger than 64 KB');

    const empty = await postMultipart(t.app, c, `${priya.profile}/photo`, [['_csrf', csrfOf(await c.get(`${priya.profile}/photo`))]]);
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('Choose a photo to upload.');

    expect(photoOf((await new Client(t.app).get(priya.profile)).body, 'Priya Natarajan')).toBe(shownBefore);
  });

  it('lets nobody else change an educator’s photo but an editor', async () => {
    const priya = people.priya as { id: number; profile: string };
    const photoPage = `${priya.profile}/photo`;
    const shownBefore = photoOf((await new Client(t.app).get(priya.profile)).body, 'Priya Natarajan');
    expect(shownBefore).toBeDefined();

    // Another educator: no link on the profile, the page refused, and a form posted with their own valid token too.
    const otto = await login('otto@example.org');
    expect((await otto.get(priya.profile)).body).not.toMatch(/Change photo|Add a photo/);
    const refused = await otto.get(photoPage);
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toContain('You can change only your own photo');
    const ownPage = await otto.get(`${(people.otto as { profile: string }).profile}/photo`);
    expect(ownPage.statusCode).toBe(200);
    const forged = await postMultipart(t.app, otto, photoPage, [['_csrf', csrfOf(ownPage)]], [await png(300, 300, { r: 0, g: 0, b: 0 })]);
    expect(forged.statusCode).toBe(403);
    const removal = await otto.post(`${photoPage}/remove`, { _csrf: csrfOf(ownPage) });
    expect(removal.statusCode).toBe(403);
    // A student has no photo to change at all; a visitor is sent to sign in.
    expect((await (await login('stu@example.org')).get(photoPage)).statusCode).toBe(403);
    const visitor = await new Client(t.app).get(photoPage);
    expect(visitor.statusCode).toBe(303);
    expect(visitor.headers.location).toMatch(/^\/login\?next=/);
    expect(photoOf((await new Client(t.app).get(priya.profile)).body, 'Priya Natarajan')).toBe(shownBefore);

    // An editor may, for anyone: the page names whose photo it is.
    const edie = await login('edie@example.org');
    const link = /<a href="([^"]+)">Change photo<\/a>/.exec((await edie.get(priya.profile)).body)?.[1];
    expect(link).toBe(photoPage);
    expect((await edie.get(photoPage)).body).toContain('<h1>Profile photo of Priya Natarajan</h1>');
    const res = await uploadPhoto(edie, photoPage, await png(400, 400, { r: 20, g: 140, b: 90 }));
    expect(res.statusCode, res.body.slice(0, 400)).toBe(303);
    const shownAfter = photoOf((await new Client(t.app).get(priya.profile)).body, 'Priya Natarajan');
    expect(shownAfter).toMatch(/ width="96" height="96" /);
    expect(shownAfter).not.toBe(shownBefore);
  });

  it('removes the photo: the profile shows the initials again', async () => {
    const priya = people.priya as { id: number; profile: string };
    const c = await login('priya@example.org');
    const page = await c.get(`${priya.profile}/photo`);
    expect(page.body).toContain('Remove photo');
    const res = await c.post(`${priya.profile}/photo/remove`, { _csrf: csrfOf(page) });
    expect(res.statusCode).toBe(303);
    expect((await c.follow(res)).body).toContain('The photo was removed');
    const profile = await new Client(t.app).get(priya.profile);
    expect(profile.body).toContain('>PN</text>');
    expect(photoOf(profile.body, 'Priya Natarajan')).toBeUndefined();
    expect(imageUrls(profile.body)).toEqual([]);
    expect((await c.get(priya.profile)).body).toContain('Add a photo');
  });
  it('stops serving the photo of an account deleted by its owner, at once', async () => {
    const dora = await createUser(t.database.db, {
      email: 'dora@example.org',
      name: 'Dora Leaving',
      password: PW,
      role: 'educator',
      subjects: ['math'],
    });
    const profile = `/educators/${dora.id}-dora-leaving`;
    const ella = await createUser(t.database.db, {
      email: 'ella@example.org',
      name: 'Ella Staying',
      password: PW,
      role: 'educator',
      subjects: ['math'],
    });
    const ellaProfile = `/educators/${ella.id}-ella-staying`;
    const staying = await uploadPhoto(
      await login('ella@example.org'),
      `${ellaProfile}/photo`,
      await png(300, 300, { r: 10, g: 200, b: 60 }),
    );
    expect(staying.statusCode, staying.body.slice(0, 400)).toBe(303);
    const stayingUrls = imageUrls((await new Client(t.app).get(ellaProfile)).body);
    expect(stayingUrls.length).toBeGreaterThan(0);
    const c = await login('dora@example.org');
    const res = await uploadPhoto(c, `${profile}/photo`, await png(300, 300, { r: 200, g: 30, b: 160 }));
    expect(res.statusCode, res.body.slice(0, 400)).toBe(303);
    const urls = imageUrls((await new Client(t.app).get(profile)).body);
    expect(urls.length).toBeGreaterThan(0);
    for (const url of urls) expect((await new Client(t.app).get(url)).statusCode).toBe(200);

    const done = await c.submit('/account', '/account/delete', { password: PW });
    expect(done.statusCode).toBe(303);
    for (const url of urls) expect((await new Client(t.app).get(url)).statusCode).toBe(410);
    // Another educator's photo is served as before.
    for (const url of stayingUrls) expect((await new Client(t.app).get(url)).statusCode).toBe(200);
  });
});
