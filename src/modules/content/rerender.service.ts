import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';
import { renderMarkdown } from '../../lib/markdown.ts';
import { countRows, RENDERED_COLUMNS, readBatch, writeHtml } from './rerender.repository.ts';

// HTML is rendered when text is saved (decision 0003). After an upgrade that renders more (math, highlighted code),
// `scholia render` renders the stored Markdown of questions, expert answers, guides and sections again. Each row is
// written on its own, only when its HTML changes and only if its Markdown is still what was read, so the command can
// run beside the site, be interrupted, and be run again.

const BATCH = 200;

export interface RerenderReport {
  read: number;
  changed: number;
  interrupted: boolean;
}

export async function rerenderStoredHtml(
  db: Kysely<Database>,
  options: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {},
): Promise<RerenderReport> {
  let total = 0;
  for (const c of RENDERED_COLUMNS) total += await countRows(db, c);
  let read = 0;
  let changed = 0;
  for (const c of RENDERED_COLUMNS) {
    for (let after = 0; ; ) {
      if (options.signal?.aborted) return { read, changed, interrupted: true };
      const rows = await readBatch(db, c, after, BATCH);
      if (rows.length === 0) break;
      for (const r of rows) {
        const html = renderMarkdown(r.source);
        if (html !== r.html) {
          await writeHtml(db, c, r.id, r.source, html);
          changed++;
        }
      }
      read += rows.length;
      after = rows[rows.length - 1]?.id ?? after;
      options.onProgress?.(read, total);
    }
  }
  return { read, changed, interrupted: false };
}
