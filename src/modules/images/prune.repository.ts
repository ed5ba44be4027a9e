import type { ExpressionBuilder, Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';

type Db = Kysely<Database>;

// The SQL of the clean-up of unused images (prune.service.ts).

/** Live images created before the cut-off: the most the clean-up will look through. */
export async function countLiveImagesCreatedBefore(db: Db, createdBefore: string): Promise<number> {
  const row = await db
    .selectFrom('images')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('removed_at', 'is', null)
    .where('created_at', '<', createdBefore)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Whether nothing uses the image: placed in no text, attached to no question, the photo on no live person's profile
 * (a deleted account's photo was cleared with the rest of it; one left behind shows nowhere). The one test both the
 * removal and the dry run's count make.
 */
function isUnused(eb: ExpressionBuilder<Database, 'images'>) {
  return eb.and([
    eb.not(eb.exists(eb.selectFrom('image_uses as u').select('u.image_id').whereRef('u.image_id', '=', 'images.id'))),
    eb.not(eb.exists(eb.selectFrom('question_images as q').select('q.image_id').whereRef('q.image_id', '=', 'images.id'))),
    eb.not(
      eb.exists(
        eb
          .selectFrom('users as p')
          .select('p.photo_image_id')
          .whereRef('p.photo_image_id', '=', 'images.id')
          .where('p.deleted_at', 'is', null),
      ),
    ),
  ]);
}

/** How many of these live images nothing uses: what a dry run reports the removal would take. */
export async function countUnusedImages(db: Db, ids: readonly number[]): Promise<number> {
  if (ids.length === 0) return 0;
  const row = await db
    .selectFrom('images')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('id', 'in', [...ids])
    .where('removed_at', 'is', null)
    .where(isUnused)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Marks removed those of these live images that nothing uses (isUnused). The test and the update are one
 * statement, so an image a text has just placed is not removed on an earlier reading. Returns how many were removed.
 */
export async function markUnusedImagesRemoved(db: Db, ids: readonly number[], at: string): Promise<number> {
  if (ids.length === 0) return 0;
  const result = await db
    .updateTable('images')
    .set({ removed_at: at, removed_by: null })
    .where('id', 'in', [...ids])
    .where('removed_at', 'is', null)
    .where(isUnused)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
