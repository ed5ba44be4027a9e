import { createHash } from 'node:crypto';
import type { FieldIssue } from '../../lib/errors.ts';
import { hasSlugText, slugify } from '../../lib/slug.ts';
import {
  distinctTopics,
  GUIDE_TITLE_MAX,
  GUIDE_TITLE_MIN,
  GUIDE_TOPICS_MAX,
  type GuideImport,
  OVERVIEW_MAX,
  SECTION_BODY_MAX,
  SECTION_TITLE_MAX,
  SECTIONS_MAX,
  tidyTopic,
  topicNameIssue,
} from '../guides/index.ts';
import { type ImportImage, imageListIssues, placementIssues, tidyImages, unplaced } from './import-images.ts';
import { GuideLine, SectionLine, SUBJECT_MAX } from './import-record.ts';
import {
  isObject,
  kind,
  listCheck,
  NO_REFUSALS,
  objectCheck,
  type Refusals,
  textIssues,
  tidyObject,
  trimmed,
  unknownIssues,
} from './line-check.ts';

// Study guides in an import file: one JSON object a line with "type": "guide", checked against GuideLine
// (import-record.ts). The wording follows the question lines: every problem names its field, and the import
// service adds the line.

export type ParsedGuideLine = { kind: 'guide'; record: GuideImport; images: ImportImage[] } | { kind: 'invalid'; issues: FieldIssue[] };

const GUIDE_TEXT = {
  subject: { min: 1, max: SUBJECT_MAX },
  title: { min: GUIDE_TITLE_MIN, max: GUIDE_TITLE_MAX },
  overview: { min: 1, max: OVERVIEW_MAX },
};
const SECTION_TEXT = { title: { min: 1, max: SECTION_TITLE_MAX }, body: { min: 1, max: SECTION_BODY_MAX } };

const guideLine = objectCheck(GuideLine);
const section = objectCheck(SectionLine);
const sections = listCheck(GuideLine.properties.sections);
const topicText = listCheck(GuideLine.properties.topics);

/** The line as it would be stored: text trimmed (topic names with their spacing tidied too), nulls left out. */
function tidy(obj: Record<string, unknown>): Record<string, unknown> {
  const line = tidyObject(obj, ['type', 'sections', 'topics', 'images']);
  if (line.images !== undefined) line.images = tidyImages(line.images);
  if (Array.isArray(line.sections)) line.sections = line.sections.map((s) => (isObject(s) ? tidyObject(s) : s));
  if (Array.isArray(line.topics)) line.topics = line.topics.map((t) => trimmed(t, tidyTopic));
  return line;
}

/** Identity of an imported guide: its subject and title, ignoring case and spacing. */
export function guideImportKey(g: { subject: string; title: string }): string {
  const norm = `${slugify(g.subject, 60)}\n${g.title.toLowerCase().replace(/\s+/g, ' ').trim()}`;
  return `guide:${createHash('sha256').update(norm).digest('hex').slice(0, 40)}`;
}

function sectionIssues(list: unknown): FieldIssue[] {
  if (!sections.shapeOk(list)) return [{ field: 'sections', message: `must be an array of 1 to ${SECTIONS_MAX} sections` }];
  return list.flatMap((s, i): FieldIssue[] => {
    if (!isObject(s)) return [{ field: `sections[${i}]`, message: 'must be an object with title, body and membersOnly' }];
    if (section.check(s)) return [];
    const prefix = `sections[${i}].`;
    const refused = section.refusals(s);
    const issues = [...unknownIssues(refused, section.fields, prefix), ...textIssues(s, SECTION_TEXT, refused, prefix)];
    if (refused.wrong.has('membersOnly')) issues.push({ field: `${prefix}membersOnly`, message: 'must be true or false' });
    return issues;
  });
}

/**
 * The optional "topics" array, in the words of the question lines' topics, but within the limits of the editor's
 * Topics field (the guides module's topicNameIssue), so that a guide imported can be saved again from the editor
 * as it stands. Spellings of one topic ("Drama", "drama") count once, as they are stored once.
 */
function topicIssues(list: unknown): { issues: FieldIssue[]; names: string[] } {
  const shape = { field: 'topics', message: `must be an array of at most ${GUIDE_TOPICS_MAX} names` };
  if (!topicText.shapeOk(list)) return { issues: [shape], names: [] };
  const issues: FieldIssue[] = [];
  const names: string[] = [];
  for (const [i, t] of list.entries()) {
    const field = `topics[${i}]`;
    if (typeof t !== 'string') issues.push({ field, message: `must be a string, got ${kind(t)}` });
    // A string the schema refuses holds a control character.
    else if (!topicText.entryOk(t)) issues.push({ field, message: 'contains control characters' });
    else {
      const issue = topicNameIssue(t);
      if (issue) issues.push({ field, message: t === '' ? 'must not be empty' : issue });
      else names.push(t);
    }
  }
  const distinct = distinctTopics(names).map((t) => t.name);
  if (distinct.length > GUIDE_TOPICS_MAX) issues.push(shape);
  return { issues, names: distinct };
}

function guideIssues(line: Record<string, unknown>, refused: Refusals): FieldIssue[] {
  const issues = unknownIssues(refused, guideLine.fields);
  if (refused.missing.has('type') || refused.wrong.has('type')) issues.push({ field: 'type', message: 'must be "guide"' });
  issues.push(...textIssues(line, GUIDE_TEXT, refused));
  if (typeof line.subject === 'string' && !refused.wrong.has('subject') && !hasSlugText(line.subject))
    issues.push({ field: 'subject', message: 'needs at least one letter or digit' });
  if (refused.missing.has('sections')) issues.push({ field: 'sections', message: 'is missing' });
  else issues.push(...sectionIssues(line.sections));
  if (line.images !== undefined) issues.push(...guideImageIssues(line));
  return issues;
}

/**
 * The "images" of a guide line: each file's path, each number the texts place, and every image placed somewhere
 * (a guide has no end to gather the rest at, as an answer has).
 */
function guideImageIssues(line: Record<string, unknown>): FieldIssue[] {
  const issues = imageListIssues(line.images);
  if (issues.length > 0) return issues;
  const count = (line.images as unknown[]).length;
  const texts: Array<[string, unknown]> = [
    ['overview', line.overview],
    ...(Array.isArray(line.sections)
      ? line.sections.map((s, i): [string, unknown] => [`sections[${i}].body`, isObject(s) ? s.body : undefined])
      : []),
  ];
  const written = texts.filter((t): t is [string, string] => typeof t[1] === 'string');
  for (const [field, body] of written) issues.push(...placementIssues(field, body, count));
  for (const n of unplaced(
    written.map((t) => t[1]),
    count,
  ))
    issues.push({ field: `images[${n - 1}]`, message: `is not placed: put ![description](image:${n}) in the overview or a section` });
  return issues;
}

export function validateGuideRecord(
  value: unknown,
): { record: GuideImport; images: ImportImage[]; issues: [] } | { record: null; issues: FieldIssue[] } {
  if (!isObject(value)) return { record: null, issues: [{ field: '(line)', message: 'must be a JSON object' }] };
  const line = tidy(value);
  const valid = guideLine.check(line);
  const topics = line.topics === undefined ? { issues: [], names: [] } : topicIssues(line.topics);
  const issues = [...guideIssues(line, valid ? NO_REFUSALS : guideLine.refusals(line)), ...topics.issues];
  if (issues.length > 0 || !valid)
    return { record: null, issues: issues.length > 0 ? issues : [{ field: '(line)', message: 'is not a study guide' }] };
  const g = line as GuideLine;
  const clean = {
    subject: g.subject,
    title: g.title.replace(/\s+/g, ' '),
    overview: g.overview,
    sections: g.sections.map((s) => ({ title: s.title.replace(/\s+/g, ' '), body: s.body, membersOnly: s.membersOnly === true })),
  };
  return { record: { ...clean, topics: topics.names, importKey: guideImportKey(clean) }, images: g.images ?? [], issues: [] };
}

/**
 * A guide line, or null when the line is not one (so the question parser takes it). Only lines that mention
 * "guide" are parsed here: a question file of a million lines is not read twice.
 */
export function parseGuideLine(line: string): ParsedGuideLine | null {
  if (!line.includes('"guide"')) return null;
  let value: unknown;
  try {
    value = JSON.parse(line.trim());
  } catch {
    return null;
  }
  if (!isObject(value) || value.type !== 'guide') return null;
  const checked = validateGuideRecord(value);
  return checked.record ? { kind: 'guide', record: checked.record, images: checked.images } : { kind: 'invalid', issues: checked.issues };
}
