import { type ColumnDefinitionBuilder, type Kysely, PostgresAdapter, sql } from 'kysely';

// Images on questions, answers and guides (issue #15). An image is one upload, kept only as its variants: the
// widths it was made at, each in WebP and in a fallback (JPEG, or PNG when it has transparency), stored by content
// hash in a BlobStore. `blobs` is the database BlobStore's table, for several app servers sharing PostgreSQL and no
// disk; with files under DATA_DIR it stays empty.

export async function up(db: Kysely<any>): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const id = (c: ColumnDefinitionBuilder) => (pg ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey());

  await db.schema
    .createTable('images')
    .addColumn('id', 'integer', id)
    .addColumn('owner_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    // SHA-256 (hex) of the bytes as uploaded.
    .addColumn('source_hash', 'text', (c) => c.notNull())
    .addColumn('width', 'integer', (c) => c.notNull())
    .addColumn('height', 'integer', (c) => c.notNull())
    .addColumn('has_alpha', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('removed_at', 'text')
    .addColumn('removed_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .execute();
  // One live image per person and upload: the same file sent twice (a double click, a retried form) is one image.
  // Partial, so a removed image does not stop its owner uploading the same file again.
  await db.schema
    .createIndex('images_owner_source_live_unique')
    .on('images')
    .columns(['owner_id', 'source_hash'])
    .unique()
    .where(sql.ref('removed_at'), 'is', null)
    .execute();

  await db.schema
    .createTable('image_variants')
    .addColumn('image_id', 'integer', (c) => c.notNull().references('images.id').onDelete('cascade'))
    // 'webp', 'jpeg' or 'png'.
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('width', 'integer', (c) => c.notNull())
    .addColumn('height', 'integer', (c) => c.notNull())
    .addColumn('blob_key', 'text', (c) => c.notNull())
    .addColumn('bytes', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('image_variants_pk', ['image_id', 'format', 'width'])
    .execute();
  // Serving looks a file up by its key; the sweep asks which keys any image still uses.
  await db.schema.createIndex('image_variants_blob_key_idx').on('image_variants').column('blob_key').execute();

  await db.schema
    .createTable('blobs')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('bytes', 'integer', (c) => c.notNull())
    .addColumn('stored_at', 'text', (c) => c.notNull())
    // Last, as long text is elsewhere: listing reads the small columns only.
    .addColumn('data', pg ? 'bytea' : 'blob', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['blobs', 'image_variants', 'images']) await db.schema.dropTable(t).ifExists().execute();
}
