import type { Kysely } from 'kysely';

// Images placed in Markdown (issue #15): an educator's diagram in an expert answer, an editor's in a guide's overview
// or section, written `![alt](image:ID)`. One row per text and image, rewritten whenever the text is saved, so the
// site can tell who shows an image (the serving route's paywall check, the moderation of a removed image, the
// clean-up of unused uploads) without reading every text. Students' photos on questions stay in question_images.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('image_uses')
    // 'answer' (content_id: the question's id, one expert answer per question), 'guide_overview' (the guide's id)
    // or 'guide_section' (the section's id).
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('content_id', 'integer', (c) => c.notNull())
    // Images are never deleted (a removal only sets removed_at), so nothing cascades from that side.
    .addColumn('image_id', 'integer', (c) => c.notNull().references('images.id'))
    .addPrimaryKeyConstraint('image_uses_pk', ['kind', 'content_id', 'image_id'])
    .execute();
  await db.schema.createIndex('image_uses_image_idx').on('image_uses').column('image_id').execute();
  // A report may point at one image on the page (a photo of the question, an image in the answer); editors remove it.
  await db.schema
    .alterTable('reports')
    .addColumn('image_id', 'integer', (c) => c.references('images.id'))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('reports').dropColumn('image_id').execute();
  await db.schema.dropTable('image_uses').ifExists().execute();
}
