import { type ColumnDefinitionBuilder, type Kysely, PostgresAdapter } from 'kysely';

// Migrations never import src/: they must keep meaning what they meant the day they landed.

export async function up(db: Kysely<any>): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const id = (c: ColumnDefinitionBuilder) => (pg ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey());

  await db.schema
    .createTable('users')
    .addColumn('id', 'integer', id)
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull().defaultTo('student'))
    .addColumn('password_hash', 'text')
    .addColumn('bio', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('users_name_idx').on('users').column('name').execute();

  await db.schema
    .createTable('subjects')
    .addColumn('id', 'integer', id)
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();

  await db.schema
    .createTable('topics')
    .addColumn('id', 'integer', id)
    .addColumn('subject_id', 'integer', (c) => c.notNull().references('subjects.id').onDelete('cascade'))
    .addColumn('slug', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addUniqueConstraint('topics_subject_slug_unique', ['subject_id', 'slug'])
    .execute();

  await db.schema
    .createTable('educator_subjects')
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('subject_id', 'integer', (c) => c.notNull().references('subjects.id').onDelete('cascade'))
    .addColumn('verified_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('educator_subjects_pk', ['user_id', 'subject_id'])
    .execute();

  await db.schema
    .createTable('questions')
    .addColumn('id', 'integer', id)
    .addColumn('slug', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'integer', (c) => c.notNull().references('subjects.id'))
    .addColumn('asker_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('published_at', 'text')
    .addColumn('import_key', 'text', (c) => c.unique())
    // Long text last: SQLite reads a row's columns in order, so small columns placed after a body that spills
    // onto overflow pages would cost a walk through those pages on every lookup.
    .addColumn('details', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('details_html', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  // Keyset pagination: newest answered questions overall and per subject.
  await db.schema.createIndex('questions_status_published_idx').on('questions').columns(['status', 'published_at', 'id']).execute();
  await db.schema
    .createIndex('questions_subject_status_published_idx')
    .on('questions')
    .columns(['subject_id', 'status', 'published_at', 'id'])
    .execute();

  await db.schema
    .createTable('question_topics')
    .addColumn('question_id', 'integer', (c) => c.notNull().references('questions.id').onDelete('cascade'))
    .addColumn('topic_id', 'integer', (c) => c.notNull().references('topics.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('question_topics_pk', ['question_id', 'topic_id'])
    .execute();
  await db.schema.createIndex('question_topics_topic_idx').on('question_topics').columns(['topic_id', 'question_id']).execute();

  await db.schema
    .createTable('answers')
    .addColumn('id', 'integer', id)
    .addColumn('question_id', 'integer', (c) => c.notNull().unique().references('questions.id').onDelete('cascade'))
    .addColumn('educator_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('word_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('approved_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('approved_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    // Long text last (see questions): the quick answer is read by every list, the bodies only by the page.
    .addColumn('quick_answer', 'text', (c) => c.notNull())
    .addColumn('sources', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('body_html', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('answers_educator_idx').on('answers').column('educator_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['answers', 'question_topics', 'questions', 'educator_subjects', 'topics', 'subjects', 'users']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
