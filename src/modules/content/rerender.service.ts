import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';
import { renderMarkdown } from '../../lib/markdown.ts';
import { type ImageUse, picturesFor } from '../images/index.ts';
import {
  countRows,
  RENDERED_COLUMNS,
  readBatch,
  readPlacedText,
  touchQuestion,
  writeHtml,
  writePlacedHtml,
} from './rerender.repository.ts';

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
        const html = renderMarkdown(r.source, { pictures: (await picturesFor({ db }, r.source)).pictures });
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

/**
 * After an image is taken down: every text that placed it is rendered again (the image leaves it) and every page
 * that showed it moves its update time, so the page caches and a reader's next view no longer show it.
 */
export async function rerenderImageUses(db: Kysely<Database>, uses: readonly ImageUse[], at: string): Promise<number> {
  let changed = 0;
  for (const use of uses) {
    if (use.kind === 'question') {
      await touchQuestion(db, use.contentId, at);
      changed++;
      continue;
    }
    const source = await readPlacedText(db, use.kind, use.contentId);
    if (source === undefined) continue;
    const placed = await picturesFor({ db }, source);
    await writePlacedHtml(db, use.kind, use.contentId, source, renderMarkdown(source, { pictures: placed.pictures }), at);
    changed++;
  }
  return changed;
}
