import { mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../src/lib/time.ts';
import { createUser } from '../src/modules/accounts/index.ts';
import { createBlobStore, DEFAULT_IMAGE_LIMITS, recordImageUses, type StoredImage, storeImage } from '../src/modules/images/index.ts';
import { buildTestApp, testConfig } from './helpers/app.ts';
import { engines } from './helpers/databases.ts';
import { makeEducator, makeQuestion } from './helpers/factories.ts';
import { Client, TestClock } from './helpers/http.ts';
import { solid } from './helpers/images.ts';
import { openSite, type Site, scholia } from './helpers/sites.ts';

// `scholia images prune` (issue #15, item 4): images nothing uses any more, older than the cut-off, are removed and
// their files deleted; images in use (a live profile's photo among them), and uploads too recent to judge, are kept.

const DAY_AND_A_HALF = 36 * 3_600_000;
const PW = 'images prune test password';

describe.each(engines)('scholia images prune on %s', (engine) => {
  let site: Site | undefined;
  afterEach(async () => {
    await site?.close();
    site = undefined;
  });

  /** The site's image store, its stored times read from `clock` (the database store) or the files' times. */
  const blobsOf = (s: Site, clock = systemClock) =>
    createBlobStore({ store: s.engine === 'postgres' ? 'database' : 'files', dataDir: s.dataDir }, s.handle.db, clock);

  /** An image uploaded a day and a half ago, its files as old as it is. */
  const oldUpload = async (s: Site, colour: { r: number; g: number; b: number }): Promise<StoredImage> => {
    const past = new TestClock(Date.now() - DAY_AND_A_HALF);
    const image = await storeImage(
      { db: s.handle.db, blobs: blobsOf(s, past), limits: DEFAULT_IMAGE_LIMITS, clock: past },
      { bytes: await solid(200, 120, { colour }).png().toBuffer(), ownerId: null },
    );
    if (s.engine === 'sqlite') {
      const then = past.now();
      for (const v of image.variants) utimesSync(path.join(s.dataDir, 'images', v.key.slice(0, 2), v.key), then, then);
    }
    return image;
  };

  const removedAt = async (s: Site, id: number) =>
    (await s.handle.db.selectFrom('images').select('removed_at').where('id', '=', id).executeTakeFirstOrThrow()).removed_at;

  it('removes an old unused upload and deletes its files, and keeps used and fresh ones', async () => {
    site = await openSite(engine);
    const s = site;
    expect((await scholia(['migrate'], s.env)).code).toBe(0);
    const db = s.handle.db;

    const unused = await oldUpload(s, { r: 250, g: 10, b: 10 });
    const photo = await oldUpload(s, { r: 10, g: 250, b: 10 });
    const placed = await oldUpload(s, { r: 10, g: 10, b: 250 });
    const fresh = await storeImage(
      { db, blobs: blobsOf(s), limits: DEFAULT_IMAGE_LIMITS, clock: systemClock },
      {
        bytes: await solid(200, 120, { colour: { r: 200, g: 200, b: 0 } })
          .png()
          .toBuffer(),
        ownerId: null,
      },
    );
    const question = await makeQuestion(db);
    await db.insertInto('question_images').values({ question_id: question, image_id: photo.id, position: 1 }).execute();
    await recordImageUses(db, 'answer', question, [placed.id]);

    const dry = await scholia(['images', 'prune', '--dry-run'], s.env);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('Dry run: 1 of 3 image(s) uploaded over 24 hour(s) ago are used nowhere and would be removed.');
    expect(await removedAt(s, unused.id)).toBeNull();
    for (const v of unused.variants) expect(await blobsOf(s).get(v.key)).toBeDefined();

    const run = await scholia(['images', 'prune'], s.env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('Removed 1 of 3 image(s) uploaded over 24 hour(s) ago');
    expect(run.stdout).toContain(`Deleted ${unused.variants.length} file(s) no image needs`);
    expect(await removedAt(s, unused.id)).not.toBeNull();
    for (const v of unused.variants) expect(await blobsOf(s).get(v.key)).toBeUndefined();
    for (const kept of [photo, placed, fresh]) {
      expect(await removedAt(s, kept.id)).toBeNull();
      for (const v of kept.variants) expect(await blobsOf(s).get(v.key)).toBeDefined();
    }

    // A cut-off of an hour still spares the upload of a moment ago; a second run finds nothing more.
    const again = await scholia(['images', 'prune', '--older-than-hours', '1'], s.env);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Removed 0 of 2 image(s) uploaded over 1 hour(s) ago');
    expect(again.stdout).toContain('Deleted 0 file(s)');
    expect(await removedAt(s, fresh.id)).toBeNull();
  });

  it('keeps the photo on a live profile, and removes one only a deleted account still names', async () => {
    site = await openSite(engine);
    const s = site;
    expect((await scholia(['migrate'], s.env)).code).toBe(0);
    const db = s.handle.db;

    const portrait = await oldUpload(s, { r: 120, g: 60, b: 200 });
    const leftBehind = await oldUpload(s, { r: 60, g: 200, b: 120 });
    const educator = await makeEducator(db);
    await db.updateTable('users').set({ photo_image_id: portrait.id }).where('id', '=', educator.id).execute();
    // An account deleted while deletion still left the photo named: its profile is gone, so the photo shows nowhere.
    const gone = await makeEducator(db);
    await db
      .updateTable('users')
      .set({ photo_image_id: leftBehind.id, deleted_at: new Date().toISOString() })
      .where('id', '=', gone.id)
      .execute();

    const dry = await scholia(['images', 'prune', '--dry-run'], s.env);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('Dry run: 1 of 2 image(s) uploaded over 24 hour(s) ago are used nowhere and would be removed.');

    const run = await scholia(['images', 'prune'], s.env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('Removed 1 of 2 image(s) uploaded over 24 hour(s) ago');
    expect(await removedAt(s, portrait.id)).toBeNull();
    for (const v of portrait.variants) expect(await blobsOf(s).get(v.key)).toBeDefined();
    expect(await removedAt(s, leftBehind.id)).not.toBeNull();
    for (const v of leftBehind.variants) expect(await blobsOf(s).get(v.key)).toBeUndefined();
  });

  it('counts a profile photo as a use on "Your images", as the clean-up does', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'scholia-prune-library-'));
    const images = { ...testConfig.images, store: engine === 'postgres' ? ('database' as const) : ('files' as const) };
    const t = await buildTestApp(engine, { config: { dataDir, images } });
    try {
      const db = t.database.db;
      const me = await createUser(db, { email: 'portrait@example.org', name: 'Pat Portrait', password: PW, role: 'educator' });
      const deps = { db, blobs: createBlobStore({ ...images, dataDir }, db), limits: DEFAULT_IMAGE_LIMITS, clock: systemClock };
      const upload = async (colour: { r: number; g: number; b: number }) =>
        storeImage(deps, { bytes: await solid(200, 120, { colour }).png().toBuffer(), ownerId: me.id });
      const photo = await upload({ r: 30, g: 30, b: 160 });
      const spare = await upload({ r: 160, g: 30, b: 30 });
      await db.updateTable('users').set({ photo_image_id: photo.id }).where('id', '=', me.id).execute();

      const c = new Client(t.app, '198.51.100.40');
      expect((await c.submit('/login', '/login', { email: 'portrait@example.org', password: PW })).statusCode).toBe(303);
      const page = await c.get('/uploads');
      expect(page.statusCode).toBe(200);
      const usage = (id: number) => new RegExp(`Image ${id} · \\d+×\\d+ · ([^<]+)</label>`).exec(page.body)?.[1]?.trim();
      expect(usage(photo.id)).toBe('used once');
      expect(usage(spare.id)).toBe('not used yet');
    } finally {
      await t.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('explains a bad cut-off', async () => {
    site = await openSite(engine);
    const r = await scholia(['images', 'prune', '--older-than-hours', 'soon'], site.env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--older-than-hours must be a positive whole number');
    const sub = await scholia(['images', 'tidy'], site.env);
    expect(sub.code).toBe(2);
    expect(sub.stderr).toContain('the images command has one subcommand: images prune');
  });
});
