import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { FieldIssue } from '../../lib/errors.ts';
import { type Clock, systemClock } from '../../lib/time.ts';
import { ensureEducatorByName } from '../accounts/index.ts';
import { type GuideImport, importGuides } from '../guides/index.ts';
import { createPublishedQuestion, findExistingImportKeys } from '../questions/index.ts';
import { ensureSubject, ensureTopic } from '../subjects/index.ts';
import { type ParsedGuideLine, parseGuideLine } from './import-guide.ts';
import { type ImportRecord, importKey, parseImportLine } from './import-record.ts';

type Db = Kysely<Database>;

export interface LineError {
  line: number;
  issues: FieldIssue[];
}

export interface ImportReport {
  /** Non-blank lines read. */
  lines: number;
  added: number;
  /** Valid lines whose question was already there (imported before, or earlier in the same file). */
  alreadyPresent: number;
  invalid: LineError[];
  /** False when nothing was written because of invalid lines (and --skip-invalid was not given). */
  committed: boolean;
}

export interface ImportOptions {
  skipInvalid?: boolean;
  clock?: Clock;
  /** Called as lines are checked and then written: (phase, lines done, lines in all). */
  onProgress?: (phase: 'check' | 'write', done: number, total: number) => void;
}

/** Lines of the file; called once per pass, so it must be able to read the file again. */
export type LineSource = () => AsyncIterable<string>;

function parse(line: string): ReturnType<typeof parseImportLine> | ParsedGuideLine {
  if (line.includes('\uFFFD')) {
    return { kind: 'invalid', issues: [{ field: '(line)', message: 'is not valid UTF-8' }] };
  }
  // Lines with "type": "guide" are study guides (import-guide.ts); every other line is a question.
  return parseGuideLine(line) ?? parseImportLine(line);
}

/**
 * Imports questions with their expert answers from JSON Lines.
 * First pass: every line is checked and every bad line reported. Second pass: one transaction writes the good
 * lines, so an interrupted or refused import leaves nothing half-written. Re-importing the same file adds nothing.
 */
export async function importQuestions(db: Db, source: LineSource, options: ImportOptions = {}): Promise<ImportReport> {
  const clock = options.clock ?? systemClock;
  const invalid: LineError[] = [];
  let lines = 0;
  let lineNo = 0;
  for await (const line of source()) {
    lineNo++;
    const parsed = parse(line);
    if (parsed.kind === 'blank') continue;
    lines++;
    if (parsed.kind === 'invalid') invalid.push({ line: lineNo, issues: parsed.issues });
    if (lines % 500 === 0) options.onProgress?.('check', lineNo, 0);
  }
  const total = lineNo;
  options.onProgress?.('check', total, total);
  if (invalid.length > 0 && !options.skipInvalid) return { lines, added: 0, alreadyPresent: 0, invalid, committed: false };

  let added = 0;
  let alreadyPresent = 0;
  await db.transaction().execute(async (trx) => {
    const subjects = new Map<string, number>();
    const topics = new Map<string, number>();
    const educators = new Map<string, number>();
    const seen = new Set<string>();
    let batch: ImportRecord[] = [];
    let done = 0;

    const flush = async () => {
      const keys = batch.map(importKey);
      const existing = await findExistingImportKeys(trx, keys);
      for (const [i, record] of batch.entries()) {
        const key = keys[i] as string;
        if (existing.has(key) || seen.has(key)) {
          alreadyPresent++;
          continue;
        }
        seen.add(key);
        let subjectId = subjects.get(record.subject.toLowerCase());
        if (subjectId === undefined) {
          subjectId = (await ensureSubject(trx, record.subject)).id;
          subjects.set(record.subject.toLowerCase(), subjectId);
        }
        const topicIds: number[] = [];
        for (const name of record.topics) {
          const tk = `${subjectId}\n${name.toLowerCase()}`;
          let topicId = topics.get(tk);
          if (topicId === undefined) {
            topicId = (await ensureTopic(trx, subjectId, name)).id;
            topics.set(tk, topicId);
          }
          topicIds.push(topicId);
        }
        let educatorId = educators.get(record.educator);
        if (educatorId === undefined) {
          educatorId = (await ensureEducatorByName(trx, record.educator, clock)).id;
          educators.set(record.educator, educatorId);
        }
        await createPublishedQuestion(
          trx,
          {
            subjectId,
            topicIds,
            title: record.title,
            details: record.details,
            educatorId,
            answer: record.answer,
            quickAnswer: record.quickAnswer,
            sources: record.sources,
            importKey: key,
          },
          clock,
        );
        added++;
      }
      batch = [];
    };

    // Guides are few and small: kept until the questions are written, then stored in the same transaction.
    const guides: GuideImport[] = [];
    let n = 0;
    for await (const line of source()) {
      n++;
      const parsed = parse(line);
      if (parsed.kind === 'record') batch.push(parsed.record);
      if (parsed.kind === 'guide') guides.push(parsed.record);
      if (batch.length >= 200) await flush();
      done = n;
      if (n % 200 === 0) options.onProgress?.('write', done, total);
    }
    await flush();
    const g = await importGuides(trx, guides, { clock });
    added += g.added;
    alreadyPresent += g.alreadyPresent;
    options.onProgress?.('write', total, total);
  });
  return { lines, added, alreadyPresent, invalid, committed: true };
}
