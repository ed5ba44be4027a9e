import type { Kysely } from 'kysely';

// The photo on an educator's profile (issue #16): an image of the images module, uploaded by the educator (or an
// editor or admin for them) and shown on /educators/:ref. Null: the profile shows the person's initials.
//
// No foreign key to images.id, on purpose: backups, restores and moves copy `users` before `images` (images point at
// their owner in users), so a key here would make each table wait for the other. Nothing can dangle either way:
// images are never deleted, a removal only sets removed_at, and a removed photo is not shown.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').addColumn('photo_image_id', 'integer').execute();
  // The clean-up of unused images asks whether a profile still shows an image.
  await db.schema.createIndex('users_photo_image_idx').on('users').column('photo_image_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('users_photo_image_idx').ifExists().execute();
  await db.schema.alterTable('users').dropColumn('photo_image_id').execute();
}
