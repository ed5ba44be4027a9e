import { createHash } from 'node:crypto';
import type { BlobStore, StoredBlob } from '../images/index.ts';

/** Every file of an image store, in key order, a page of keys at a time. A file deleted meanwhile is passed over. */
export async function* everyBlob(store: BlobStore): AsyncGenerator<StoredBlob & { readonly key: string }> {
  let after = '';
  for (;;) {
    const page = await store.list({ after, limit: 100 });
    for (const entry of page) {
      const blob = await store.get(entry.key);
      if (blob) yield { key: entry.key, ...blob };
    }
    if (page.length < 100) return;
    after = (page[page.length - 1] as { key: string }).key;
  }
}

/** Keys name their bytes (the SHA-256, then an extension): a file whose bytes do not hash to its key is damaged. */
export function blobMatchesKey(key: string, bytes: Uint8Array): boolean {
  return createHash('sha256').update(bytes).digest('hex') === key.slice(0, key.indexOf('.'));
}

/** The digest of a set of image files, from their keys and sizes (a key already names the content). */
export function imageEntry(key: string, size: number): string {
  return `${key}:${size}`;
}
