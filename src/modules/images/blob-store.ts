/**
 * Where the images' files live, behind one port so the site can keep them on its own disk (one server, or a shared
 * volume), in the database (several app servers on one PostgreSQL and no shared disk) or in an S3 bucket
 * (s3-blob-store.ts: AWS or an S3-compatible store).
 *
 * Keys name their content (blobKeyOf: the SHA-256 of the bytes, then an extension), so a key's bytes never change:
 * putting a key again writes nothing new, and an address built from a key can be cached for ever.
 */
export interface BlobStore {
  readonly kind: 'files' | 'database' | 's3';
  /**
   * Saves the bytes under `key`, whole or not at all. A key already there keeps its bytes; its stored time becomes
   * now, which tells a sweep running at the same moment that the blob is wanted again (see `delete`).
   */
  put(key: string, bytes: Uint8Array, contentType: string): Promise<void>;
  /** The bytes and their content type, or undefined when there is no such blob (or the key is not a key at all). */
  get(key: string): Promise<StoredBlob | undefined>;
  /**
   * Removes the blob; true when one was removed. With `storedBefore` (ISO time), only if it was not put at or after
   * that time: a sweep deleting blobs no image refers to passes its cut-off here, so a blob an upload has just put
   * again, and is about to refer to, is kept even if the sweep had listed it as unreferenced a moment before.
   */
  delete(key: string, options?: { readonly storedBefore?: string }): Promise<boolean>;
  /** Up to `limit` blobs in key order, starting after the key `after`: a sweep pages through every blob this way. */
  list(options: { readonly after?: string; readonly limit: number }): Promise<BlobEntry[]>;
  /**
   * Tidies what an interrupted write or delete may have left (the files adapter's temporary files), older than
   * `before`. Returns how many it tidied. Adapters whose writes cannot be interrupted half way have none.
   */
  tidy?(before: string): Promise<number>;
}

export interface StoredBlob {
  readonly bytes: Buffer;
  readonly contentType: string;
}

export interface BlobEntry {
  readonly key: string;
  /** Size in bytes. */
  readonly bytes: number;
  /** When it was last put (ISO-8601 UTC). */
  readonly storedAt: string;
}

/** A blob key: 64 hex digits of SHA-256, a dot, an extension. Nothing else reaches a file name or a query. */
export const BLOB_KEY = /^[0-9a-f]{64}\.[a-z0-9]{2,5}$/;

export function isBlobKey(key: string): boolean {
  return BLOB_KEY.test(key);
}

/** For a caller's mistake (a key or type the module never makes), not for anything a visitor can send. */
export function assertBlobKey(key: string): void {
  if (!isBlobKey(key)) throw new Error(`not a blob key: ${JSON.stringify(key.slice(0, 80))}`);
}
