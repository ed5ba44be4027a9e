import { type ColumnDefinitionBuilder, type Kysely, PostgresAdapter } from 'kysely';

// Study guides: a guide (title, subject, free overview) with ordered sections, each free or members-only, and a
// revision for every save of a guide's details or of a section, so an editor can restore an earlier text.

export async function up(db: Kysely<any>): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const id = (c: ColumnDefinitionBuilder) => (pg ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey());

  await db.schema
    .createTable('guides')
    .addColumn('id', 'integer', id)
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'integer', (c) => c.notNull().references('subjects.id'))
    // 'draft' or 'published'.
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('published_at', 'text')
    // Identity of an imported guide (subject and title), so importing a file again adds nothing.
    .addColumn('import_key', 'text', (c) => c.unique())
    // Long text last, as in questions: lists read the small columns only.
    .addColumn('overview', 'text', (c) => c.notNull())
    .addColumn('overview_html', 'text', (c) => c.notNull())
    .execute();
  // Published guides of a subject by title (question pages link to them; /guides groups by subject).
  await db.schema.createIndex('guides_subject_status_title_idx').on('guides').columns(['subject_id', 'status', 'title']).execute();

  await db.schema
    .createTable('guide_sections')
    .addColumn('id', 'integer', id)
    .addColumn('guide_id', 'integer', (c) => c.notNull().references('guides.id').onDelete('cascade'))
    .addColumn('slug', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    // Order within the guide; reordering swaps two neighbours' positions.
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('members_only', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('body_html', 'text', (c) => c.notNull())
    .addUniqueConstraint('guide_sections_guide_slug_unique', ['guide_id', 'slug'])
    .execute();
  await db.schema.createIndex('guide_sections_guide_position_idx').on('guide_sections').columns(['guide_id', 'position']).execute();

  await db.schema
    .createTable('guide_revisions')
    .addColumn('id', 'integer', id)
    .addColumn('guide_id', 'integer', (c) => c.notNull().references('guides.id').onDelete('cascade'))
    // Null: a revision of the guide's details (title, subject, overview); else of that section.
    .addColumn('section_id', 'integer', (c) => c.references('guide_sections.id').onDelete('cascade'))
    .addColumn('author_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'integer')
    .addColumn('members_only', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull())
    // The overview (guide revisions) or the section body, as Markdown.
    .addColumn('body', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('guide_revisions_guide_idx').on('guide_revisions').columns(['guide_id', 'id']).execute();
  await db.schema.createIndex('guide_revisions_section_idx').on('guide_revisions').column('section_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['guide_revisions', 'guide_sections', 'guides']) await db.schema.dropTable(t).ifExists().execute();
}
