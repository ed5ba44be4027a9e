import { type Kysely, PostgresAdapter, sql } from 'kysely';

// Topics of a study guide, from the same per-subject `topics` as questions, so a guide and the questions sharing
// a topic can point at each other: the guide page lists them first, and their pages link the guide first.

export async function up(db: Kysely<any>): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  let table = db.schema
    .createTable('guide_topics')
    .addColumn('guide_id', 'integer', (c) => c.notNull().references('guides.id').onDelete('cascade'))
    .addColumn('topic_id', 'integer', (c) => c.notNull().references('topics.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('guide_topics_pk', ['guide_id', 'topic_id']);
  // The row is nothing but its key: on SQLite, WITHOUT ROWID keeps it in one B-tree instead of a table plus the
  // key's index. PostgreSQL has no such option (and needs none: its primary key is an index over the heap).
  if (!pg) table = table.modifyEnd(sql`without rowid`);
  await table.execute();
  // From a question's topics to the guides sharing them (question pages); covering, so the walk never reads rows.
  await db.schema.createIndex('guide_topics_topic_idx').on('guide_topics').columns(['topic_id', 'guide_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('guide_topics').ifExists().execute();
}
