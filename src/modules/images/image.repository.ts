import type { Kysely, Selectable } from 'kysely';
import type { Database, ImagesTable, ImageUseKind, ImageVariantsTable } from '../../db/database.ts';
import type { ImageVariant, StoredImage } from './image.ts';

type Db = Kysely<Database>;

const FORMAT_ORDER: Record<ImageVariant['format'], number> = { webp: 0, jpeg: 1, png: 1 };

function toVariant(r: Pick<Selectable<ImageVariantsTable>, 'format' | 'width' | 'height' | 'blob_key' | 'bytes'>): ImageVariant {
  return { format: r.format, width: Number(r.width), height: Number(r.height), key: r.blob_key, bytes: Number(r.bytes) };
}

function toImage(r: Selectable<ImagesTable>, variants: readonly ImageVariant[]): StoredImage {
  return {
    id: Number(r.id),
    ownerId: r.owner_id === null ? null : Number(r.owner_id),
    sourceHash: r.source_hash,
    width: Number(r.width),
    height: Number(r.height),
    hasAlpha: Number(r.has_alpha) === 1,
    variants: [...variants].sort((a, b) => FORMAT_ORDER[a.format] - FORMAT_ORDER[b.format] || a.width - b.width),
    createdAt: r.created_at,
    removedAt: r.removed_at,
  };
}

const imageColumns = ['id', 'owner_id', 'source_hash', 'width', 'height', 'has_alpha', 'created_at', 'removed_at', 'removed_by'] as const;

/** The images' rows with their variants, in the order of `rows`. */
async function withVariants(db: Db, rows: Selectable<ImagesTable>[]): Promise<StoredImage[]> {
  if (rows.length === 0) return [];
  const variants = await db
    .selectFrom('image_variants')
    .select(['image_id', 'format', 'width', 'height', 'blob_key', 'bytes'])
    .where(
      'image_id',
      'in',
      rows.map((r) => r.id),
    )
    .execute();
  const byImage = new Map<number, ImageVariant[]>();
  for (const v of variants) {
    const id = Number(v.image_id);
    byImage.set(id, [...(byImage.get(id) ?? []), toVariant(v)]);
  }
  return rows.map((r) => toImage(r, byImage.get(Number(r.id)) ?? []));
}

export async function findImageById(db: Db, id: number): Promise<StoredImage | undefined> {
  const row = await db.selectFrom('images').select(imageColumns).where('id', '=', id).executeTakeFirst();
  return row ? (await withVariants(db, [row]))[0] : undefined;
}

/** These images, removed ones included, with their variants (in no particular order; ids not found are left out). */
export async function findImagesByIds(db: Db, ids: readonly number[]): Promise<StoredImage[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('images')
    .select(imageColumns)
    .where('id', 'in', [...ids])
    .execute();
  return withVariants(db, rows);
}

/** The owner's image, not removed, made from an upload with these bytes. */
export async function findLiveImageBySource(db: Db, ownerId: number, sourceHash: string): Promise<StoredImage | undefined> {
  const row = await db
    .selectFrom('images')
    .select(imageColumns)
    .where('owner_id', '=', ownerId)
    .where('source_hash', '=', sourceHash)
    .where('removed_at', 'is', null)
    .executeTakeFirst();
  return row ? (await withVariants(db, [row]))[0] : undefined;
}

/** Those of `ids` that are `ownerId`'s and not removed, with their variants (in no particular order). */
export async function findLiveImagesOwnedBy(db: Db, ownerId: number, ids: readonly number[]): Promise<StoredImage[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('images')
    .select(imageColumns)
    .where('id', 'in', [...ids])
    .where('owner_id', '=', ownerId)
    .where('removed_at', 'is', null)
    .execute();
  return withVariants(db, rows);
}

export interface NewImage {
  readonly ownerId: number | null;
  readonly sourceHash: string;
  readonly width: number;
  readonly height: number;
  readonly hasAlpha: boolean;
  readonly createdAt: string;
  readonly variants: readonly ImageVariant[];
}

/**
 * Saves an image and its variants in one transaction. Undefined when the owner already has a live image of the same
 * upload (saved meanwhile by a request racing this one): the caller reads that one instead.
 */
export async function insertImage(db: Db, image: NewImage): Promise<number | undefined> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('images')
      .values({
        owner_id: image.ownerId,
        source_hash: image.sourceHash,
        width: image.width,
        height: image.height,
        has_alpha: image.hasAlpha ? 1 : 0,
        created_at: image.createdAt,
      })
      // The target names the partial unique index (images_owner_source_live_unique), predicate included.
      .onConflict((oc) => oc.columns(['owner_id', 'source_hash']).where('removed_at', 'is', null).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!row) return undefined;
    const id = Number(row.id);
    await trx
      .insertInto('image_variants')
      .values(
        image.variants.map((v) => ({ image_id: id, format: v.format, width: v.width, height: v.height, blob_key: v.key, bytes: v.bytes })),
      )
      .execute();
    return id;
  });
}

/** Marks a live image removed; false when there is no such image or it was removed already. */
export async function markImageRemoved(db: Db, id: number, by: number | null, at: string): Promise<boolean> {
  const result = await db
    .updateTable('images')
    .set({ removed_at: at, removed_by: by })
    .where('id', '=', id)
    .where('removed_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Live images created before `createdBefore`, by id after `afterId`: pages of what a clean-up looks through. */
export async function listLiveImagesCreatedBefore(
  db: Db,
  opts: { createdBefore: string; afterId: number; limit: number },
): Promise<StoredImage[]> {
  const rows = await db
    .selectFrom('images')
    .select(imageColumns)
    .where('removed_at', 'is', null)
    .where('created_at', '<', opts.createdBefore)
    .where('id', '>', opts.afterId)
    .orderBy('id')
    .limit(opts.limit)
    .execute();
  return withVariants(db, rows);
}

/** Of these blob keys, those a live image's variant uses. */
export async function liveBlobKeys(db: Db, keys: readonly string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const rows = await db
    .selectFrom('image_variants as v')
    .innerJoin('images as i', 'i.id', 'v.image_id')
    .select('v.blob_key')
    .distinct()
    .where('v.blob_key', 'in', [...keys])
    .where('i.removed_at', 'is', null)
    .execute();
  return new Set(rows.map((r) => r.blob_key));
}

/** Whether a blob key belongs to a live image ('live'), only to removed ones ('removed'), or to none. */
export async function blobKeyState(db: Db, key: string): Promise<'live' | 'removed' | undefined> {
  const rows = await db
    .selectFrom('image_variants as v')
    .innerJoin('images as i', 'i.id', 'v.image_id')
    .select('i.removed_at')
    .where('v.blob_key', '=', key)
    .execute();
  if (rows.length === 0) return undefined;
  return rows.some((r) => r.removed_at === null) ? 'live' : 'removed';
}

/** Of these ids, the images not removed (any owner's), in no particular order. */
export async function findLiveImages(db: Db, ids: readonly number[]): Promise<StoredImage[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom('images').select(imageColumns).where('id', 'in', ids).where('removed_at', 'is', null).execute();
  return withVariants(db, rows);
}

/** Records which images a text places, replacing what its previous version placed. */
export async function setImageUses(db: Db, kind: ImageUseKind, contentId: number, imageIds: readonly number[]): Promise<void> {
  await db.deleteFrom('image_uses').where('kind', '=', kind).where('content_id', '=', contentId).execute();
  if (imageIds.length === 0) return;
  await db
    .insertInto('image_uses')
    .values([...new Set(imageIds)].map((imageId) => ({ kind, content_id: contentId, image_id: imageId })))
    .execute();
}

export interface ImageUse {
  readonly kind: ImageUseKind | 'question';
  readonly contentId: number;
  readonly imageId: number;
}

/** Every place these images are shown: placed in texts, and attached to questions as photos. */
export async function findImageUses(db: Db, imageIds: readonly number[]): Promise<ImageUse[]> {
  if (imageIds.length === 0) return [];
  const [placed, photos] = await Promise.all([
    db.selectFrom('image_uses').select(['kind', 'content_id', 'image_id']).where('image_id', 'in', imageIds).execute(),
    db.selectFrom('question_images').select(['question_id', 'image_id']).where('image_id', 'in', imageIds).execute(),
  ]);
  return [
    ...placed.map((r) => ({ kind: r.kind, contentId: Number(r.content_id), imageId: Number(r.image_id) })),
    ...photos.map((r) => ({ kind: 'question' as const, contentId: Number(r.question_id), imageId: Number(r.image_id) })),
  ];
}

/**
 * The profiles that show these images as their photo (users.photo_image_id), one row a person; a deleted account's
 * is no use, as its profile is gone.
 */
export async function findProfilePhotoUses(db: Db, imageIds: readonly number[]): Promise<Array<{ userId: number; imageId: number }>> {
  if (imageIds.length === 0) return [];
  const rows = await db
    .selectFrom('users')
    .select(['id', 'photo_image_id'])
    .where('photo_image_id', 'in', [...imageIds])
    .where('deleted_at', 'is', null)
    .execute();
  return rows.map((r) => ({ userId: Number(r.id), imageId: Number(r.photo_image_id) }));
}

/** The live images that use a variant's file (several owners may upload the same bytes). */
export async function liveImageIdsOfKey(db: Db, key: string): Promise<number[]> {
  const rows = await db
    .selectFrom('image_variants as v')
    .innerJoin('images as i', 'i.id', 'v.image_id')
    .select('i.id')
    .where('v.blob_key', '=', key)
    .where('i.removed_at', 'is', null)
    .execute();
  return rows.map((r) => Number(r.id));
}

/** Whether an image is used anywhere: placed in a text, or attached to a question. */
export async function isImageUsed(db: Db, imageId: number): Promise<boolean> {
  return (await findImageUses(db, [imageId])).length > 0;
}

/** An owner's live images, newest first. */
export async function listLiveImagesOwnedBy(db: Db, ownerId: number, limit: number): Promise<StoredImage[]> {
  const rows = await db
    .selectFrom('images')
    .select(imageColumns)
    .where('owner_id', '=', ownerId)
    .where('removed_at', 'is', null)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return withVariants(db, rows);
}

/** The live images one text places, by id. */
export async function findImagesPlacedIn(db: Db, kind: ImageUseKind, contentId: number): Promise<StoredImage[]> {
  const rows = await db
    .selectFrom('image_uses as u')
    .innerJoin('images as i', 'i.id', 'u.image_id')
    .select(imageColumns.map((c) => `i.${c}` as const))
    .where('u.kind', '=', kind)
    .where('u.content_id', '=', contentId)
    .where('i.removed_at', 'is', null)
    .orderBy('i.id')
    .execute();
  return withVariants(db, rows);
}
