import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../src/lib/time.ts';
import { createUser } from '../src/modules/accounts/index.ts';
import { createBlobStore, DEFAULT_IMAGE_LIMITS, storeImage } from '../src/modules/images/index.ts';
import { buildTestApp, type TestApp } from './helpers/app.ts';
import { engines } from './helpers/databases.ts';
import { makeQuestion } from './helpers/factories.ts';
import { Client, TestClock } from './helpers/http.ts';
import { solid } from './helpers/images.ts';
import { enrolTwoFactor } from './helpers/two-factor.ts';

const PW = 'a perfectly fine password';

describe.each(engines)('the account page on %s', (engine) => {
  let t: TestApp;
  const clock = new TestClock();
  let n = 0;
  const client = () => new Client(t.app, `198.18.0.${++n}`);
  const signedIn = async (email: string, password = PW) => {
    const c = client();
    expect((await c.submit('/login', '/login', { email, password })).statusCode).toBe(303);
    return c;
  };

  beforeAll(async () => {
    t = await buildTestApp(engine, { clock });
  });
  afterAll(async () => {
    await t.close();
  });

  it('sends visitors to sign in first', async () => {
    const res = await client().get('/account');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/login?next=%2Faccount');
    expect((await client().get('/account/export.json')).statusCode).toBe(303);
  });

  it('renames, keeping a rejected name in the field', async () => {
    await createUser(t.database.db, { email: 'rename@example.org', name: 'Old Name', password: PW });
    const c = await signedIn('rename@example.org');
    const bad = await c.submit('/account', '/account/profile', { name: '   ' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('id="profile-name-error"');
    const posted = await c.submit('/account', '/account/profile', { name: 'New  Name' });
    // Post/redirect/get: the account page shows the message once, by the form.
    expect(posted.statusCode).toBe(303);
    const ok = await c.follow(posted);
    expect(ok.body).toContain('Saved.');
    expect((await c.get('/account')).body).not.toContain('Saved.');
    expect((await c.get('/')).body).toContain('Signed in as </span>New Name');
  });

  it('links educators, editors and admins to the photo on their profile, and students to none', async () => {
    const photoLink = (html: string) => /<a href="([^"]*)">Profile photo<\/a>/.exec(html)?.[1];
    for (const [role, name, slug] of [
      ['educator', 'Phoebe Tutor', 'phoebe-tutor'],
      ['editor', 'Ed Itor', 'ed-itor'],
      ['admin', 'Ada Min', 'ada-min'],
    ] as const) {
      const user = await createUser(t.database.db, { email: `photo-${role}@example.org`, name, password: PW, role });
      const c = await signedIn(`photo-${role}@example.org`);
      // Admins must turn on two-factor sign-in before any other page.
      if (role === 'admin') await enrolTwoFactor(c, clock.now());
      const link = photoLink((await c.get('/account')).body);
      expect(link, role).toBe(`/educators/${user.id}-${slug}/photo`);
      const page = await c.get(link as string);
      expect(page.statusCode, role).toBe(200);
      expect(page.body).toContain('<h1>Your profile photo</h1>');
    }
    await createUser(t.database.db, { email: 'photo-student@example.org', name: 'Stu Dent', password: PW });
    const student = await (await signedIn('photo-student@example.org')).get('/account');
    expect(student.statusCode).toBe(200);
    expect(student.body).toContain('<h1>Your account</h1>');
    expect(photoLink(student.body)).toBeUndefined();
    expect(student.body).not.toContain('/photo"');
  });

  it('refuses every account change without the form token, changing nothing', async () => {
    await createUser(t.database.db, { email: 'csrf@example.org', name: 'Cee Surf', password: PW });
    const c = await signedIn('csrf@example.org');
    const forged: Array<[string, Record<string, string>]> = [
      ['/account/profile', { name: 'Hacked' }],
      ['/account/password', { current: PW, newPassword: 'attacker chosen password' }],
      ['/account/email', { email: 'attacker@example.org', password: PW }],
      ['/account/sessions/revoke-others', {}],
      ['/account/delete', { password: PW }],
      ['/account/2fa/setup', {}],
    ];
    for (const [url, form] of forged) {
      const res = await c.post(url, { ...form, _csrf: 'forged' });
      expect([403, 200], url).toContain(res.statusCode);
      expect(res.statusCode === 200 ? res.body : '', url).not.toContain('class="secret"');
    }
    const row = await t.database.db
      .selectFrom('users')
      .select(['name', 'email', 'deleted_at', 'totp_secret'])
      .where('email', '=', 'csrf@example.org')
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ name: 'Cee Surf', email: 'csrf@example.org', deleted_at: null, totp_secret: null });
    expect((await client().submit('/login', '/login', { email: 'csrf@example.org', password: PW })).statusCode).toBe(303);
    expect(await t.database.db.selectFrom('outbox').select('id').where('to_address', '=', 'attacker@example.org').execute()).toEqual([]);
  });

  it('lists sessions, signs out one device, and everywhere else', async () => {
    await createUser(t.database.db, { email: 'devices@example.org', name: 'Dev Ices', password: PW });
    const [a, b, c] = [await signedIn('devices@example.org'), await signedIn('devices@example.org'), await signedIn('devices@example.org')];
    const page = await a.get('/account');
    expect(page.body.match(/<li><strong>/g)?.length).toBe(3);
    expect(page.body).toContain('<strong>This device</strong>');
    const other = /name="session" value="([0-9a-f]{64})"/.exec(page.body)?.[1] as string;
    await a.submit('/account', '/account/sessions/revoke', { session: other });
    const stillIn = [(await b.get('/')).body.includes('Dev Ices'), (await c.get('/')).body.includes('Dev Ices')];
    expect(stillIn.filter(Boolean)).toHaveLength(1);
    await a.submit('/account', '/account/sessions/revoke-others', {});
    expect((await b.get('/')).body).toContain('href="/login"');
    expect((await c.get('/')).body).toContain('href="/login"');
    expect((await a.get('/')).body).toContain('Dev Ices');
  });

  it('changes the password only with the current one, and signs out other sessions', async () => {
    await createUser(t.database.db, { email: 'changer@example.org', name: 'Chan Ger', password: PW });
    const a = await signedIn('changer@example.org');
    const b = await signedIn('changer@example.org');
    const wrong = await a.submit('/account', '/account/password', { current: 'not it at all', newPassword: 'a brand new password' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('That is not your current password.');
    const ok = await a.follow(await a.submit('/account', '/account/password', { current: PW, newPassword: 'a brand new password' }));
    expect(ok.body).toContain('Password changed.');
    expect((await b.get('/')).body).toContain('href="/login"');
    expect((await a.get('/')).body).toContain('Chan Ger');
    await signedIn('changer@example.org', 'a brand new password');
  });

  it('exports the person’s data as JSON, their uploads and profile photo with it, without session secrets', async () => {
    const user = await createUser(t.database.db, { email: 'export@example.org', name: 'Ex Port', password: PW, role: 'educator' });
    // Two uploads of theirs, one of them the photo on their profile, and one of someone else's.
    const dir = mkdtempSync(path.join(tmpdir(), 'scholia-export-'));
    const deps = {
      db: t.database.db,
      blobs: createBlobStore({ store: 'files', dataDir: dir }, t.database.db, systemClock),
      limits: DEFAULT_IMAGE_LIMITS,
      clock: systemClock,
    };
    const upload = async (ownerId: number | null, r: number) =>
      storeImage(deps, {
        bytes: await solid(60, 40, { colour: { r, g: 10, b: 10 } })
          .png()
          .toBuffer(),
        ownerId,
      });
    const photo = await upload(user.id, 200);
    const diagram = await upload(user.id, 100);
    const other = await upload(null, 50);
    await t.database.db.updateTable('users').set({ photo_image_id: photo.id }).where('id', '=', user.id).execute();
    const c = await signedIn('export@example.org');
    const res = await c.get('/account/export.json');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-disposition']).toBe('attachment; filename="scholia-my-data.json"');
    const data = res.json() as {
      user: { email: string; name: string; photo_image_id: number };
      sessions: Array<Record<string, unknown>>;
      images: Array<{ id: number; width: number; height: number; path: string }>;
    };
    expect(data.user).toMatchObject({ email: 'export@example.org', name: 'Ex Port', photo_image_id: photo.id });
    expect(data.sessions).toHaveLength(1);
    expect(data.images.map((i) => i.id)).toEqual([diagram.id, photo.id]);
    expect(data.images.map((i) => i.id)).not.toContain(other.id);
    expect(data.images[1]).toMatchObject({ width: 60, height: 40 });
    // Each image's largest file (the JPEG or PNG fallback, widest), by its address on the site.
    const widest = [...photo.variants].filter((v) => v.format !== 'webp').sort((a, b) => b.width - a.width)[0];
    expect(data.images[1]?.path).toBe(`/images/${widest?.key}`);
    expect(JSON.stringify(data)).not.toMatch(/id_hash|password|argon2/);
    rmSync(dir, { recursive: true, force: true });
  });

  it('deletes an account with its password: data gone, questions kept and anonymised', async () => {
    const user = await createUser(t.database.db, { email: 'leaver@example.org', name: 'Lee Leaver', password: PW, role: 'educator' });
    // An educator with a profile photo (which image it is does not matter here: only the link to it is theirs).
    await t.database.db.updateTable('users').set({ photo_image_id: 4242 }).where('id', '=', user.id).execute();
    const qid = await makeQuestion(t.database.db, { title: 'What did the leaver ask about volcanoes?' });
    await t.database.db.updateTable('questions').set({ asker_id: user.id }).where('id', '=', qid).execute();
    const c = await signedIn('leaver@example.org');
    const wrong = await c.submit('/account', '/account/delete', { password: 'not my password' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('nothing was deleted');
    const done = await c.submit('/account', '/account/delete', { password: PW });
    expect(done.statusCode).toBe(303);
    expect((await c.get('/')).body).toContain('href="/login"');
    expect((await client().submit('/login', '/login', { email: 'leaver@example.org', password: PW })).statusCode).toBe(401);
    const row = await t.database.db.selectFrom('users').selectAll().where('id', '=', user.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      name: 'Deleted user',
      password_hash: null,
      photo_image_id: null,
      email: `deleted-${user.id}@deleted.scholia.invalid`,
    });
    const q = await t.database.db.selectFrom('questions').select(['asker_id', 'title']).where('id', '=', qid).executeTakeFirstOrThrow();
    expect(q).toEqual({ asker_id: user.id, title: 'What did the leaver ask about volcanoes?' });
    expect((await client().get(`/q/${qid}/what-did-the-leaver-ask-about-volcanoes`)).statusCode).toBe(200);
  });
});
