import type { FieldIssue } from '../../lib/errors.ts';
import { slugify } from '../../lib/slug.ts';
import { decideAccess } from '../membership/index.ts';
import type { GuideStatus } from './guide.tables.ts';

export type { GuideStatus };

export const GUIDE_TITLE_MIN = 3;
export const GUIDE_TITLE_MAX = 120;
export const OVERVIEW_MAX = 5_000;
export const SECTION_TITLE_MAX = 120;
// Forms arrive urlencoded under a 64 KiB body limit (platform/session.ts); 30,000 characters of prose stays
// well inside it, so a long section is refused with a message next to the field rather than a 413 page.
export const SECTION_BODY_MAX = 30_000;
export const SECTIONS_MAX = 40;
/** Words of a members-only section that readers without membership see before the call to start the trial. */
export const GUIDE_PREVIEW_WORDS = 40;
// A guide's topics follow /ask's limit of five; names are bounded so they read as tags, not sentences.
export const GUIDE_TOPICS_MAX = 5;
export const TOPIC_NAME_MIN = 2;
export const TOPIC_NAME_MAX = 40;
/** Room in the Topics field for the most topics of the longest names, with their separators. */
export const TOPICS_FIELD_MAX = GUIDE_TOPICS_MAX * (TOPIC_NAME_MAX + 2);

export interface GuideSubject {
  id: number;
  slug: string;
  name: string;
}

/** A guide in a list. */
export interface GuideSummary {
  id: number;
  slug: string;
  title: string;
  status: GuideStatus;
  subject: GuideSubject;
  updatedAt: string;
  publishedAt: string | null;
}

export interface GuideSection {
  id: number;
  slug: string;
  title: string;
  position: number;
  membersOnly: boolean;
  body: string;
  bodyHtml: string;
  updatedAt: string;
}

export interface Guide extends GuideSummary {
  overview: string;
  overviewHtml: string;
  createdAt: string;
  sections: GuideSection[];
}

/** One of the guide's subject's topics (the table questions' topics live in too). */
export interface GuideTopic {
  id: number;
  slug: string;
  name: string;
}

/** A guide as its own page and its editor show it: with its topics, by name. */
export interface GuideWithTopics extends Guide {
  topics: GuideTopic[];
}

export interface GuideRevision {
  id: number;
  /** Null: the guide's details (title, subject, overview). */
  sectionId: number | null;
  title: string;
  subjectId: number | null;
  membersOnly: boolean | null;
  body: string;
  authorName: string | null;
  createdAt: string;
}

export function guidePath(g: { slug: string }): string {
  return `/guides/${g.slug}`;
}

export function sectionPath(g: { slug: string }, s: { slug: string }): string {
  return `/guides/${g.slug}/${s.slug}`;
}

/** The download. Slugs are [a-z0-9-] only, so no guide slug can itself end in ".pdf". */
export function guidePdfPath(g: { slug: string }): string {
  return `/guides/${g.slug}.pdf`;
}

export function editorGuidePath(g: { id: number }): string {
  return `/editor/guides/${g.id}`;
}

/** A section as this reader may see it (guide.service presentSections): the whole of it, or (gated) its opening only. */
export interface SectionView {
  slug: string;
  title: string;
  membersOnly: boolean;
  /** Sanitized HTML: the whole section, or for a gated one only the preview cut on the server. */
  html: string;
  gated: boolean;
}

/** The PDF holds every section in full, so only those who may read every members-only section get it. */
export function mayDownload(viewer: { member: boolean } | null): boolean {
  return decideAccess(viewer, { kind: 'guide_pdf' }).full;
}

/** Field values of the guide form and of an import line, before they are checked. */
export interface GuideFields {
  title: string;
  subjectSlug: string;
  overview: string;
  /** Topic names separated by commas, as typed. */
  topics: string;
}

export interface SectionFields {
  title: string;
  body: string;
  membersOnly: boolean;
}

// NUL and other control characters (but tab, newline and carriage return) have no place in content.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/;

/** The problem with a text field, if any: the wording the question import uses, so both read alike. */
export function textIssue(field: string, value: string, min: number, max: number): FieldIssue | null {
  if (CONTROL.test(value)) return { field, message: 'contains control characters' };
  const n = value.trim().length;
  if (n >= min && n <= max) return null;
  if (n === 0) return { field, message: 'must not be empty' };
  return { field, message: `must be ${min} to ${max} characters (got ${n})` };
}

export function validateGuideFields(f: Omit<GuideFields, 'subjectSlug' | 'topics'>, prefix = ''): FieldIssue[] {
  return [
    textIssue(`${prefix}title`, f.title, GUIDE_TITLE_MIN, GUIDE_TITLE_MAX),
    textIssue(`${prefix}overview`, f.overview, 1, OVERVIEW_MAX),
  ].filter((i): i is FieldIssue => i !== null);
}

/** A topic as stored: its name with spacing tidied, and the slug that finds it among its subject's topics. */
export interface TopicName {
  slug: string;
  name: string;
}

/** The problem with one topic name, if any (the name already trimmed). */
export function topicNameIssue(name: string): string | null {
  if (CONTROL.test(name)) return 'contains control characters';
  // The editor's Topics field separates names with commas, so a name holding one could not be saved from there.
  if (name.includes(',')) return 'must not contain a comma';
  if (name.length < TOPIC_NAME_MIN || name.length > TOPIC_NAME_MAX) {
    return `must be ${TOPIC_NAME_MIN} to ${TOPIC_NAME_MAX} characters (got ${name.length})`;
  }
  // Topics are found by slug, and a slug keeps only a-z and 0-9: a name with neither would have no slug of its own.
  if (!/[a-z0-9]/i.test(name.normalize('NFKD'))) return 'needs at least one letter or digit (a-z, 0-9)';
  return null;
}

export const tidyTopic = (name: string): string => name.replace(/\s+/g, ' ').trim();

/**
 * Names that differ only in case, spacing or punctuation are one topic (one slug), as ensureTopic finds them; the
 * first spelling is kept. The caller has checked every name with topicNameIssue.
 */
export function distinctTopics(names: readonly string[]): TopicName[] {
  const bySlug = new Map<string, string>();
  for (const name of names) {
    const slug = slugify(name, 60);
    if (!bySlug.has(slug)) bySlug.set(slug, name);
  }
  return [...bySlug].map(([slug, name]) => ({ slug, name }));
}

/** A name as a message may quote it: without control characters, and the start only of a long one. */
const shown = (name: string) => {
  const clean = name.replace(new RegExp(CONTROL.source, 'g'), '');
  return clean.length > TOPIC_NAME_MAX ? `${clean.slice(0, TOPIC_NAME_MAX)}…` : clean;
};

/** The Topics field of the guide form: names separated by commas, as on /ask; the checked topics or the problem. */
export function parseTopicsField(text: string): { topics: TopicName[] } | { issue: FieldIssue } {
  const names = text
    .split(',')
    .map(tidyTopic)
    .filter((n) => n !== '');
  for (const name of names) {
    const issue = topicNameIssue(name);
    if (issue) return { issue: { field: 'topics', message: `Topic “${shown(name)}” ${issue}.` } };
  }
  const topics = distinctTopics(names);
  if (topics.length > GUIDE_TOPICS_MAX) {
    return { issue: { field: 'topics', message: `Give at most ${GUIDE_TOPICS_MAX} topics, separated by commas (got ${topics.length}).` } };
  }
  return { topics };
}

export function validateSectionFields(f: SectionFields, prefix = ''): FieldIssue[] {
  return [textIssue(`${prefix}title`, f.title, 1, SECTION_TITLE_MAX), textIssue(`${prefix}body`, f.body, 1, SECTION_BODY_MAX)].filter(
    (i): i is FieldIssue => i !== null,
  );
}

/** Letters of the A-Z index: A to Z, and '#' for titles that start with anything else (digits, accents). */
export function indexLetter(title: string): string {
  const first = title
    .replace(/^(the|a|an)\s+/i, '')
    .normalize('NFKD')
    .charAt(0)
    .toUpperCase();
  return /[A-Z]/.test(first) ? first : '#';
}

/** Sort key for the A-Z index: leading articles do not count ("The French Revolution" files under F). */
export function sortTitle(title: string): string {
  return title.replace(/^(the|a|an)\s+/i, '').toLowerCase();
}

/** A checked guide from an import line or the demo content: published as it stands. */
export interface GuideImport {
  /** Subject name, matched by slug and created if new (as for questions). */
  subject: string;
  title: string;
  overview: string;
  sections: SectionFields[];
  /** Topic names in the guide's subject (none when left out), checked with topicNameIssue; created there when new. */
  topics?: string[];
  /** Identity (subject and title) that makes importing the same line twice add nothing. */
  importKey: string;
}
