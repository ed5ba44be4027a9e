import { type ColumnDefinitionBuilder, type Kysely, PostgresAdapter } from 'kysely';

// Asking and answering: the claim on a queued question, the answer target, closing and rejecting, the record of
// every transition, answer revisions, notifications, reports, and the draft of a question kept across a sign-in.

export async function up(db: Kysely<any>): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const id = (c: ColumnDefinitionBuilder) => (pg ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey());

  // The educator holding the question and until when (a lapsed claim frees it).
  await db.schema.alterTable('questions').addColumn('claimed_by', 'integer').execute();
  await db.schema.alterTable('questions').addColumn('claim_expires_at', 'text').execute();
  // When an answer is expected (ANSWER_TARGET_HOURS after asking).
  await db.schema.alterTable('questions').addColumn('due_at', 'text').execute();
  // Set when the question stops counting against the asker's monthly allowance (rejected, or the target missed).
  await db.schema.alterTable('questions').addColumn('allowance_returned_at', 'text').execute();
  await db.schema.alterTable('questions').addColumn('duplicate_of', 'integer').execute();
  await db.schema.alterTable('questions').addColumn('close_reason', 'text').execute();
  // A returned answer: the editor's comment until the educator submits again.
  await db.schema.alterTable('questions').addColumn('review_comment', 'text').execute();
  await db.schema.createIndex('questions_queue_idx').on('questions').columns(['status', 'due_at']).execute();
  await db.schema.createIndex('questions_asker_idx').on('questions').columns(['asker_id', 'created_at']).execute();

  await db.schema
    .alterTable('users')
    .addColumn('notify_email', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();

  await db.schema
    .createTable('question_events')
    .addColumn('id', 'integer', id)
    .addColumn('question_id', 'integer', (c) => c.notNull().references('questions.id').onDelete('cascade'))
    .addColumn('actor_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('from_status', 'text', (c) => c.notNull())
    .addColumn('to_status', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('question_events_question_idx').on('question_events').columns(['question_id', 'id']).execute();

  await db.schema
    .createTable('answer_revisions')
    .addColumn('id', 'integer', id)
    .addColumn('question_id', 'integer', (c) => c.notNull().references('questions.id').onDelete('cascade'))
    .addColumn('author_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('quick_answer', 'text', (c) => c.notNull())
    .addColumn('sources', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('answer_revisions_question_idx').on('answer_revisions').columns(['question_id', 'id']).execute();

  await db.schema
    .createTable('notifications')
    .addColumn('id', 'integer', id)
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('question_id', 'integer', (c) => c.references('questions.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('link', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('read_at', 'text')
    .execute();
  await db.schema.createIndex('notifications_user_idx').on('notifications').columns(['user_id', 'read_at', 'id']).execute();

  await db.schema
    .createTable('reports')
    .addColumn('id', 'integer', id)
    .addColumn('reporter_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('question_id', 'integer', (c) => c.notNull().references('questions.id').onDelete('cascade'))
    // 'question' or 'answer'.
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    // open, hidden, dismissed, restored.
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('decided_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('decided_at', 'text')
    .execute();
  await db.schema.createIndex('reports_status_idx').on('reports').columns(['status', 'id']).execute();

  // What someone typed into /ask when their session had ended: kept for a day, found again by a cookie.
  await db.schema
    .createTable('ask_drafts')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['ask_drafts', 'reports', 'notifications', 'answer_revisions', 'question_events'])
    await db.schema.dropTable(t).ifExists().execute();
  await db.schema.alterTable('users').dropColumn('notify_email').execute();
  await db.schema.dropIndex('questions_asker_idx').ifExists().execute();
  await db.schema.dropIndex('questions_queue_idx').ifExists().execute();
  for (const c of ['review_comment', 'close_reason', 'duplicate_of', 'allowance_returned_at', 'due_at', 'claim_expires_at', 'claimed_by'])
    await db.schema.alterTable('questions').dropColumn(c).execute();
}
