/**
 * Which tables `scholia backup`, `restore` and `move` copy, in an order where every table comes after the tables its
 * foreign keys point to (restore and move insert in this order and clear in the reverse one), and the key each is
 * read in. Every other table of the database must be named in SKIPPED with the reason; test/backup.test.ts fails
 * when a migration adds a table that is in neither list, so a new table cannot silently miss the backups.
 */
export interface CopiedTable {
  readonly name: string;
  /** The primary key: rows are read in this order, a batch at a time after the last key read. */
  readonly key: readonly string[];
}

export const COPIED_TABLES: readonly CopiedTable[] = [
  { name: 'users', key: ['id'] },
  { name: 'subjects', key: ['id'] },
  { name: 'topics', key: ['id'] },
  { name: 'educator_subjects', key: ['user_id', 'subject_id'] },
  { name: 'site_settings', key: ['key'] },
  { name: 'search_synonyms', key: ['position'] },
  { name: 'search_misses', key: ['day', 'query'] },
  { name: 'plans', key: ['id'] },
  { name: 'memberships', key: ['user_id'] },
  { name: 'trial_claims', key: ['identity'] },
  { name: 'billing_customers', key: ['user_id'] },
  { name: 'billing_events', key: ['event_id'] },
  { name: 'ad_slots', key: ['id'] },
  { name: 'ad_snippets', key: ['id'] },
  { name: 'sessions', key: ['id_hash'] },
  { name: 'auth_throttles', key: ['key'] },
  { name: 'rate_counters', key: ['key', 'window_start'] },
  { name: 'one_time_tokens', key: ['id'] },
  { name: 'recovery_codes', key: ['id'] },
  { name: 'outbox', key: ['id'] },
  { name: 'educator_applications', key: ['id'] },
  // Before the tables that show images (question photos, images in answers and guides, reports about an image).
  { name: 'images', key: ['id'] },
  { name: 'image_variants', key: ['image_id', 'format', 'width'] },
  { name: 'questions', key: ['id'] },
  { name: 'question_topics', key: ['question_id', 'topic_id'] },
  { name: 'answers', key: ['id'] },
  { name: 'question_events', key: ['id'] },
  { name: 'answer_revisions', key: ['id'] },
  { name: 'notifications', key: ['id'] },
  { name: 'reports', key: ['id'] },
  { name: 'ask_drafts', key: ['token_hash'] },
  { name: 'guides', key: ['id'] },
  { name: 'guide_sections', key: ['id'] },
  { name: 'guide_revisions', key: ['id'] },
  { name: 'guide_topics', key: ['guide_id', 'topic_id'] },
  { name: 'question_images', key: ['question_id', 'position'] },
  { name: 'image_uses', key: ['kind', 'content_id', 'image_id'] },
];

/** The table `scholia move` keeps its progress in, in the target database only, dropped when the move is done. */
export const MOVE_MARKER_TABLE = 'scholia_move';

/** Tables left out of the copy, and why. A name ending in `*` stands for every table starting with what precedes it. */
export const SKIPPED_TABLES: Readonly<Record<string, string>> = {
  kysely_migration: "Kysely's record of applied migrations: the target is migrated to the backup's level instead",
  kysely_migration_lock: "Kysely's migration lock",
  blobs: "the database image store's files: copied as images, into whichever store the target's IMAGE_STORE names",
  search_documents: 'the PostgreSQL search index: rebuilt after a restore or move (scholia reindex)',
  search_vocabulary: 'the PostgreSQL spelling vocabulary ("did you mean"): rebuilt with the search index',
  guide_search: 'the PostgreSQL study-guide search index: rebuilt',
  'search_fts*': 'the SQLite search index (FTS5) and its shadow tables: rebuilt',
  'search_titles*': 'the SQLite title index (FTS5) for suggestions while typing: rebuilt',
  'guide_fts*': 'the SQLite study-guide search index (FTS5): rebuilt',
  [MOVE_MARKER_TABLE]: "scholia move's own progress record",
};

/**
 * Tables a Scholia database fills by itself (the migrations' default synonyms; the standard subjects and topics and
 * the first-admin setup link that `serve` writes on its first start). Rows there alone do not make a database
 * "hold a site": restore and move replace them without --force.
 */
export const SELF_FILLED_TABLES: ReadonlySet<string> = new Set(['subjects', 'topics', 'search_synonyms', 'site_settings']);

export function isSkipped(table: string): boolean {
  if (table in SKIPPED_TABLES) return true;
  return Object.keys(SKIPPED_TABLES).some((pattern) => pattern.endsWith('*') && table.startsWith(pattern.slice(0, -1)));
}

const COPIED = new Set(COPIED_TABLES.map((t) => t.name));

/** Tables of a database that are neither copied nor knowingly skipped. */
export function unknownTables(tables: readonly string[]): string[] {
  return tables.filter((t) => !COPIED.has(t) && !isSkipped(t)).sort();
}
