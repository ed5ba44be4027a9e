import path from 'node:path';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { FieldIssue } from '../../lib/errors.ts';
import { type Clock, systemClock } from '../../lib/time.ts';
import { ensureEducatorByName } from '../accounts/index.ts';
import { findExistingGuideImportKeys, type GuideImport, importGuides } from '../guides/index.ts';
import { type BlobStore, type ImageLimits, ImageRefused, storeImage, type TaskSlots } from '../images/index.ts';
import { createPublishedQuestion, findExistingImportKeys } from '../questions/index.ts';
import { ensureSubject, ensureTopic } from '../subjects/index.ts';
import { type ParsedGuideLine, parseGuideLine } from './import-guide.ts';
import { type ImportImage, type ImportImageFiles, readImageFile, storeIssue, withStoredImages } from './import-images.ts';
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
  /** Called as lines are checked, images stored and lines written: (phase, done, in all). */
  onProgress?: (phase: 'check' | 'images' | 'write', done: number, total: number) => void;
  /** Where the lines' image files are read and stored; without it, a line with "images" is refused. */
  images?: ImportImageStore;
}

/** The folder image files are read from, and the image store they go to (with the limits of an upload). */
export interface ImportImageStore extends ImportImageFiles {
  readonly blobs: BlobStore;
  readonly limits: ImageLimits;
  readonly decoding?: TaskSlots;
}

/** Lines of the file; called once per pass, so it must be able to read the file again. */
export type LineSource = () => AsyncIterable<string>;

type Parsed = ReturnType<typeof parseImportLine> | ParsedGuideLine;

function parse(line: string): Parsed {
  if (line.includes('\uFFFD')) {
    return { kind: 'invalid', issues: [{ field: '(line)', message: 'is not valid UTF-8' }] };
  }
  // Lines with "type": "guide" are study guides (import-guide.ts); every other line is a question.
  return parseGuideLine(line) ?? parseImportLine(line);
}

/** The image files a checked line lists. */
function imagesOf(parsed: Parsed): ImportImage[] {
  if (parsed.kind === 'record') return parsed.record.images;
  if (parsed.kind === 'guide') return parsed.images;
  return [];
}

/** Every problem with a line's image files (missing, too large, not an image), found without storing anything. */
async function checkImageFiles(files: ImportImageFiles | undefined, images: readonly ImportImage[]): Promise<FieldIssue[]> {
  if (!files)
    return [{ field: 'images', message: 'can only be imported from a file (scholia import FILE.jsonl reads them from its folder)' }];
  const issues: FieldIssue[] = [];
  for (const [i, image] of images.entries()) {
    const read = await readImageFile(files, image, `images[${i}].file`);
    if ('issue' in read) issues.push(read.issue);
  }
  return issues;
}

/**
 * Stores a line's image files as images without an owner (the site's own, as editors may place them again), each file
 * once however many lines list it. The decoder may still refuse one the first pass took (a damaged file).
 */
async function storeLineImages(
  db: Db,
  store: ImportImageStore,
  clock: Clock,
  images: readonly ImportImage[],
  storedFiles: Map<string, number>,
): Promise<{ ids: number[] } | { issues: FieldIssue[] }> {
  const ids: number[] = [];
  const issues: FieldIssue[] = [];
  const deps = { db, blobs: store.blobs, limits: store.limits, clock, ...(store.decoding ? { decoding: store.decoding } : {}) };
  for (const [i, image] of images.entries()) {
    const field = `images[${i}].file`;
    const full = path.resolve(store.dir, image.file);
    const known = storedFiles.get(full);
    if (known !== undefined) {
      ids.push(known);
      continue;
    }
    const read = await readImageFile(store, image, field, { check: false });
    if ('issue' in read) {
      issues.push(read.issue);
      continue;
    }
    try {
      const stored = await storeImage(deps, { bytes: read.bytes, ownerId: null });
      storedFiles.set(full, stored.id);
      ids.push(stored.id);
    } catch (err) {
      if (!(err instanceof ImageRefused)) throw err;
      issues.push(storeIssue(err, image, field, read.bytes.length, store));
    }
  }
  return issues.length > 0 ? { issues } : { ids };
}

/** A guide with its texts' image numbers turned into the stored images' ids. */
function guideWithImages(g: GuideImport, images: readonly ImportImage[], ids: readonly number[]): GuideImport {
  return {
    ...g,
    overview: withStoredImages(g.overview, images, ids),
    sections: g.sections.map((s) => ({ ...s, body: withStoredImages(s.body, images, ids) })),
  };
}

/**
 * Imports questions with their expert answers from JSON Lines.
 * First pass: every line is checked and every bad line reported, image files included (found, small enough, an
 * image by their bytes). Then the image files of the lines to add are stored, before the transaction: an image is
 * stored in transactions of its own. Last pass: one transaction writes the good lines, so an interrupted or refused
 * import leaves no question half-written (images stored for it are used by nothing, and `scholia images prune`
 * removes them a day later). Re-importing the same file adds nothing.
 */
export async function importQuestions(db: Db, source: LineSource, options: ImportOptions = {}): Promise<ImportReport> {
  const clock = options.clock ?? systemClock;
  const invalid: LineError[] = [];
  let lines = 0;
  let lineNo = 0;
  /** Good lines that list image files. */
  const withImages = new Set<number>();
  for await (const line of source()) {
    lineNo++;
    const parsed = parse(line);
    if (parsed.kind === 'blank') continue;
    lines++;
    if (parsed.kind === 'invalid') invalid.push({ line: lineNo, issues: parsed.issues });
    else if (imagesOf(parsed).length > 0) {
      const issues = await checkImageFiles(options.images, imagesOf(parsed));
      if (issues.length > 0) invalid.push({ line: lineNo, issues });
      else withImages.add(lineNo);
    }
    if (lines % 500 === 0) options.onProgress?.('check', lineNo, 0);
  }
  const total = lineNo;
  options.onProgress?.('check', total, total);
  if (invalid.length > 0 && !options.skipInvalid) return { lines, added: 0, alreadyPresent: 0, invalid, committed: false };

  // The images of the lines that will be added (not those already imported), by line.
  const storedIds = new Map<number, number[]>();
  if (withImages.size > 0 && options.images) {
    const store = options.images;
    const storedFiles = new Map<string, number>();
    const storedKeys = new Set<string>();
    let n = 0;
    let done = 0;
    options.onProgress?.('images', 0, withImages.size);
    for await (const line of source()) {
      n++;
      if (!withImages.has(n)) continue;
      const parsed = parse(line);
      if (parsed.kind !== 'record' && parsed.kind !== 'guide') continue;
      const key = parsed.kind === 'record' ? importKey(parsed.record) : parsed.record.importKey;
      const there =
        storedKeys.has(key) ||
        (parsed.kind === 'record' ? await findExistingImportKeys(db, [key]) : await findExistingGuideImportKeys(db, [key])).size > 0;
      if (!there) {
        const r = await storeLineImages(db, store, clock, imagesOf(parsed), storedFiles);
        if ('issues' in r) invalid.push({ line: n, issues: r.issues });
        else {
          storedIds.set(n, r.ids);
          storedKeys.add(key);
        }
      }
      options.onProgress?.('images', ++done, withImages.size);
    }
    invalid.sort((a, b) => a.line - b.line);
    if (invalid.length > 0 && !options.skipInvalid) return { lines, added: 0, alreadyPresent: 0, invalid, committed: false };
  }
  const refused = new Set(invalid.map((e) => e.line));

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
      if (refused.has(n)) continue;
      const parsed = parse(line);
      const images = imagesOf(parsed);
      const ids = storedIds.get(n);
      // A line whose images were not stored was found already imported when they would have been.
      if (images.length > 0 && !ids) alreadyPresent++;
      else if (parsed.kind === 'record')
        batch.push(ids ? { ...parsed.record, answer: withStoredImages(parsed.record.answer, images, ids, true) } : parsed.record);
      else if (parsed.kind === 'guide') guides.push(ids ? guideWithImages(parsed.record, images, ids) : parsed.record);
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
