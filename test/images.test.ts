import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../src/db/connect.ts';
import { createUser } from '../src/modules/accounts/index.ts';
import { fileBlobStore } from '../src/modules/images/file-blob-store.ts';
import {
  checkImageCount,
  createBlobStore,
  DEFAULT_IMAGE_LIMITS,
  findImage,
  type ImageDeps,
  ImageRefused,
  listUnusedCandidates,
  markRemoved,
  openVariant,
  pictureOf,
  type StoredImage,
  storeImage,
  sweepBlobs,
} from '../src/modules/images/index.ts';
import { createTestDatabase, engines, type TestDatabase } from './helpers/databases.ts';
import { TestClock } from './helpers/http.ts';
import { pngHeader, solid } from './helpers/images.ts';

/** A migrated test database (the image tables included). */
function imageDatabase(engine: Engine): Promise<TestDatabase> {
  return createTestDatabase(engine);
}

// Canaries: strings that can only be in a file that kept the upload's metadata.
const GPS_CANARY = 'GPS-CANARY-51N-0W';
const ARTIST_CANARY = 'ARTIST-CANARY-ANA';
const XMP_CANARY = 'XMP-CANARY-CREATOR';
const XMP = `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>${XMP_CANARY}</dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>`;

/** A phone photo: 2000 × 1500 as stored, EXIF orientation 6 (upright it is 1500 × 2000), GPS position, XMP, Display P3. */
function phonePhoto(): Promise<Buffer> {
  return solid(2000, 1500, { colour: { r: 200, g: 100, b: 50 } })
    .jpeg({ quality: 90 })
    .withMetadata({ orientation: 6 })
    .withExif({
      IFD0: { Artist: ARTIST_CANARY },
      IFD3: {
        GPSLatitudeRef: 'N',
        GPSLatitude: '51/1 30/1 0/1',
        GPSLongitudeRef: 'W',
        GPSLongitude: '0/1 7/1 0/1',
        GPSMapDatum: GPS_CANARY,
      },
    })
    .withXmp(XMP)
    .withIccProfile('p3')
    .toBuffer();
}

function refusal(promise: Promise<unknown>): Promise<ImageRefused> {
  return promise.then(
    () => {
      throw new Error('the upload was taken');
    },
    (err: unknown) => {
      if (!(err instanceof ImageRefused)) throw err;
      return err;
    },
  );
}

const widthsOf = (image: StoredImage, format: string) => image.variants.filter((v) => v.format === format).map((v) => v.width);

describe.each(engines)('images on %s', (engine) => {
  let database: TestDatabase;
  let dataDir: string;
  let deps: ImageDeps;
  let clock: TestClock;
  let ana: number;
  let ben: number;

  beforeAll(async () => {
    database = await imageDatabase(engine);
    dataDir = mkdtempSync(path.join(tmpdir(), 'scholia-images-'));
    clock = new TestClock(Date.now());
    // The database store on PostgreSQL (as a site of several servers runs), the files on SQLite: both go through
    // the same service here, and each adapter has its own tests below.
    const blobs = createBlobStore({ store: engine === 'postgres' ? 'database' : 'files', dataDir }, database.db, clock);
    deps = { db: database.db, blobs, limits: DEFAULT_IMAGE_LIMITS, clock };
    ana = (await createUser(database.db, { email: `ana-${engine}@example.org`, name: 'Ana', role: 'student' })).id;
    ben = (await createUser(database.db, { email: `ben-${engine}@example.org`, name: 'Ben', role: 'student' })).id;
  });

  afterAll(async () => {
    await database?.destroy();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  async function variantBytes(image: StoredImage): Promise<Array<{ format: string; width: number; bytes: Buffer; contentType: string }>> {
    return Promise.all(
      image.variants.map(async (v) => {
        const blob = await deps.blobs.get(v.key);
        if (!blob) throw new Error(`variant ${v.key} is not stored`);
        return { format: v.format, width: v.width, bytes: blob.bytes, contentType: blob.contentType };
      }),
    );
  }

  it('turns a phone photo upright and keeps none of its metadata (GPS, EXIF, XMP, ICC) in any variant', async () => {
    const upload = await phonePhoto();
    const original = await sharp(upload).metadata();
    // The fixture does carry what must go.
    expect(original.exif?.includes(GPS_CANARY)).toBe(true);
    expect(original.xmp).toBeDefined();
    expect(original.icc).toBeDefined();
    expect(original.orientation).toBe(6);

    const image = await storeImage(deps, { bytes: upload, ownerId: ana });
    expect(image).toMatchObject({ ownerId: ana, width: 1500, height: 2000, hasAlpha: false, removedAt: null });
    expect(widthsOf(image, 'webp')).toEqual([480, 960, 1500]);
    expect(widthsOf(image, 'jpeg')).toEqual([480, 960, 1500]);
    expect(image.variants.every((v) => v.height === (v.width * 4) / 3)).toBe(true);

    for (const v of await variantBytes(image)) {
      const m = await sharp(v.bytes).metadata();
      expect(m.format, v.format).toBe(v.format);
      expect(v.contentType).toBe(`image/${v.format}`);
      expect({ exif: m.exif, icc: m.icc, xmp: m.xmp, iptc: m.iptc, orientation: m.orientation, comments: m.comments }).toEqual({
        exif: undefined,
        icc: undefined,
        xmp: undefined,
        iptc: undefined,
        orientation: undefined,
        comments: undefined,
      });
      // Nor anywhere in the bytes: no EXIF block (JPEG's "Exif\0\0", WebP's EXIF chunk), no XMP, no ICC profile.
      for (const trace of [GPS_CANARY, ARTIST_CANARY, XMP_CANARY, 'Exif\0\0', 'http://ns.adobe.com/xap', 'ICC_PROFILE', 'Display P3'])
        expect(v.bytes.includes(trace), `${v.format} ${v.width} holds ${JSON.stringify(trace)}`).toBe(false);
      if (v.format === 'webp') for (const fourcc of ['EXIF', 'XMP ', 'ICCP']) expect(v.bytes.includes(fourcc)).toBe(false);
      // The colours were converted to sRGB rather than the profile dropped: a P3 file read as sRGB would be duller.
      const [r, g, b] = await sharp(v.bytes).raw().toBuffer();
      expect(Math.abs(r! - 200) + Math.abs(g! - 100) + Math.abs(b! - 50), `${v.format} colour`).toBeLessThan(12);
    }
  });

  it('refuses a 50,000 × 50,000 PNG from its header, with a message that says why', async () => {
    const bomb = pngHeader(50_000, 50_000);
    const err = await refusal(storeImage(deps, { bytes: bomb, ownerId: ana }));
    expect(err.reason).toBe('too_many_pixels');
    expect(err.issues).toEqual([
      {
        field: 'image',
        message:
          'This image is 50,000 × 50,000 pixels (2,500 megapixels); an image can have at most 40 megapixels. Make it smaller and retry.',
      },
    ]);
  });

  it('refuses a real image over the pixel limit too (the decoder is never asked)', async () => {
    const big = await solid(3000, 2000).png().toBuffer();
    const err = await refusal(
      storeImage({ ...deps, limits: { ...DEFAULT_IMAGE_LIMITS, maxPixels: 5_000_000 } }, { bytes: big, ownerId: ana }),
    );
    expect(err.reason).toBe('too_many_pixels');
    expect(err.message).toContain('3,000 × 2,000 pixels (6 megapixels)');
  });

  it('refuses a text file named homework.png: the content decides, not the name', async () => {
    const err = await refusal(storeImage(deps, { bytes: Buffer.from('Question 3: solve for x. 2x + 3 = 7\n'), ownerId: ana }));
    expect(err.reason).toBe('not_an_image');
    expect(err.message).toBe(
      'image: This file is not a JPEG, PNG, WebP or GIF image, whatever its name says. Choose a photo or a screenshot.',
    );
  });

  it('refuses SVG, whose scripts would run where it is shown', async () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>');
    expect((await refusal(storeImage(deps, { bytes: svg, ownerId: ana }))).reason).toBe('not_an_image');
  });

  it('refuses a file over IMAGE_MAX_BYTES before reading it', async () => {
    // Noise does not compress: 200 × 200 pixels make a PNG of about 120 KB.
    const noisy = await sharp(randomBytes(200 * 200 * 3), { raw: { width: 200, height: 200, channels: 3 } })
      .png()
      .toBuffer();
    const err = await refusal(
      storeImage({ ...deps, limits: { ...DEFAULT_IMAGE_LIMITS, maxBytes: 10 * 1024 } }, { bytes: noisy, ownerId: ana }),
    );
    expect(err.reason).toBe('too_large');
    const size = (noisy.length / 1024).toLocaleString('en-US', { maximumFractionDigits: 1 });
    expect(err.issues[0]?.message).toBe(
      `This file is ${size} KB; an image can be at most 10 KB. Save it smaller, or take a screenshot of the part that matters.`,
    );
  });

  it('refuses a photo cut short in transfer', async () => {
    const photo = await solid(800, 600).jpeg().toBuffer();
    const err = await refusal(storeImage(deps, { bytes: photo.subarray(0, Math.floor(photo.length / 2)), ownerId: ana }));
    expect(err.reason).toBe('damaged');
  });

  it('gives a transparent PNG WebP and PNG variants, never wider than the upload', async () => {
    const upload = await solid(700, 500, { alpha: 0.5 }).png().toBuffer();
    const image = await storeImage(deps, { bytes: upload, ownerId: ana });
    expect(image.hasAlpha).toBe(true);
    expect(widthsOf(image, 'webp')).toEqual([480, 700]);
    expect(widthsOf(image, 'png')).toEqual([480, 700]);
    expect(widthsOf(image, 'jpeg')).toEqual([]);
    for (const v of await variantBytes(image)) {
      const m = await sharp(v.bytes).metadata();
      expect(m.hasAlpha, `${v.format} ${v.width}`).toBe(true);
      expect(m.width).toBe(v.width);
    }
  });

  it('gives an opaque PNG (an unused alpha channel) and a photo WebP and JPEG variants', async () => {
    const screenshot = await solid(1000, 400, { alpha: 1 }).png().toBuffer();
    const image = await storeImage(deps, { bytes: screenshot, ownerId: ana });
    expect(image.hasAlpha).toBe(false);
    // 960 is left out beside 1,000: hardly ever the better pick, and one more file.
    expect(widthsOf(image, 'webp')).toEqual([480, 1000]);
    expect(widthsOf(image, 'jpeg')).toEqual([480, 1000]);
  });

  it('never enlarges a small image', async () => {
    const image = await storeImage(deps, { bytes: await solid(300, 200).webp().toBuffer(), ownerId: ana });
    expect(image.variants.map((v) => [v.format, v.width, v.height])).toEqual([
      ['webp', 300, 200],
      ['jpeg', 300, 200],
    ]);
  });

  it('takes the first frame of an animated GIF', async () => {
    const red = await solid(120, 80, { colour: { r: 255, g: 0, b: 0 } })
      .png()
      .toBuffer();
    const blue = await solid(120, 80, { colour: { r: 0, g: 0, b: 255 } })
      .png()
      .toBuffer();
    const gif = await sharp([red, blue], { join: { animated: true } })
      .gif()
      .toBuffer();
    expect((await sharp(gif).metadata()).pages).toBe(2);
    const image = await storeImage(deps, { bytes: gif, ownerId: ana });
    expect([image.width, image.height]).toEqual([120, 80]);
    const [webp] = await variantBytes(image);
    const [r, g, b] = await sharp(webp!.bytes).raw().toBuffer();
    expect(r).toBeGreaterThan(200);
    expect(g! + b!).toBeLessThan(60);
  });

  it('gives the same person the same image for the same upload, and another person their own', async () => {
    const upload = await solid(500, 500, { colour: { r: 1, g: 2, b: 3 } })
      .jpeg()
      .toBuffer();
    const [first, second] = await Promise.all([
      storeImage(deps, { bytes: upload, ownerId: ana }),
      storeImage(deps, { bytes: upload, ownerId: ana }),
    ]);
    expect(second!.id).toBe(first!.id);
    expect((await storeImage(deps, { bytes: upload, ownerId: ana })).id).toBe(first!.id);
    const bens = await storeImage(deps, { bytes: upload, ownerId: ben });
    expect(bens.id).not.toBe(first!.id);
    // Same bytes out, same keys: the files are shared, not stored twice.
    expect(bens.variants.map((v) => v.key)).toEqual(first!.variants.map((v) => v.key));
  });

  it('serves a live image, answers "removed" once an editor removed it, and a new upload of it is a new image', async () => {
    const upload = await solid(640, 480, { colour: { r: 9, g: 9, b: 9 } })
      .jpeg()
      .toBuffer();
    const image = await storeImage(deps, { bytes: upload, ownerId: ben });
    const key = image.variants[0]!.key;
    const opened = await openVariant(deps, key);
    expect(opened.kind).toBe('found');
    if (opened.kind === 'found') expect(opened.contentType).toBe('image/webp');

    expect(await markRemoved(deps, { id: image.id, by: ana })).toBe(true);
    expect(await markRemoved(deps, { id: image.id, by: ana })).toBe(false);
    expect((await findImage(deps, image.id))?.removedAt).toBe(clock.now().toISOString());
    expect(await openVariant(deps, key)).toEqual({ kind: 'removed' });

    const again = await storeImage(deps, { bytes: upload, ownerId: ben });
    expect(again.id).not.toBe(image.id);
    expect((await openVariant(deps, key)).kind).toBe('found');
  });

  it('serves nothing for a key no image uses, or for something that is not a key', async () => {
    expect(await openVariant(deps, `${'0'.repeat(64)}.webp`)).toEqual({ kind: 'missing' });
    expect(await openVariant(deps, '../../etc/passwd')).toEqual({ kind: 'missing' });
  });

  it('lists old live images as clean-up candidates and sweeps the files no live image uses', async () => {
    // A database and a store of its own, so the sweep sees only what this test made.
    const own = await imageDatabase(engine);
    const dir = mkdtempSync(path.join(tmpdir(), 'scholia-sweep-'));
    try {
      const sweepClock = new TestClock(Date.parse('2030-01-01T00:00:00.000Z'));
      const blobs = createBlobStore({ store: engine === 'postgres' ? 'database' : 'files', dataDir: dir }, own.db, sweepClock);
      const sweepDeps: ImageDeps = { db: own.db, blobs, limits: DEFAULT_IMAGE_LIMITS, clock: sweepClock };
      const owner = (await createUser(own.db, { email: 'sweep@example.org', name: 'Sweep', role: 'student' })).id;
      const green = await solid(200, 100, { colour: { r: 10, g: 200, b: 10 } })
        .png()
        .toBuffer();
      const red = await solid(200, 100, { colour: { r: 200, g: 10, b: 10 } })
        .png()
        .toBuffer();
      const kept = await storeImage(sweepDeps, { bytes: green, ownerId: owner });
      const dropped = await storeImage(sweepDeps, { bytes: red, ownerId: owner });
      // A file an upload stored and never recorded (its process died in between).
      const stray = `${'a'.repeat(64)}.png`;
      await blobs.put(stray, await solid(10, 10).png().toBuffer(), 'image/png');
      if (blobs.kind === 'files') {
        // The files store's stored time is the file's mtime: move it to the test clock's time.
        const root = path.join(dir, 'images');
        for (const prefix of readdirSync(root))
          for (const name of readdirSync(path.join(root, prefix)))
            utimesSync(path.join(root, prefix, name), sweepClock.now(), sweepClock.now());
      }
      sweepClock.advance(3_600_000);

      const candidates = await listUnusedCandidates(sweepDeps, { createdBefore: sweepClock.now().toISOString() });
      expect(candidates.map((c) => c.id)).toEqual([kept.id, dropped.id]);
      expect(await listUnusedCandidates(sweepDeps, { createdBefore: sweepClock.now().toISOString(), afterId: kept.id })).toHaveLength(1);
      expect(await listUnusedCandidates(sweepDeps, { createdBefore: '2029-12-31T00:00:00.000Z' })).toEqual([]);
      await markRemoved(sweepDeps, { id: dropped.id, by: null });

      // A cut-off before the files were stored spares them all, as it spares uploads in flight.
      expect(await sweepBlobs(sweepDeps, { storedBefore: '2029-12-31T23:00:00.000Z' })).toMatchObject({ checked: 5, deleted: 0 });

      const progress: number[] = [];
      const result = await sweepBlobs(sweepDeps, {
        storedBefore: sweepClock.now().toISOString(),
        pageSize: 2,
        onProgress: (p) => progress.push(p.checked),
      });
      expect(result).toMatchObject({ checked: 5, deleted: 3 });
      expect(progress).toEqual([2, 4, 5]);
      for (const v of kept.variants) expect(await blobs.get(v.key)).toBeDefined();
      for (const v of dropped.variants) expect(await blobs.get(v.key)).toBeUndefined();
      expect(await blobs.get(stray)).toBeUndefined();
      // The removed image still answers "removed" (410), not "missing", once its files are gone.
      expect(await openVariant(sweepDeps, dropped.variants[0]!.key)).toEqual({ kind: 'removed' });
    } finally {
      await own.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a fifth image on a question', () => {
    expect(() => checkImageCount(3, DEFAULT_IMAGE_LIMITS)).not.toThrow();
    expect(() => checkImageCount(4, DEFAULT_IMAGE_LIMITS)).toThrowError(ImageRefused);
    expect(() => checkImageCount(4, DEFAULT_IMAGE_LIMITS)).toThrowError('A question can have at most 4 images. Remove one to add another.');
  });

  it('gives a view what <picture> needs: a WebP srcset and a sized fallback', async () => {
    const image = await storeImage(deps, {
      bytes: await solid(1200, 900, { colour: { r: 5, g: 50, b: 150 } })
        .jpeg()
        .toBuffer(),
      ownerId: ben,
    });
    const picture = pictureOf(image, (key) => `/images/${key}`);
    const [w480, w960, w1200] = image.variants.filter((v) => v.format === 'webp');
    expect(picture.sources).toEqual([
      { type: 'image/webp', srcset: `/images/${w480!.key} 480w, /images/${w960!.key} 960w, /images/${w1200!.key} 1200w` },
    ]);
    expect(picture.img).toMatchObject({ width: 1200, height: 900, type: 'image/jpeg' });
    expect(picture.img.srcset.split(', ').map((s) => s.split(' ')[1])).toEqual(['480w', '960w', '1200w']);
  });
});

// The BlobStore contract every adapter meets (files, database, S3) is in blob-store-contract.test.ts.

describe('the files BlobStore on disk', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'scholia-blobs-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('spreads files over subdirectories by key and leaves no temporary file behind', async () => {
    const store = fileBlobStore(path.join(dir, 'images'));
    const key = `${'3f'.repeat(32)}.webp`;
    await store.put(key, Buffer.from('RIFF....WEBP'), 'image/webp');
    expect(readdirSync(path.join(dir, 'images', '3f'))).toEqual([key]);
  });

  it('refuses a type its key does not name, since it would serve the file by the extension', async () => {
    const store = fileBlobStore(path.join(dir, 'images'));
    await expect(store.put(`${'3f'.repeat(32)}.jpg`, Buffer.from('x'), 'image/png')).rejects.toThrow(/does not name/);
  });

  it('tidies what an interrupted write left, and puts back a file an interrupted delete had moved aside', async () => {
    const store = fileBlobStore(path.join(dir, 'images'));
    const key = `${'4e'.repeat(32)}.png`;
    const sub = path.join(dir, 'images', '4e');
    await store.put(`${'4e'.repeat(32).slice(0, 62)}00.png`, Buffer.from('other'), 'image/png');
    writeFileSync(path.join(sub, `.tmp-${'0'.repeat(12)}-${key}`), 'half a file');
    writeFileSync(path.join(sub, `.del-${'1'.repeat(12)}-${key}`), 'whole file');
    const old = new Date(Date.now() - 86_400_000);
    for (const name of readdirSync(sub)) if (name.startsWith('.')) utimesSync(path.join(sub, name), old, old);
    expect(await store.tidy?.(new Date(Date.now() - 3_600_000).toISOString())).toBe(2);
    expect(readdirSync(sub).sort()).toEqual([`${'4e'.repeat(32).slice(0, 62)}00.png`, key].sort());
    expect((await store.get(key))?.bytes.toString()).toBe('whole file');
  });
});
