import { type ColumnDefinitionBuilder, type Kysely, PostgresAdapter } from 'kysely';

// Ad network snippets: HTML an ad network gives, checked against AD_SNIPPET_ORIGINS and stored re-written from what
// was parsed. `origins` lists (space-separated) the origins the snippet loads from, so a snippet whose origin has
// since left the configuration can be skipped without parsing it again on every page.

export async function up(db: Kysely<any>): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const id = (c: ColumnDefinitionBuilder) => (pg ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey());
  await db.schema
    .createTable('ad_snippets')
    .addColumn('id', 'integer', id)
    .addColumn('placement', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('html', 'text', (c) => c.notNull())
    .addColumn('origins', 'text', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('ad_snippets').ifExists().execute();
}
