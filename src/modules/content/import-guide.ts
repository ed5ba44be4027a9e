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
  type SectionFields,
  textIssue,
  tidyTopic,
  topicNameIssue,
} from '../guides/index.ts';

// Study guides in an import file: one JSON object a line with "type": "guide". The checks and their wording follow
// the question lines (import-record.ts): every problem names its field, and the import service adds the line.

const FIELDS = ['type', 'subject', 'title', 'overview', 'sections', 'topics'] as const;
const SECTION_FIELDS = ['title', 'body', 'membersOnly'] as const;

export type ParsedGuideLine = { kind: 'guide'; record: GuideImport } | { kind: 'invalid'; issues: FieldIssue[] };

/** Edit distance (insertions, deletions, substitutions), for suggesting the field a typo meant. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length] as number;
}

function didYouMean(field: string, known: readonly string[]): string {
  const norm = field.toLowerCase().replace(/[^a-z]/g, '');
  const hit = known.find((f) => f.toLowerCase() === norm) ?? known.find((f) => distance(f.toLowerCase(), norm) <= 2);
  return hit ? ` (did you mean ${hit}?)` : '';
}

function unknownFields(obj: Record<string, unknown>, known: readonly string[], prefix: string, issues: FieldIssue[]): void {
  for (const key of Object.keys(obj)) {
    if (!known.includes(key)) issues.push({ field: `${prefix}${key}`, message: `is not a known field${didYouMean(key, known)}` });
  }
}

/** A text field checked by the same rules (and words) as the editor's form; null when it is not usable. */
function str(
  obj: Record<string, unknown>,
  field: string,
  prefix: string,
  issues: FieldIssue[],
  limits: { min: number; max: number },
): string | null {
  const v = obj[field];
  const name = `${prefix}${field}`;
  if (v === undefined || v === null) {
    issues.push({ field: name, message: 'is missing' });
    return null;
  }
  if (typeof v !== 'string') {
    issues.push({ field: name, message: `must be a string, got ${Array.isArray(v) ? 'an array' : typeof v}` });
    return null;
  }
  const issue = textIssue(name, v, limits.min, limits.max);
  if (issue) {
    issues.push(issue);
    return null;
  }
  return v.trim();
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Identity of an imported guide: its subject and title, ignoring case and spacing. */
export function guideImportKey(g: { subject: string; title: string }): string {
  const norm = `${slugify(g.subject, 60)}\n${g.title.toLowerCase().replace(/\s+/g, ' ').trim()}`;
  return `guide:${createHash('sha256').update(norm).digest('hex').slice(0, 40)}`;
}

/**
 * The optional "topics" array, in the words of the question lines' topics, but within the limits of the editor's
 * Topics field, so that a guide imported can be saved again from the editor as it stands.
 */
function topicNames(raw: unknown, issues: FieldIssue[]): string[] {
  if (raw === undefined || raw === null) return [];
  const shape = `must be an array of at most ${GUIDE_TOPICS_MAX} names`;
  if (!Array.isArray(raw)) {
    issues.push({ field: 'topics', message: shape });
    return [];
  }
  const names: string[] = [];
  raw.forEach((t: unknown, i: number) => {
    const field = `topics[${i}]`;
    if (typeof t !== 'string') {
      issues.push({ field, message: `must be a string, got ${t === null ? 'null' : Array.isArray(t) ? 'an array' : typeof t}` });
      return;
    }
    const name = tidyTopic(t);
    const issue = topicNameIssue(name);
    if (issue) issues.push({ field, message: name === '' ? 'must not be empty' : issue });
    else names.push(name);
  });
  // Spellings of one topic ("Drama", "drama") count once, as they are stored once.
  if (distinctTopics(names).length > GUIDE_TOPICS_MAX) issues.push({ field: 'topics', message: shape });
  return distinctTopics(names).map((t) => t.name);
}

export function validateGuideRecord(value: unknown): { record: GuideImport; issues: [] } | { record: null; issues: FieldIssue[] } {
  if (!isObject(value)) return { record: null, issues: [{ field: '(line)', message: 'must be a JSON object' }] };
  const issues: FieldIssue[] = [];
  unknownFields(value, FIELDS, '', issues);
  if (value.type !== 'guide') issues.push({ field: 'type', message: 'must be "guide"' });

  const subject = str(value, 'subject', '', issues, { min: 1, max: 80 });
  if (subject !== null && !hasSlugText(subject)) {
    issues.push({ field: 'subject', message: 'needs at least one letter or digit' });
  }
  const title = str(value, 'title', '', issues, { min: GUIDE_TITLE_MIN, max: GUIDE_TITLE_MAX });
  const overview = str(value, 'overview', '', issues, { min: 1, max: OVERVIEW_MAX });

  const sections: SectionFields[] = [];
  const raw = value.sections;
  if (raw === undefined || raw === null) {
    issues.push({ field: 'sections', message: 'is missing' });
  } else if (!Array.isArray(raw) || raw.length === 0 || raw.length > SECTIONS_MAX) {
    issues.push({ field: 'sections', message: `must be an array of 1 to ${SECTIONS_MAX} sections` });
  } else {
    raw.forEach((s: unknown, i: number) => {
      const prefix = `sections[${i}].`;
      if (!isObject(s)) {
        issues.push({ field: `sections[${i}]`, message: 'must be an object with title, body and membersOnly' });
        return;
      }
      unknownFields(s, SECTION_FIELDS, prefix, issues);
      const sTitle = str(s, 'title', prefix, issues, { min: 1, max: SECTION_TITLE_MAX });
      const body = str(s, 'body', prefix, issues, { min: 1, max: SECTION_BODY_MAX });
      if (s.membersOnly !== undefined && s.membersOnly !== null && typeof s.membersOnly !== 'boolean') {
        issues.push({ field: `${prefix}membersOnly`, message: 'must be true or false' });
      }
      if (sTitle !== null && body !== null)
        sections.push({ title: sTitle.replace(/\s+/g, ' '), body, membersOnly: s.membersOnly === true });
    });
  }

  const topics = topicNames(value.topics, issues);

  if (issues.length > 0 || subject === null || title === null || overview === null) return { record: null, issues };
  const clean = { subject, title: title.replace(/\s+/g, ' '), overview, sections };
  return { record: { ...clean, topics, importKey: guideImportKey(clean) }, issues: [] };
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
  const { record, issues } = validateGuideRecord(value);
  return record ? { kind: 'guide', record } : { kind: 'invalid', issues };
}
