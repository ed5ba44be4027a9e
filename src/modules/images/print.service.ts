import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { BlobStore } from './blob-store.ts';
import * as repo from './image.repository.ts';
import type { StoredImage } from './image.ts';

/** An image as a PDF embeds it: a JPEG or PNG file (PDF has no WebP) and its size in pixels. */
export interface PrintImage {
  readonly bytes: Buffer;
  readonly width: number;
  readonly height: number;
}

/**
 * Width a printed image is read at: a page's text column (6.5 inches) at about 150 dots an inch, which keeps a
 * diagram's lines and labels sharp on paper and a guide's PDF a few megabytes at most.
 */
export const PRINT_WIDTH = 960;

/** The narrowest JPEG or PNG variant at least `width` wide, or the widest there is. */
function printVariant(image: StoredImage, width: number) {
  const fallback = image.variants.filter((v) => v.format !== 'webp').sort((a, b) => a.width - b.width);
  return fallback.find((v) => v.width >= width) ?? fallback.at(-1);
}

/**
 * The files to print of the images these ids name: for each live image, its PrintImage, or null when its file
 * cannot be read (missing from the store, or the store did not answer), so the page can say what was there. Removed
 * and unknown images are not in the map: they are left out, as pages leave them out.
 */
export async function printableImages(
  deps: { readonly db: Kysely<Database>; readonly blobs: BlobStore },
  ids: readonly number[],
  width = PRINT_WIDTH,
): Promise<Map<number, PrintImage | null>> {
  const images = await repo.findLiveImages(deps.db, [...new Set(ids)]);
  const out = new Map<number, PrintImage | null>();
  // A few at a time: a guide may place dozens, and a store in another building answers each in tens of milliseconds.
  for (let i = 0; i < images.length; i += 6) {
    await Promise.all(
      images.slice(i, i + 6).map(async (image) => {
        const variant = printVariant(image, width);
        const blob = variant ? await deps.blobs.get(variant.key).catch(() => undefined) : undefined;
        out.set(image.id, blob && variant ? { bytes: blob.bytes, width: variant.width, height: variant.height } : null);
      }),
    );
  }
  return out;
}
