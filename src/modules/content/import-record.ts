import { createHash } from 'node:crypto';
import type { FieldIssue } from '../../lib/errors.ts';
import { hasSlugText, slugify } from '../../lib/slug.ts';
import { DETAILS_MAX, type Source, TITLE_MAX, TITLE_MIN } from '../questions/index.ts';

/** One line of an import file, after validation. */
export interface ImportRecord {
  subject: string;
  title: string;
  details: string;
  quickAnswer: string;
  answer: string;
  educator: string;
  sources: Source[];
  topics: string[];
}

const FIELDS = ['subject', 'title', 'details', 'quickAnswer', 'answer', 'educator', 'sources', 'topics'] as const;
const ANSWER_MAX = 50_000;
const QUICK_ANSWER_MAX = 1_500;

function didYouMean(field: string): string {
  const norm = field.toLowerCase().replace(/[^a-z]/g, '');
  const hit = FIELDS.find((f) => f.toLowerCase() === norm);
  return hit ? ` (did you mean ${hit}?)` : '';
}

function text(
  obj: Record<string, unknown>,
  field: string,
  issues: FieldIssue[],
  opts: { min: number; max: number; required: boolean },
): string {
  const v = obj[field];
  if (v === undefined || v === null) {
    if (opts.required) issues.push({ field, message: 'is missing' });
    return '';
  }
  if (typeof v !== 'string') {
    issues.push({ field, message: `must be a string, got ${Array.isArray(v) ? 'an array' : typeof v}` });
    return '';
  }
  // NUL and other control characters (but tab and newline) have no place in content.
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(v)) {
    issues.push({ field, message: 'contains control characters' });
    return '';
  }
  const s = v.trim();
  if (s.length < opts.min || s.length > opts.max) {
    issues.push({
      field,
      message: opts.min <= 1 && s.length === 0 ? 'must not be empty' : `must be ${opts.min} to ${opts.max} characters (got ${s.length})`,
    });
  }
  return s;
}

function httpUrl(raw: string): boolean {
  try {
    const u = new URL(raw);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

export function validateImportRecord(value: unknown): { record: ImportRecord; issues: [] } | { record: null; issues: FieldIssue[] } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { record: null, issues: [{ field: '(line)', message: 'must be a JSON object' }] };
  }
  const obj = value as Record<string, unknown>;
  const issues: FieldIssue[] = [];
  for (const key of Object.keys(obj)) {
    if (!(FIELDS as readonly string[]).includes(key) && key !== 'type') {
      issues.push({ field: key, message: `is not a known field${didYouMean(key)}` });
    }
  }
  if (obj.type !== undefined && obj.type !== 'question') {
    issues.push({ field: 'type', message: 'must be "question" (or left out)' });
  }
  const subject = text(obj, 'subject', issues, { min: 1, max: 80, required: true });
  if (subject !== '' && !hasSlugText(subject)) issues.push({ field: 'subject', message: 'needs at least one letter or digit' });
  const title = text(obj, 'title', issues, { min: TITLE_MIN, max: TITLE_MAX, required: true });
  const details = text(obj, 'details', issues, { min: 0, max: DETAILS_MAX, required: false });
  const quickAnswer = text(obj, 'quickAnswer', issues, { min: 1, max: QUICK_ANSWER_MAX, required: true });
  const answer = text(obj, 'answer', issues, { min: 1, max: ANSWER_MAX, required: true });
  const educator = text(obj, 'educator', issues, { min: 1, max: 100, required: true });

  const sources: Source[] = [];
  if (obj.sources !== undefined && obj.sources !== null) {
    if (!Array.isArray(obj.sources)) {
      issues.push({ field: 'sources', message: 'must be an array of strings or {title, url} objects' });
    } else if (obj.sources.length > 30) {
      issues.push({ field: 'sources', message: 'must have at most 30 entries' });
    } else {
      obj.sources.forEach((s: unknown, i: number) => {
        const field = `sources[${i}]`;
        if (typeof s === 'string' && s.trim() !== '' && s.length <= 500) {
          sources.push({ title: s.trim() });
        } else if (typeof s === 'object' && s !== null && !Array.isArray(s)) {
          const o = s as Record<string, unknown>;
          if (typeof o.title !== 'string' || o.title.trim() === '' || o.title.length > 500) {
            issues.push({ field: `${field}.title`, message: 'must be a non-empty string of at most 500 characters' });
          } else if (o.url !== undefined && (typeof o.url !== 'string' || !httpUrl(o.url))) {
            issues.push({ field: `${field}.url`, message: 'must be an http:// or https:// URL' });
          } else {
            sources.push(typeof o.url === 'string' ? { title: o.title.trim(), url: o.url } : { title: o.title.trim() });
          }
        } else {
          issues.push({ field, message: 'must be a non-empty string or a {title, url} object' });
        }
      });
    }
  }

  const topics: string[] = [];
  if (obj.topics !== undefined && obj.topics !== null) {
    if (!Array.isArray(obj.topics) || obj.topics.length > 10) {
      issues.push({ field: 'topics', message: 'must be an array of at most 10 names' });
    } else {
      obj.topics.forEach((t: unknown, i: number) => {
        if (typeof t !== 'string' || t.trim() === '' || t.length > 60 || !hasSlugText(t)) {
          issues.push({ field: `topics[${i}]`, message: 'must be a name of 1 to 60 characters with a letter or digit' });
        } else {
          topics.push(t.trim());
        }
      });
    }
  }

  if (issues.length > 0) return { record: null, issues };
  return { record: { subject, title, details, quickAnswer, answer, educator, sources, topics }, issues: [] };
}

/** Identity of an imported question: its subject and title, ignoring case and spacing. */
export function importKey(record: Pick<ImportRecord, 'subject' | 'title'>): string {
  const norm = `${slugify(record.subject, 60)}\n${record.title.toLowerCase().replace(/\s+/g, ' ').trim()}`;
  return `import:${createHash('sha256').update(norm).digest('hex').slice(0, 40)}`;
}

export type ParsedLine = { kind: 'blank' } | { kind: 'record'; record: ImportRecord } | { kind: 'invalid'; issues: FieldIssue[] };

export function parseImportLine(line: string): ParsedLine {
  const trimmed = line.trim();
  if (trimmed === '') return { kind: 'blank' };
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch (err) {
    const why = err instanceof Error ? err.message.replace(/\s+/g, ' ').slice(0, 120) : 'parse error';
    return { kind: 'invalid', issues: [{ field: '(line)', message: `is not valid JSON: ${why}` }] };
  }
  const { record, issues } = validateImportRecord(value);
  return record ? { kind: 'record', record } : { kind: 'invalid', issues };
}
