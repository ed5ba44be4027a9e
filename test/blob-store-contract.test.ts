import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DeleteObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type S3Settings } from '../src/config.ts';
import { createUser } from '../src/modules/accounts/index.ts';
import { databaseBlobStore } from '../src/modules/images/blob.repository.ts';
import { fileBlobStore } from '../src/modules/images/file-blob-store.ts';
import { type BlobStore, s3BlobStore } from '../src/modules/images/index.ts';
import { clientConfig } from '../src/modules/images/s3-blob-store.ts';
import { grantComplimentary } from '../src/modules/membership/membership.service.ts';
import { buildTestApp, type TestApp } from './helpers/app.ts';
import { createTestDatabase, engines } from './helpers/databases.ts';
import { Client, TestClock } from './helpers/http.ts';
import { solid } from './helpers/images.ts';
import { csrfOf, postMultipart } from './helpers/multipart.ts';
import { type LocalS3, startLocalS3 } from './helpers/s3.ts';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const key = (n: number) => `${n.toString(16).padStart(2, '0').repeat(32)}.png`;

/** The S3 settings an environment names (IMAGE_STORE=s3 and S3_*), read as the site reads them. */
function s3SettingsOf(env: Record<string, string>): S3Settings {
  const images = loadConfig(env, '/tmp').images;
  if (images.store !== 's3') throw new Error('not an S3 environment');
  return images.s3;
}

let localS3: LocalS3;
beforeAll(async () => {
  localS3 = await startLocalS3();
});
afterAll(async () => localS3?.close());

interface Subject {
  readonly store: BlobStore;
  /** Lets enough time pass that the store's next stored time is later than its last (its clock, or its resolution). */
  later(): Promise<void>;
  done(): Promise<void>;
}

/** Every adapter behaves the same through the port: files, the database on each engine, and S3. */
function blobStoreContract(name: string, make: () => Promise<Subject>) {
  describe(`the ${name} BlobStore`, () => {
    let subject: Subject;
    let store: BlobStore;

    beforeAll(async () => {
      subject = await make();
      store = subject.store;
    });
    afterAll(async () => subject?.done());

    it('gives back exactly the bytes put, with their type', async () => {
      const bytes = randomBytes(200_000);
      await store.put(key(1), bytes, 'image/png');
      const blob = await store.get(key(1));
      expect(blob?.contentType).toBe('image/png');
      expect(Buffer.compare(blob!.bytes, bytes)).toBe(0);
    });

    it('keeps the bytes when a key is put again, and takes the later time as stored', async () => {
      const bytes = randomBytes(1000);
      await store.put(key(2), bytes, 'image/png');
      const before = (await store.list({ after: key(1), limit: 1 }))[0]!;
      await subject.later();
      await store.put(key(2), bytes, 'image/png');
      const after = (await store.list({ after: key(1), limit: 1 }))[0]!;
      expect(after).toMatchObject({ key: key(2), bytes: 1000 });
      expect(after.storedAt > before.storedAt).toBe(true);
      expect(Buffer.compare((await store.get(key(2)))!.bytes, bytes)).toBe(0);
    });

    it('lists in key order, a page at a time', async () => {
      for (const n of [5, 3, 4]) await store.put(key(n), Buffer.from([n]), 'image/png');
      const first = await store.list({ limit: 3 });
      const rest = await store.list({ after: first.at(-1)!.key, limit: 10 });
      expect([...first, ...rest].map((b) => b.key)).toEqual([1, 2, 3, 4, 5].map(key));
      expect(rest.map((b) => b.bytes)).toEqual([1, 1]);
    });

    it('deletes, and with a cut-off spares a blob stored at or after it', async () => {
      expect(await store.delete(key(3))).toBe(true);
      expect(await store.get(key(3))).toBeUndefined();
      expect(await store.delete(key(3))).toBe(false);

      const cutoff = new Date(Date.now() + 3_600_000).toISOString();
      expect(await store.delete(key(4), { storedBefore: new Date(0).toISOString() })).toBe(false);
      // A cut-off at the very time the store gives for it: not stored before it, so kept.
      const { storedAt } = (await store.list({ after: key(3), limit: 1 }))[0]!;
      expect(await store.delete(key(4), { storedBefore: storedAt })).toBe(false);
      expect(await store.get(key(4))).toBeDefined();
      expect(await store.delete(key(4), { storedBefore: cutoff })).toBe(true);
      expect(await store.get(key(4))).toBeUndefined();
      expect(await store.delete(key(4), { storedBefore: cutoff })).toBe(false);
    });

    it('answers nothing for a missing key or a string that is not a key, and refuses to write one', async () => {
      expect(await store.get(key(9))).toBeUndefined();
      expect(await store.get('../scholia.db')).toBeUndefined();
      await expect(store.put('../escape.png', Buffer.from('x'), 'image/png')).rejects.toThrow(/not a blob key/);
      await expect(store.delete('../escape.png')).rejects.toThrow(/not a blob key/);
    });
  });
}

blobStoreContract('files', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'scholia-blobs-'));
  return {
    store: fileBlobStore(path.join(dir, 'images')),
    // The file's mtime, in milliseconds.
    later: () => sleep(15),
    done: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

for (const engine of engines)
  blobStoreContract(`database (${engine})`, async () => {
    const database = await createTestDatabase(engine);
    const clock = new TestClock();
    return { store: databaseBlobStore(database.db, clock), later: async () => clock.advance(60_000), done: () => database.destroy() };
  });

/** An S3 store under a prefix of its own; on done, its objects are deleted (so a shared real bucket is left as found). */
function s3Subject(settings: S3Settings): Subject {
  const store = s3BlobStore(settings);
  return {
    store,
    // LastModified counts whole seconds.
    later: () => sleep(1100),
    async done() {
      const client = new S3Client(clientConfig(settings));
      try {
        for (;;) {
          const page = await client.send(new ListObjectsV2Command({ Bucket: settings.bucket, Prefix: settings.prefix }));
          for (const o of page.Contents ?? []) await client.send(new DeleteObjectCommand({ Bucket: settings.bucket, Key: o.Key }));
          if (!page.IsTruncated) break;
        }
      } finally {
        client.destroy();
        store.destroy();
      }
    },
  };
}

blobStoreContract('s3 (s3rver)', async () => s3Subject(s3SettingsOf(localS3.env())));

// A real bucket too, when one is named: TEST_S3_ENDPOINT (AWS: https://s3.<region>.amazonaws.com), TEST_S3_BUCKET,
// TEST_S3_REGION, TEST_S3_FORCE_PATH_STYLE, TEST_S3_ACCESS_KEY_ID and TEST_S3_SECRET_ACCESS_KEY, read as the site
// reads their S3_* namesakes. The run works under a prefix of its own and deletes what it wrote.
const testS3 = Object.fromEntries(
  Object.entries(process.env)
    .filter((e): e is [string, string] => e[0].startsWith('TEST_S3_') && e[1] !== undefined)
    .map(([name, value]) => [name.slice('TEST_'.length), value]),
);
if (testS3.S3_ENDPOINT !== undefined)
  blobStoreContract(`s3 (${testS3.S3_ENDPOINT})`, async () =>
    s3Subject(
      s3SettingsOf({
        S3_BUCKET: 'scholia-test',
        ...testS3,
        IMAGE_STORE: 's3',
        S3_PREFIX: `scholia-test-${randomBytes(6).toString('hex')}/`,
      }),
    ),
  );

describe('the S3 BlobStore in its bucket', () => {
  let settings: S3Settings;
  let client: S3Client;
  const stores: Array<{ destroy(): void }> = [];
  const open = (s: S3Settings) => {
    const store = s3BlobStore(s);
    stores.push(store);
    return store;
  };

  beforeAll(() => {
    settings = s3SettingsOf(localS3.env('site-a/'));
    client = new S3Client(clientConfig(settings));
  });
  afterAll(() => {
    client?.destroy();
    for (const s of stores) s.destroy();
  });

  it('keeps each blob as one object named by the prefix and the key, with its content type', async () => {
    const store = open(settings);
    const webp = `${'ab'.repeat(32)}.webp`;
    await store.put(webp, Buffer.from('RIFF....WEBPVP8 '), 'image/webp');
    const head = await client.send(new HeadObjectCommand({ Bucket: settings.bucket, Key: `site-a/${webp}` }));
    expect(head).toMatchObject({ ContentType: 'image/webp', ContentLength: 16 });
    // Another site sharing the bucket under its own prefix sees none of it.
    const other = open(s3SettingsOf(localS3.env('site-b/')));
    expect(await other.list({ limit: 10 })).toEqual([]);
    expect(await other.get(webp)).toBeUndefined();
    expect(await other.delete(webp)).toBe(false);
    expect((await store.get(webp))?.contentType).toBe('image/webp');
  });

  it('lists only blobs, page after page, past other objects under its prefix', async () => {
    const own = s3SettingsOf(localS3.env('listing/'));
    const store = open(own);
    // Other objects that sort between the blob keys ('-' and '.' come before the digits) and after them.
    for (const name of ['0-readme.txt', '1.txt', '2/nested.png', 'notes.txt'])
      await client.send(new PutObjectCommand({ Bucket: own.bucket, Key: `listing/${name}`, Body: 'not a blob' }));
    await client.send(new PutObjectCommand({ Bucket: own.bucket, Key: key(0x44), Body: 'outside the prefix' }));
    for (const n of [0x00, 0x11, 0x22, 0x33]) await store.put(key(n), Buffer.from([n, n]), 'image/png');

    const oneByOne: string[] = [];
    for (let page = await store.list({ limit: 1 }); page.length > 0; page = await store.list({ after: page.at(-1)!.key, limit: 1 }))
      oneByOne.push(...page.map((b) => b.key));
    expect(oneByOne).toEqual([0x00, 0x11, 0x22, 0x33].map(key));
    const all = await store.list({ limit: 10 });
    expect(all.map((b) => b.key)).toEqual(oneByOne);
    expect(all.every((b) => b.bytes === 2 && !Number.isNaN(Date.parse(b.storedAt)))).toBe(true);
  });

  it('spares a blob put just after a cut-off in the same second, though LastModified drops the milliseconds', async () => {
    const store = open(settings);
    const k = `${'cd'.repeat(32)}.png`;
    // A cut-off part way through a second (at .000 there would be nothing to drop), with the put still inside it.
    while (Date.now() % 1000 < 100 || Date.now() % 1000 > 700) await sleep(20);
    const cutoff = new Date().toISOString();
    await store.put(k, Buffer.from('put after the cut-off'), 'image/png');
    expect(await store.delete(k, { storedBefore: cutoff })).toBe(false);
    expect(await store.get(k)).toBeDefined();
  });

  it('makes no request for a string that is not a key', async () => {
    const sent: unknown[] = [];
    const recording = { send: async (command: unknown) => sent.push(command) } as unknown as S3Client;
    const store = s3BlobStore(settings, recording);
    expect(await store.get('../../other-bucket/secret.png')).toBeUndefined();
    expect(await store.get(`${'A'.repeat(64)}.png`)).toBeUndefined();
    await expect(store.put(`${'ab'.repeat(32)}.png/../x`, Buffer.from('x'), 'image/png')).rejects.toThrow(/not a blob key/);
    expect(sent).toEqual([]);
  });

  it('reports a bucket that is not there as an error, not as a missing image', async () => {
    const store = open({ ...settings, bucket: 'no-such-bucket' });
    await expect(store.get(key(1))).rejects.toMatchObject({ name: 'NoSuchBucket' });
    await expect(store.list({ limit: 1 })).rejects.toMatchObject({ name: 'NoSuchBucket' });
    await expect(store.put(key(1), Buffer.from('x'), 'image/png')).rejects.toMatchObject({ name: 'NoSuchBucket' });
  });
});

describe.each(engines)('IMAGE_STORE=s3 on %s', (engine) => {
  const PW = 'a password for s3 photos';
  let t: TestApp;
  let dataDir: string;
  let settings: S3Settings;
  const clock = new TestClock();

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'scholia-s3-site-'));
    // The images settings as the site reads them from its environment.
    const images = loadConfig({ ...localS3.env(`${engine}/images/`) }, '/tmp').images;
    if (images.store === 's3') settings = images.s3;
    t = await buildTestApp(engine, { clock, config: { dataDir, images } });
  });
  afterAll(async () => {
    await t?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('stores a photo attached on /ask in the bucket, and /images/:key serves it from there', async () => {
    const user = await createUser(t.database.db, { email: 'sky@example.org', name: 'Sky', password: PW });
    await grantComplimentary(t.database.db, user.id, '2027-12-31', clock);
    const c = new Client(t.app, '100.86.0.1');
    expect((await c.submit('/login', '/login', { email: 'sky@example.org', password: PW })).statusCode).toBe(303);

    const photo = await solid(900, 600, { colour: { r: 30, g: 120, b: 200 } })
      .jpeg()
      .toBuffer();
    const form = await postMultipart(
      t.app,
      c,
      '/ask',
      [
        ['_csrf', csrfOf(await c.get('/ask'))],
        ['title', 'Which of these shapes in my photo is a rhombus?'],
        ['details', 'The worksheet shows four shapes.'],
        ['subject', 'math'],
        ['step', 'edit'],
      ],
      [{ field: 'photos', filename: 'shapes.jpg', type: 'image/jpeg', bytes: photo }],
    );
    expect(form.statusCode, form.body.slice(0, 300)).toBe(200);
    const urls = [...new Set([...form.body.matchAll(/\/images\/([0-9a-f]{64}\.(?:webp|jpg))/g)].map((m) => m[1] as string))];
    // WebP and JPEG at 480 and 900 pixels wide.
    expect(urls).toHaveLength(4);

    // Each is an object under the site's prefix, and nowhere else: no file under DATA_DIR, no row in blobs.
    const store = s3BlobStore(settings);
    try {
      expect((await store.list({ limit: 100 })).map((b) => b.key).sort()).toEqual([...urls].sort());
    } finally {
      store.destroy();
    }
    expect(existsSync(path.join(dataDir, 'images'))).toBe(false);
    expect(await t.database.db.selectFrom('blobs').select('key').execute()).toEqual([]);

    for (const k of urls) {
      const res = await new Client(t.app).get(`/images/${k}`);
      expect(res.statusCode, k).toBe(200);
      expect(res.headers['content-type']).toBe(k.endsWith('.webp') ? 'image/webp' : 'image/jpeg');
      expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      const magic = k.endsWith('.webp') ? 'RIFF' : '\xff\xd8\xff';
      expect(res.rawPayload.subarray(0, magic.length).toString('latin1')).toBe(magic);
    }
    expect((await new Client(t.app).get(`/images/${'0'.repeat(64)}.webp`)).statusCode).toBe(404);
  });
});
