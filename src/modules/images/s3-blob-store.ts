import { createHash } from 'node:crypto';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import type { S3Settings } from '../../config.ts';
import { assertBlobKey, type BlobEntry, type BlobStore, isBlobKey } from './blob-store.ts';

/*
 * Blobs as objects in an S3 bucket (AWS itself, or an S3-compatible store: MinIO, Cloudflare R2, Backblaze B2,
 * Ceph...): several app servers share the images without a shared disk and without blob rows in the database.
 * Each blob is one object, named S3_PREFIX + its key, flat: S3 partitions by key on its own, so the files store's
 * 256 subdirectories would buy nothing here.
 *
 * A PUT is whole or nothing: S3 makes an object visible only once all its bytes have arrived (and checks them
 * against the Content-MD5 sent with them), and an overwrite replaces the old object at once.
 */

// What a store answers when it keeps no content type (none of the common ones do that; kept so a blob is never served
// as application/octet-stream, which `nosniff` would make useless).
const TYPES: Record<string, string> = { webp: 'image/webp', jpg: 'image/jpeg', png: 'image/png', gif: 'image/gif' };

/** S3's LastModified counts whole seconds. */
const SECOND = 1000;

export interface S3BlobStore extends BlobStore {
  readonly kind: 's3';
  readonly bucket: string;
  readonly prefix: string;
  /** Closes the client's pooled connections (they do not keep the process alive, so this is for tests and tidiness). */
  destroy(): void;
}

/** Whether S3 answered that the object is not there (GET says NoSuchKey; HEAD, which has no body, only NotFound). */
function missing(err: unknown): boolean {
  const name = (err as { name?: string } | undefined)?.name;
  return name === 'NoSuchKey' || name === 'NotFound';
}

export function clientConfig(settings: S3Settings): S3ClientConfig {
  return {
    region: settings.region,
    ...(settings.endpoint === null ? {} : { endpoint: settings.endpoint }),
    forcePathStyle: settings.forcePathStyle,
    // Without keys the SDK's own chain decides: AWS_* variables, ~/.aws, an instance or container role.
    ...(settings.credentials === null ? {} : { credentials: { ...settings.credentials } }),
    // The SDK's default CRC32 checksum headers are refused by some S3-compatible stores; Content-MD5, which every
    // one of them checks, protects the upload instead (see put).
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // An image request waits on S3: a store that stops answering must not hold it (and its socket) for ever.
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000 },
    maxAttempts: 3,
  };
}

export function s3BlobStore(settings: S3Settings, client: S3Client = new S3Client(clientConfig(settings))): S3BlobStore {
  const { bucket: Bucket, prefix } = settings;
  const objectKey = (key: string) => `${prefix}${key}`;

  /** The object's last-modified time, or undefined when it is not there. */
  async function storedAt(key: string): Promise<Date | undefined> {
    try {
      const head = await client.send(new HeadObjectCommand({ Bucket, Key: objectKey(key) }));
      return head.LastModified ?? new Date(0);
    } catch (err) {
      if (missing(err)) return undefined;
      throw err;
    }
  }

  return {
    kind: 's3',
    bucket: Bucket,
    prefix,

    // A key put again is PUT again, bytes and all, rather than copied onto itself to move its time
    // (CopyObject with MetadataDirective REPLACE): one request whether or not the object exists, where a copy would
    // need a PUT anyway for a new key (the common case, since keys name new content), and the bytes are a variant of
    // tens to hundreds of kilobytes. The new object has the same bytes and a new LastModified, which is what the
    // port asks for. (On a bucket with versioning, each put keeps an old version: leave versioning off, or expire
    // noncurrent versions with a lifecycle rule.)
    async put(key, bytes, contentType) {
      assertBlobKey(key);
      const body = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
      await client.send(
        new PutObjectCommand({
          Bucket,
          Key: objectKey(key),
          Body: body,
          ContentLength: body.length,
          ContentType: contentType,
          ContentMD5: createHash('md5').update(body).digest('base64'),
        }),
      );
    },

    async get(key) {
      if (!isBlobKey(key)) return undefined;
      try {
        const out = await client.send(new GetObjectCommand({ Bucket, Key: objectKey(key) }));
        if (out.Body === undefined) return undefined;
        const read = await out.Body.transformToByteArray();
        const contentType = out.ContentType ?? TYPES[key.slice(key.lastIndexOf('.') + 1)] ?? 'application/octet-stream';
        return { bytes: Buffer.from(read.buffer, read.byteOffset, read.byteLength), contentType };
      } catch (err) {
        if (missing(err)) return undefined;
        throw err;
      }
    },

    async delete(key, options = {}) {
      assertBlobKey(key);
      // S3 answers 204 to a DELETE whether or not there was an object, so a HEAD says whether there is one to remove.
      const modified = await storedAt(key);
      if (modified === undefined) return false;
      // LastModified has whole seconds: a put at 12:00:00.700 reads as 12:00:00 (or 12:00:01 on a store that rounds).
      // Only an object last modified a whole second before the cut-off was surely put before it; one within that
      // second is kept, and the next sweep takes it.
      if (options.storedBefore !== undefined && modified.getTime() + SECOND > Date.parse(options.storedBefore)) return false;
      // The gap: a put of this key landing between the HEAD above and this DELETE is deleted with the old object, and
      // the image that upload is recording would miss that variant (it answers 404). S3 has no delete conditional on
      // the time (If-Match on DeleteObject compares ETags, and a key put again has the same bytes, so the same ETag),
      // so this cannot be closed here. It needs a blob that no live image uses, last stored before the sweep's
      // cut-off (hours ago), to be uploaded again, byte for byte, within the one round trip between the two requests.
      await client.send(new DeleteObjectCommand({ Bucket, Key: objectKey(key) }));
      return true;
    },

    async list({ after = '', limit }) {
      const out: BlobEntry[] = [];
      // S3 lists keys in the order of their UTF-8 bytes, which for blob keys (hex digits, a dot, lower-case letters)
      // is the order of JavaScript's string comparison that the other stores use. Objects that are not blobs (in a
      // bucket shared with something else) are skipped, and the listing goes on after them.
      let startAfter = objectKey(after);
      while (out.length < limit) {
        const page = await client.send(
          new ListObjectsV2Command({
            Bucket,
            ...(prefix === '' ? {} : { Prefix: prefix }),
            ...(startAfter === '' ? {} : { StartAfter: startAfter }),
            MaxKeys: Math.min(1000, limit - out.length),
          }),
        );
        const objects = page.Contents ?? [];
        for (const object of objects) {
          const key = object.Key?.slice(prefix.length) ?? '';
          if (!isBlobKey(key)) continue;
          out.push({ key, bytes: object.Size ?? 0, storedAt: (object.LastModified ?? new Date(0)).toISOString() });
        }
        const last = objects.at(-1)?.Key;
        if (!page.IsTruncated || last === undefined) break;
        startAfter = last;
      }
      return out;
    },

    destroy() {
      client.destroy();
    },
  };
}
