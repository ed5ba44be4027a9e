import path from 'node:path';
import type { Kysely } from 'kysely';
import type { Config, ImageStoreSettings } from '../../config.ts';
import type { Database, ImageUseKind } from '../../db/database.ts';
import { type PictureLookup, PLACED_IMAGE, placedImageIds } from '../../lib/markdown.ts';
import { type Clock, isoNow } from '../../lib/time.ts';
import * as blobRepo from './blob.repository.ts';
import { type BlobStore, isBlobKey } from './blob-store.ts';
import { encodeImage } from './encode.ts';
import { fileBlobStore } from './file-blob-store.ts';
import type { ImageUse } from './image.repository.ts';
import * as repo from './image.repository.ts';
import { s3BlobStore } from './s3-blob-store.ts';

export type { ImageUse } from './image.repository.ts';

import { blobKeyOf, contentTypeOf, type ImageLimits, type ImageVariant, refuse, type StoredImage, sha256Hex } from './image.ts';
import type { TaskSlots } from './slots.ts';
import { placedPictureHtml } from './views/picture.tsx';

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

/** The BlobStore IMAGE_STORE names: files under DATA_DIR/images, the database's `blobs` table, or an S3 bucket. */
export function createBlobStore(settings: ImageStoreSettings & { readonly dataDir: string }, db: Db, clock?: Clock): BlobStore {
  if (settings.store === 's3') return s3BlobStore(settings.s3);
  return settings.store === 'database' ? blobRepo.databaseBlobStore(db, clock) : fileBlobStore(path.join(settings.dataDir, 'images'));
}

/** The site's own BlobStore: where its settings (IMAGE_STORE, DATA_DIR) say its images are kept. */
export function siteBlobStore(config: Pick<Config, 'images' | 'dataDir'>, db: Db, clock?: Clock): BlobStore {
  return createBlobStore({ ...config.images, dataDir: config.dataDir }, db, clock);
}

/**
 * What storing and placing images needs, from what the process holds: its database, settings and clock, its one
 * BlobStore and, in the web process, the slots uploads take turns in to be decoded. A RouteContext is such a holder.
 */
export function imageDeps(holder: {
  readonly database: { readonly db: Db };
  readonly config: Pick<Config, 'images'>;
  readonly clock: Clock;
  readonly images: { readonly blobs: BlobStore; readonly decoding?: TaskSlots };
}): ImageDeps {
  const { blobs, decoding } = holder.images;
  return { db: holder.database.db, blobs, limits: holder.config.images, clock: holder.clock, ...(decoding ? { decoding } : {}) };
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

/** These images, removed ones included, by id (each once): one query for a whole list, not one per image. */
export async function findImages(deps: Pick<ImageDeps, 'db'>, ids: readonly number[]): Promise<Map<number, StoredImage>> {
  const wanted = [...new Set(ids)];
  return new Map((await repo.findImagesByIds(deps.db, wanted)).map((i) => [i.id, i]));
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
  opts: {
    readonly storedBefore: string;
    readonly pageSize?: number;
    readonly onProgress?: (p: SweepProgress) => void;
    /** Stops after the page in hand (each delete is whole; the rest waits for the next sweep). */
    readonly signal?: AbortSignal;
  },
): Promise<SweepProgress & { readonly tidied: number }> {
  const pageSize = opts.pageSize ?? 500;
  let checked = 0;
  let deleted = 0;
  let after: string | undefined;
  while (opts.signal?.aborted !== true) {
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

/** Images a text may place at most: a long guide section with a diagram per step stays well inside it. */
export const MAX_PLACED_IMAGES = 20;
/** Characters of an image's description (its alt text). */
export const MAX_ALT_CHARS = 300;

/** What a saved text places: the ids to record as its uses, and the markup renderMarkdown writes for each. */
export interface PlacedImages {
  readonly ids: readonly number[];
  readonly pictures: PictureLookup;
}

function lookupOf(images: readonly StoredImage[]): PictureLookup {
  const byId = new Map(images.map((i) => [i.id, i]));
  return (id, alt) => {
    const image = byId.get(id);
    return image ? placedPictureHtml(image, alt) : undefined;
  };
}

/**
 * Checks the images an author places in a text (`![description](image:ID)`) before it is saved: each must be a live
 * image they uploaded (editors and admins may place anyone's), described in words for readers who cannot see it;
 * images from other sites are not shown at all, so the author is told rather than left wondering. Returns the
 * messages for the form, or what to render the text with.
 */
export async function placeImages(
  deps: Pick<ImageDeps, 'db'>,
  markdown: string,
  actor: { readonly userId: number; readonly mayPlaceAnyImage: boolean },
): Promise<{ readonly issues: string[] } | { readonly placed: PlacedImages }> {
  const issues: string[] = [];
  const placements = [...markdown.matchAll(PLACED_IMAGE)].map((m) => ({ alt: (m[1] ?? '').trim(), id: Number(m[2]) }));
  const ids = [...new Set(placements.map((p) => p.id))];
  if (ids.length > MAX_PLACED_IMAGES) issues.push(`Place at most ${MAX_PLACED_IMAGES} images in one text (this one has ${ids.length}).`);
  for (const p of placements) {
    if (p.alt === '')
      issues.push(
        `Describe image ${p.id} in words between the square brackets, e.g. ![A right triangle with sides 3, 4 and 5](image:${p.id}): it is what readers who cannot see the image hear.`,
      );
    else if (p.alt.length > MAX_ALT_CHARS) issues.push(`Keep the description of image ${p.id} under ${MAX_ALT_CHARS} characters.`);
  }
  const found = await repo.findLiveImages(deps.db, ids.slice(0, MAX_PLACED_IMAGES));
  const usable = found.filter((i) => actor.mayPlaceAnyImage || i.ownerId === actor.userId);
  const usableIds = new Set(usable.map((i) => i.id));
  for (const id of ids.slice(0, MAX_PLACED_IMAGES))
    if (!usableIds.has(id))
      issues.push(
        `There is no image ${id} among your images (or it was removed). Upload it on “Your images” and paste the line it gives you.`,
      );
  if (/!\[[^\]\n]*\]\((?!image:\d)[^)\s]/.test(markdown))
    issues.push('Images from other sites are not shown. Upload the image on “Your images” and place it as ![description](image:ID).');
  if (issues.length > 0) return { issues: [...new Set(issues)] };
  return { placed: { ids, pictures: lookupOf(usable) } };
}

/**
 * The pictures of the live images a stored text places, for rendering it again (an upgrade, an import, an image
 * taken down): no check of who placed them, that was done when the text was saved.
 */
export async function picturesFor(deps: Pick<ImageDeps, 'db'>, markdown: string): Promise<PlacedImages> {
  const ids = placedImageIds(markdown);
  return { ids, pictures: lookupOf(await repo.findLiveImages(deps.db, ids)) };
}

/** Records the images a saved text places (call in the transaction that saves it). */
export function recordImageUses(db: Db, kind: ImageUseKind, contentId: number, ids: readonly number[]): Promise<void> {
  return repo.setImageUses(db, kind, contentId, ids);
}

/** Where these images are shown (texts placing them, questions they are attached to). */
export function findImageUses(deps: Pick<ImageDeps, 'db'>, imageIds: readonly number[]): Promise<ImageUse[]> {
  return repo.findImageUses(deps.db, imageIds);
}

/**
 * Who may fetch a variant's file. An image is free when some place that shows it is free: a question's photo, a
 * guide's overview, a free guide section, an expert answer's opening that non-members read (`isFree` asks the
 * paywall whether the preview keeps it), or nowhere yet (an upload its author is about to place: its address is
 * known only to them). An image shown only in members-only parts is for readers with full access. 'gone' when no
 * live image uses the key (only removed ones, or none: openVariant tells which), so a browser's "is my copy still
 * good?" needs this one answer.
 */
export async function imageAccess(
  deps: Pick<ImageDeps, 'db'>,
  key: string,
  isFree: (use: ImageUse) => Promise<boolean>,
): Promise<'free' | 'members' | 'gone'> {
  if (!isBlobKey(key)) return 'gone';
  const ids = await repo.liveImageIdsOfKey(deps.db, key);
  if (ids.length === 0) return 'gone';
  const uses = await repo.findImageUses(deps.db, ids);
  if (ids.some((id) => !uses.some((u) => u.imageId === id))) return 'free';
  // A profile photo is public, even when the same upload is also placed in a members-only part.
  if ((await repo.findProfilePhotoUses(deps.db, ids)).length > 0) return 'free';
  for (const use of uses) if (await isFree(use)) return 'free';
  return 'members';
}

/** Images shown on "Your images" at most (the newest). */
export const LIBRARY_SHOWN = 60;

/**
 * The author's newest images and how often each is used, for "Your images": placed in a text, attached to a question,
 * or the photo on a profile (which the clean-up of unused images keeps as well).
 */
export async function listLibrary(deps: Pick<ImageDeps, 'db'>, ownerId: number): Promise<Array<{ image: StoredImage; uses: number }>> {
  const images = await repo.listLiveImagesOwnedBy(deps.db, ownerId, LIBRARY_SHOWN);
  const ids = images.map((i) => i.id);
  const [uses, photos] = await Promise.all([repo.findImageUses(deps.db, ids), repo.findProfilePhotoUses(deps.db, ids)]);
  const count = (id: number) => uses.filter((u) => u.imageId === id).length + photos.filter((p) => p.imageId === id).length;
  return images.map((image) => ({ image, uses: count(image.id) }));
}

/** Images the export of a person's data lists at most (the newest): far more than anyone uploads. */
export const EXPORTED_IMAGES = 10_000;

/** The person's live uploads, newest first, for the export of their data (their profile photo and question photos among them). */
export function listOwnImages(deps: Pick<ImageDeps, 'db'>, ownerId: number): Promise<StoredImage[]> {
  return repo.listLiveImagesOwnedBy(deps.db, ownerId, EXPORTED_IMAGES);
}

/** The live images a text places (an expert answer: kind 'answer', the question's id). */
export function findImagesPlacedIn(deps: Pick<ImageDeps, 'db'>, kind: ImageUseKind, contentId: number): Promise<StoredImage[]> {
  return repo.findImagesPlacedIn(deps.db, kind, contentId);
}
