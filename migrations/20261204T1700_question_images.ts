import type { Kysely } from 'kysely';

// Photos a student attaches to a question (issue #15): which images, in the order the student gave them. The images
// themselves (their variants and files) are the images module's; this table only says where they are shown.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('question_images')
    .addColumn('question_id', 'integer', (c) => c.notNull().references('questions.id').onDelete('cascade'))
    // Images are never deleted (a removal only sets removed_at), so nothing cascades from that side.
    .addColumn('image_id', 'integer', (c) => c.notNull().references('images.id'))
    // 1, 2, … in the student's order. The key makes a question's photos one short index range, read in order.
    .addColumn('position', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('question_images_pk', ['question_id', 'position'])
    .execute();
  // The clean-up of unused uploads asks whether any question still shows an image.
  await db.schema.createIndex('question_images_image_idx').on('question_images').column('image_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('question_images').ifExists().execute();
}
