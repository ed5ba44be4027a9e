import { type Kysely, sql } from 'kysely';
import type { Database } from '../../db/database.ts';

type Db = Kysely<Database>;

/** Every column of stored HTML, with the Markdown it is rendered from. */
export const RENDERED_COLUMNS = [
  { table: 'questions', source: 'details', html: 'details_html' },
  { table: 'answers', source: 'body', html: 'body_html' },
  { table: 'guides', source: 'overview', html: 'overview_html' },
  { table: 'guide_sections', source: 'body', html: 'body_html' },
] as const;

export type RenderedColumn = (typeof RENDERED_COLUMNS)[number];

export async function countRows(db: Db, c: RenderedColumn): Promise<number> {
  const { rows } = await sql<{ n: string | number }>`select count(*) as n from ${sql.table(c.table)}`.execute(db);
  return Number(rows[0]?.n ?? 0);
}

/** The next rows after `afterId`, by id: their Markdown and the HTML stored for it. */
export async function readBatch(db: Db, c: RenderedColumn, afterId: number, limit: number) {
  const { rows } = await sql<{ id: number; source: string; html: string }>`
    select id, ${sql.ref(c.source)} as source, ${sql.ref(c.html)} as html from ${sql.table(c.table)}
    where id > ${afterId} order by id limit ${limit}`.execute(db);
  return rows.map((r) => ({ id: Number(r.id), source: r.source, html: r.html }));
}

/** Stores new HTML for a row, unless its Markdown changed since it was read (an edit meanwhile wins). */
export async function writeHtml(db: Db, c: RenderedColumn, id: number, source: string, html: string): Promise<void> {
  await sql`update ${sql.table(c.table)} set ${sql.ref(c.html)} = ${html} where id = ${id} and ${sql.ref(c.source)} = ${source}`.execute(
    db,
  );
}

/** Where a text that places images is stored: its table, the key column a use names, its Markdown and HTML. */
const PLACED_TEXT = {
  answer: { table: 'answers', key: 'question_id', source: 'body', html: 'body_html' },
  guide_overview: { table: 'guides', key: 'id', source: 'overview', html: 'overview_html' },
  guide_section: { table: 'guide_sections', key: 'id', source: 'body', html: 'body_html' },
} as const;

export type PlacedTextKind = keyof typeof PLACED_TEXT;

/** The Markdown of one text that places images. */
export async function readPlacedText(db: Db, kind: PlacedTextKind, contentId: number): Promise<string | undefined> {
  const c = PLACED_TEXT[kind];
  const { rows } = await sql<{ source: string }>`
    select ${sql.ref(c.source)} as source from ${sql.table(c.table)} where ${sql.ref(c.key)} = ${contentId}`.execute(db);
  return rows[0]?.source;
}

/**
 * Stores a text's new HTML and moves its update time (the visitors' page cache keys on it, so the change shows at
 * once), unless its Markdown changed since it was read.
 */
export async function writePlacedHtml(db: Db, kind: PlacedTextKind, contentId: number, source: string, html: string, at: string) {
  const c = PLACED_TEXT[kind];
  await sql`update ${sql.table(c.table)} set ${sql.ref(c.html)} = ${html}, updated_at = ${at}
    where ${sql.ref(c.key)} = ${contentId} and ${sql.ref(c.source)} = ${source}`.execute(db);
}

/** Moves a question's update time: its page (photos included) is rendered again for the next reader. */
export async function touchQuestion(db: Db, questionId: number, at: string): Promise<void> {
  await db.updateTable('questions').set({ updated_at: at }).where('id', '=', questionId).execute();
}
