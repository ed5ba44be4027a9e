import { createHash } from 'node:crypto';
import { type Static, Type } from 'typebox';
import { Compile } from 'typebox/compile';
import type { FieldIssue } from '../../lib/errors.ts';
import { hasSlugText, slugify } from '../../lib/slug.ts';
import { GUIDE_TITLE_MAX, GUIDE_TITLE_MIN, OVERVIEW_MAX, SECTION_BODY_MAX, SECTION_TITLE_MAX, SECTIONS_MAX } from '../guides/index.ts';
import { ANSWER_LIMITS, QUESTION_LIMITS, type Source } from '../questions/index.ts';
import { ImageList, type ImportImage, imageListIssues, placementIssues, tidyImages } from './import-images.ts';
import {
  CONTROL,
  isObject,
  listCheck,
  NO_REFUSALS,
  objectCheck,
  text,
  textIssues,
  tidyObject,
  trimmed,
  unknownIssues,
} from './line-check.ts';

// The lines of an import file, as TypeBox schemas: one JSON object a line, a question (the default) or a study guide
// ("type": "guide", checked in import-guide.ts). Their limits are the ones the ask form, the answer editor and the
// guide editor use, so whatever is imported could be typed in as it stands. The schemas decide what is wrong; the
// messages say it a field (or list entry) at a time, and the import service puts the line number in front.

/** Names of subjects and people: room for any real one. They are the subjects' and accounts' own, not a question's. */
export const SUBJECT_MAX = 80;
const EDUCATOR_MAX = 100;

/** The text fields of a question line and their limits, in the order their problems are reported. */
const QUESTION_TEXT = {
  subject: { min: 1, max: SUBJECT_MAX },
  title: { min: QUESTION_LIMITS.titleMin, max: QUESTION_LIMITS.titleMax },
  details: { min: 0, max: QUESTION_LIMITS.detailsMax },
  quickAnswer: { min: 1, max: ANSWER_LIMITS.quickAnswer },
  answer: { min: 1, max: ANSWER_LIMITS.body },
  educator: { min: 1, max: EDUCATOR_MAX },
} as const;
const questionText = (f: keyof typeof QUESTION_TEXT) => text(QUESTION_TEXT[f].min, QUESTION_TEXT[f].max);

const SourceTitle = text(1, ANSWER_LIMITS.sourceTitle);
/** A source: its title, or `{ "title": ..., "url": "https://..." }`. */
const Sources = Type.Array(Type.Union([SourceTitle, Type.Object({ title: SourceTitle, url: Type.Optional(text()) })]), {
  maxItems: ANSWER_LIMITS.sources,
});
const Topics = Type.Array(text(1, QUESTION_LIMITS.topicName), { maxItems: QUESTION_LIMITS.topics });

/** A question line with its expert answer, as it reads once tidied: text trimmed, fields given as null left out. */
export const QuestionLine = Type.Object(
  {
    type: Type.Optional(Type.Literal('question')),
    subject: questionText('subject'),
    title: questionText('title'),
    details: Type.Optional(questionText('details')),
    quickAnswer: questionText('quickAnswer'),
    answer: questionText('answer'),
    educator: questionText('educator'),
    sources: Type.Optional(Sources),
    topics: Type.Optional(Topics),
    /** Image files for the answer, placed in it as image:1, image:2, … (import-images.ts). */
    images: Type.Optional(ImageList),
  },
  { additionalProperties: false },
);
export type QuestionLine = Static<typeof QuestionLine>;

/** A section of a guide line. */
export const SectionLine = Type.Object(
  { title: text(1, SECTION_TITLE_MAX), body: text(1, SECTION_BODY_MAX), membersOnly: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);

/**
 * A study guide line, tidied as a question line is. Its topic names are checked by the guides module's own rule
 * (topicNameIssue), and how many there are once spellings of one topic count once, in import-guide.ts.
 */
export const GuideLine = Type.Object(
  {
    type: Type.Literal('guide'),
    subject: text(1, SUBJECT_MAX),
    title: text(GUIDE_TITLE_MIN, GUIDE_TITLE_MAX),
    overview: text(1, OVERVIEW_MAX),
    sections: Type.Array(SectionLine, { minItems: 1, maxItems: SECTIONS_MAX }),
    topics: Type.Optional(Type.Array(text())),
    /** Image files the overview and sections place as image:1, image:2, … (import-images.ts). */
    images: Type.Optional(ImageList),
  },
  { additionalProperties: false },
);
export type GuideLine = Static<typeof GuideLine>;

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
  /** Files the answer places by number; read and stored by the import (none for most lines). */
  images: ImportImage[];
}

// Compiled once, at start-up.
const questionLine = objectCheck(QuestionLine);
const sources = listCheck(Sources);
const topics = listCheck(Topics);
const sourceTitle = Compile(SourceTitle);

/** The line as it would be stored: text trimmed (in lists too), fields given as null left out. */
function tidy(obj: Record<string, unknown>): Record<string, unknown> {
  const line = tidyObject(obj, ['type', 'sources', 'topics', 'images']);
  for (const key of ['sources', 'topics']) {
    const list = line[key];
    if (Array.isArray(list)) line[key] = list.map((v) => (isObject(v) ? { ...v, title: trimmed(v.title) } : trimmed(v)));
  }
  if (line.images !== undefined) line.images = tidyImages(line.images);
  return line;
}

function httpUrl(raw: string): boolean {
  try {
    const u = new URL(raw);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/** `valid`: the whole line passed the schema, so only the checks of meaning are left. */
function sourceIssues(list: unknown, valid: boolean): FieldIssue[] {
  if (!valid && !sources.shapeOk(list)) {
    const message = Array.isArray(list)
      ? `must have at most ${ANSWER_LIMITS.sources} entries`
      : 'must be an array of strings or {title, url} objects';
    return [{ field: 'sources', message }];
  }
  return (list as unknown[]).flatMap((s, i): FieldIssue[] => {
    const field = `sources[${i}]`;
    if (valid || sources.entryOk(s)) {
      // The schema takes any text as an address; whether it is a web address is a check of meaning.
      const bad = isObject(s) && typeof s.url === 'string' && !httpUrl(s.url);
      return bad ? [{ field: `${field}.url`, message: 'must be an http:// or https:// URL' }] : [];
    }
    if (!isObject(s)) {
      const control = typeof s === 'string' && CONTROL.test(s);
      return [{ field, message: control ? 'contains control characters' : 'must be a non-empty string or a {title, url} object' }];
    }
    if (!sourceTitle.Check(s.title))
      return [{ field: `${field}.title`, message: `must be a non-empty string of at most ${ANSWER_LIMITS.sourceTitle} characters` }];
    return [{ field: `${field}.url`, message: 'must be an http:// or https:// URL' }];
  });
}

function topicIssues(list: unknown, valid: boolean): FieldIssue[] {
  if (!valid && !topics.shapeOk(list)) return [{ field: 'topics', message: `must be an array of at most ${QUESTION_LIMITS.topics} names` }];
  const message = `must be a name of 1 to ${QUESTION_LIMITS.topicName} characters with a letter or digit`;
  // A topic's slug is its identity, so a name must make one (a check of meaning, past the schema).
  return (list as unknown[]).flatMap((t, i) =>
    (valid || topics.entryOk(t)) && hasSlugText(t as string) ? [] : [{ field: `topics[${i}]`, message }],
  );
}

/** Every problem of a tidied question line, in a fixed order: one message a field or list entry. */
function questionIssues(line: Record<string, unknown>, valid: boolean): FieldIssue[] {
  const refused = valid ? NO_REFUSALS : questionLine.refusals(line);
  const issues = unknownIssues(refused, questionLine.fields);
  if (refused.wrong.has('type')) issues.push({ field: 'type', message: 'must be "question" (or left out)' });
  issues.push(...textIssues(line, QUESTION_TEXT, refused));
  if (typeof line.subject === 'string' && !refused.wrong.has('subject') && !hasSlugText(line.subject))
    issues.push({ field: 'subject', message: 'needs at least one letter or digit' });
  if (line.sources !== undefined) issues.push(...sourceIssues(line.sources, valid));
  if (line.topics !== undefined) issues.push(...topicIssues(line.topics, valid));
  if (line.images !== undefined) {
    // Checked on a valid line too: the schema cannot say where a path leads (absolute, or ".." out of the folder).
    const imageIssues = imageListIssues(line.images);
    issues.push(...imageIssues);
    if (imageIssues.length === 0 && typeof line.answer === 'string')
      issues.push(...placementIssues('answer', line.answer, (line.images as unknown[]).length));
  }
  return issues;
}

export function validateImportRecord(value: unknown): { record: ImportRecord; issues: [] } | { record: null; issues: FieldIssue[] } {
  if (!isObject(value)) return { record: null, issues: [{ field: '(line)', message: 'must be a JSON object' }] };
  const line = tidy(value);
  const valid = questionLine.check(line);
  // A line the schema takes may still fail a check of meaning (a name that makes no slug, an address).
  const issues = questionIssues(line, valid);
  if (issues.length > 0 || !valid)
    return { record: null, issues: issues.length > 0 ? issues : [{ field: '(line)', message: 'is not a question' }] };
  const q = line as QuestionLine;
  return {
    record: {
      subject: q.subject,
      title: q.title,
      details: q.details ?? '',
      quickAnswer: q.quickAnswer,
      answer: q.answer,
      educator: q.educator,
      sources: (q.sources ?? []).map((s) =>
        typeof s === 'string' ? { title: s } : s.url === undefined ? { title: s.title } : { title: s.title, url: s.url },
      ),
      topics: q.topics ?? [],
      images: q.images ?? [],
    },
    issues: [],
  };
}

/** Identity of an imported question: its subject and title, ignoring case and spacing. */
export function importKey(record: Pick<ImportRecord, 'subject' | 'title'>): string {
  const norm = `${slugify(record.subject, 60)}\n${record.title.toLowerCase().replace(/\s+/g, ' ').trim()}`;
  return `import:${createHash('sha256').update(norm).digest('hex').slice(0, 40)}`;
}

export type ParsedLine = { kind: 'blank' } | { kind: 'record'; record: ImportRecord } | { kind: 'invalid'; issues: FieldIssue[] };

export function parseImportLine(line: string): ParsedLine {
  const trimmedLine = line.trim();
  if (trimmedLine === '') return { kind: 'blank' };
  let value: unknown;
  try {
    value = JSON.parse(trimmedLine);
  } catch (err) {
    const why = err instanceof Error ? err.message.replace(/\s+/g, ' ').slice(0, 120) : 'parse error';
    return { kind: 'invalid', issues: [{ field: '(line)', message: `is not valid JSON: ${why}` }] };
  }
  const { record, issues } = validateImportRecord(value);
  return record ? { kind: 'record', record } : { kind: 'invalid', issues };
}
