import path from 'node:path';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';
import { type Clock, isoNow } from '../../lib/time.ts';
import * as blobRepo from './blob.repository.ts';
import { type BlobStore, isBlobKey } from './blob-store.ts';
import { encodeImage } from './encode.ts';
import { fileBlobStore } from './file-blob-store.ts';
import * as repo from './image.repository.ts';
import { blobKeyOf, contentTypeOf, type ImageLimits, type ImageVariant, refuse, type StoredImage, sha256Hex } from './image.ts';
import type { TaskSlots } from './slots.ts';

type Db = Kysely<Database>;

export interface ImageDeps {
  readonly db: Db;
  readonly blobs: BlobStore;
  readonly limits: ImageLimits;
  readonly clock: Clock;
  /** Decodes at once in this process (see slots.ts); without it, as many as are asked for. */
  readonly decoding?: TaskSlots;
}

export type BlobStoreKind = BlobStore['kind'];

/** The BlobStore IMAGE_STORE names: files under DATA_DIR/images, or the database's `blobs` table. */
export function createBlobStore(settings: { readonly store: BlobStoreKind; readonly dataDir: string }, db: Db, clock?: Clock): BlobStore {
  return settings.store === 'database' ? blobRepo.databaseBlobStore(db, clock) : fileBlobStore(path.join(settings.dataDir, 'images'));
}

/**
 * Takes an upload: checks it by its content, makes its variants (encode.ts), stores them and records the image.
 * The same owner sending the same bytes again gets the image already made, without decoding anything.
 * Throws ImageRefused (an InputError) with a message for the person when the upload is not taken.
 *
 * The blobs are stored before the row that refers to them is committed, so a reader never finds an image whose
 * files are missing; a failure in between leaves blobs no image uses, which `sweepBlobs` removes later.
 */
export async function storeImage(
  deps: ImageDeps,
  input: { readonly bytes: Uint8Array; readonly ownerId: number | null },
): Promise<StoredImage> {
  const { bytes, ownerId } = input;
  if (bytes.length > deps.limits.maxBytes) throw refuse.tooLarge(bytes.length, deps.limits);
  const sourceHash = sha256Hex(bytes);
  if (ownerId !== null) {
    const kept = await repo.findLiveImageBySource(deps.db, ownerId, sourceHash);
    if (kept) return kept;
  }
  const encode = () => encodeImage(bytes, deps.limits);
  const encoded = await (deps.decoding ? deps.decoding.run(encode) : encode());
  const variants: ImageVariant[] = await Promise.all(
    encoded.variants.map(async (v) => {
      const key = blobKeyOf(v.data, v.format);
      await deps.blobs.put(key, v.data, contentTypeOf(v.format));
      return { format: v.format, width: v.width, height: v.height, key, bytes: v.data.length };
    }),
  );
  const createdAt = isoNow(deps.clock);
  const id = await repo.insertImage(deps.db, {
    ownerId,
    sourceHash,
    width: encoded.width,
    height: encoded.height,
    hasAlpha: encoded.hasAlpha,
    createdAt,
    variants,
  });
  // A request with the same upload won the race to insert: answer with its image, as a repeated upload would get.
  const stored =
    id !== undefined
      ? await repo.findImageById(deps.db, id)
      : ownerId !== null
        ? await repo.findLiveImageBySource(deps.db, ownerId, sourceHash)
        : undefined;
  if (!stored) throw new Error(`image ${id ?? sourceHash} vanished right after it was stored`);
  return stored;
}

/**
 * Of these image ids, the live images `ownerId` uploaded, in the order given (each once). A form carries its
 * uploads as ids between requests; only the person's own survive this, so nobody can attach another's image.
 */
export async function findOwnedImages(deps: Pick<ImageDeps, 'db'>, ownerId: number, ids: readonly number[]): Promise<StoredImage[]> {
  const wanted = [...new Set(ids)];
  if (wanted.length === 0) return [];
  const found = new Map((await repo.findLiveImagesOwnedBy(deps.db, ownerId, wanted)).map((i) => [i.id, i]));
  return wanted.flatMap((id) => found.get(id) ?? []);
}

/** An image, removed ones included (their `removedAt` is set: pages answer 410 for them). */
export function findImage(deps: Pick<ImageDeps, 'db'>, id: number): Promise<StoredImage | undefined> {
  return repo.findImageById(deps.db, id);
}

/**
 * Takes an image down (an editor's decision, or the clean-up of unused images): its addresses answer 410 from now
 * on, and `sweepBlobs` deletes its files once no live image shares them. False when it was not there or already
 * removed.
 */
export function markRemoved(
  deps: Pick<ImageDeps, 'db' | 'clock'>,
  input: { readonly id: number; readonly by: number | null },
): Promise<boolean> {
  return repo.markImageRemoved(deps.db, input.id, input.by, isoNow(deps.clock));
}

/**
 * Live images created before `createdBefore`, a page at a time by id (pass the last id as `afterId`). What refers
 * to images (questions, answers, guides) lives in other modules, so the clean-up command asks them which of these
 * are still used and calls `markRemoved` for the rest; the cut-off keeps an upload whose question is still being
 * written out of the list.
 */
export function listUnusedCandidates(
  deps: Pick<ImageDeps, 'db'>,
  opts: { readonly createdBefore: string; readonly afterId?: number; readonly limit?: number },
): Promise<StoredImage[]> {
  return repo.listLiveImagesCreatedBefore(deps.db, {
    createdBefore: opts.createdBefore,
    afterId: opts.afterId ?? 0,
    limit: opts.limit ?? 500,
  });
}

export interface SweepProgress {
  /** Blobs looked at so far. */
  readonly checked: number;
  /** Of those, deleted. */
  readonly deleted: number;
}

/**
 * Deletes the blobs no live image uses (those of removed images, and those an upload stored and then failed to
 * record) that were last stored before `storedBefore`. The cut-off spares uploads in flight: their blobs are stored
 * before their image row is committed. Safe to run while the site takes uploads, and in several processes at once.
 */
export async function sweepBlobs(
  deps: Pick<ImageDeps, 'db' | 'blobs'>,
  opts: { readonly storedBefore: string; readonly pageSize?: number; readonly onProgress?: (p: SweepProgress) => void },
): Promise<SweepProgress & { readonly tidied: number }> {
  const pageSize = opts.pageSize ?? 500;
  let checked = 0;
  let deleted = 0;
  let after: string | undefined;
  for (;;) {
    const page = await deps.blobs.list({ ...(after === undefined ? {} : { after }), limit: pageSize });
    if (page.length === 0) break;
    const live = await repo.liveBlobKeys(
      deps.db,
      page.map((b) => b.key),
    );
    for (const blob of page) {
      if (live.has(blob.key) || blob.storedAt >= opts.storedBefore) continue;
      if (await deps.blobs.delete(blob.key, { storedBefore: opts.storedBefore })) deleted++;
    }
    checked += page.length;
    opts.onProgress?.({ checked, deleted });
    after = page.at(-1)!.key;
    if (page.length < pageSize) break;
  }
  const tidied = deps.blobs.tidy ? await deps.blobs.tidy(opts.storedBefore) : 0;
  return { checked, deleted, tidied };
}

export type OpenedVariant =
  | { readonly kind: 'found'; readonly bytes: Buffer; readonly contentType: string }
  /** Every image using it was removed: 410. */
  | { readonly kind: 'removed' }
  /** No image uses such a key, or its file is gone: 404. */
  | { readonly kind: 'missing' };

/** Whether a key is a live image's variant, only removed images', or no image's (also for a malformed key). */
export async function variantState(deps: Pick<ImageDeps, 'db'>, key: string): Promise<'live' | 'removed' | 'missing'> {
  if (!isBlobKey(key)) return 'missing';
  return (await repo.blobKeyState(deps.db, key)) ?? 'missing';
}

/**
 * A variant's file for the serving route, by its key as it appears in the address (checked here, so the route may
 * pass what it was given). Only a key some image uses is served: a stray blob is not a public file.
 */
export async function openVariant(deps: Pick<ImageDeps, 'db' | 'blobs'>, key: string): Promise<OpenedVariant> {
  if (!isBlobKey(key)) return { kind: 'missing' };
  const state = await repo.blobKeyState(deps.db, key);
  if (state === undefined) return { kind: 'missing' };
  if (state === 'removed') return { kind: 'removed' };
  const blob = await deps.blobs.get(key);
  return blob ? { kind: 'found', bytes: blob.bytes, contentType: blob.contentType } : { kind: 'missing' };
}
