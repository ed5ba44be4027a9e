import type { Kysely } from 'kysely';

// Searches that found nothing (issue #17), for the admin dashboard's list of what students look for and the site
// does not have. One row per normalised query text and UTC day with a count, so a query searched a thousand times
// in a day is one row; nothing says who searched. The key leads with the day: the dashboard reads a range of days.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('search_misses')
    // YYYY-MM-DD, UTC.
    .addColumn('day', 'text', (c) => c.notNull())
    // Lower case, white space collapsed, cut to a fixed length by the search module.
    .addColumn('query', 'text', (c) => c.notNull())
    .addColumn('misses', 'integer', (c) => c.notNull().defaultTo(1))
    .addPrimaryKeyConstraint('search_misses_pk', ['day', 'query'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('search_misses').ifExists().execute();
}
