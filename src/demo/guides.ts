import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.ts';
import type { Clock } from '../lib/time.ts';
import { validateGuideRecord } from '../modules/content/import-guide.ts';
import { type GuideImport, importGuides } from '../modules/guides/index.ts';

/*
 * The demo study guides, written for Scholia, one Markdown file each in guides/ (kept out of content/, whose
 * files are questions). A file reads:
 *
 *   # Title
 *
 *   subject: Literature
 *   topics: Drama, Shakespeare
 *
 *   The overview (free to read) ...
 *
 *   @section Summary
 *   The section's Markdown ...
 *   @section Themes [members]
 *   A members-only section ...
 *
 * "@section" lines mark sections so that "##" stays free for headings inside a section, as editors write them.
 * The topics line may be left out; its names are those the subject's demo questions use (content/*.json), so the
 * demo shows a guide beside the questions of its topics and those questions' pages linking it first.
 */

const guidesDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'guides');

/** The guide of one demo file, checked by the same rules as an import line. */
export function parseDemoGuide(file: string, text: string): GuideImport {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  // The first lines that are not blank (the formatter puts a blank line after the title).
  const head = lines.flatMap((l, i) => (l.trim() === '' ? [] : [i])).slice(0, 3);
  const title = /^# (.+)$/.exec(lines[head[0] ?? -1] ?? '')?.[1]?.trim();
  const subject = /^subject: (.+)$/.exec(lines[head[1] ?? -1] ?? '')?.[1]?.trim();
  if (!title || !subject) throw new Error(`demo guide ${file}: the first lines must be "# Title" and "subject: Name"`);
  const topicsLine = /^topics: (.+)$/.exec(lines[head[2] ?? -1] ?? '')?.[1];
  const overviewFrom = (topicsLine === undefined ? (head[1] ?? 0) : (head[2] ?? 0)) + 1;
  const overview: string[] = [];
  const sections: Array<{ title: string; body: string[]; membersOnly: boolean }> = [];
  for (const line of lines.slice(overviewFrom)) {
    const heading = /^@section (.+?)( \[members\])?\s*$/.exec(line);
    if (heading) sections.push({ title: heading[1] as string, body: [], membersOnly: heading[2] !== undefined });
    else (sections[sections.length - 1]?.body ?? overview).push(line);
  }
  const { record, issues } = validateGuideRecord({
    type: 'guide',
    subject,
    title,
    overview: overview.join('\n').trim(),
    sections: sections.map((s) => ({ title: s.title, body: s.body.join('\n').trim(), membersOnly: s.membersOnly })),
    ...(topicsLine === undefined ? {} : { topics: topicsLine.split(',').map((t) => t.trim()) }),
  });
  if (!record) throw new Error(`demo guide ${file}: ${issues.map((i) => `${i.field} ${i.message}`).join('; ')}`);
  return record;
}

export function loadDemoGuides(): GuideImport[] {
  return readdirSync(guidesDir)
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => parseDemoGuide(f, readFileSync(path.join(guidesDir, f), 'utf8')));
}

/** Publishes the demo guides that are not there yet (by import key), written by the demo editor. */
export async function seedDemoGuides(db: Kysely<Database>, editorId: number | null, clock: Clock): Promise<number> {
  const guides = loadDemoGuides();
  const { added } = await db.transaction().execute((trx) => importGuides(trx, guides, { clock, authorId: editorId }));
  return added;
}
