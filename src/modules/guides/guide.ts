import type { FieldIssue } from '../../lib/errors.ts';
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

/**
 * Whether this reader gets the whole of a section. A free section is anyone's; a members-only one follows the
 * same rule as an expert answer (decideAccess), so the paywall has one definition of who is a member.
 */
export function sectionAccess(viewer: { member: boolean } | null, section: { membersOnly: boolean }): { full: boolean } {
  if (!section.membersOnly) return { full: true };
  return decideAccess(viewer, { kind: 'expert_answer' });
}

/** The PDF holds every section in full, so only those who may read every members-only section get it. */
export function mayDownload(viewer: { member: boolean } | null): boolean {
  return decideAccess(viewer, { kind: 'expert_answer' }).full;
}

/** Field values of the guide form and of an import line, before they are checked. */
export interface GuideFields {
  title: string;
  subjectSlug: string;
  overview: string;
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

export function validateGuideFields(f: Omit<GuideFields, 'subjectSlug'>, prefix = ''): FieldIssue[] {
  return [
    textIssue(`${prefix}title`, f.title, GUIDE_TITLE_MIN, GUIDE_TITLE_MAX),
    textIssue(`${prefix}overview`, f.overview, 1, OVERVIEW_MAX),
  ].filter((i): i is FieldIssue => i !== null);
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
  /** Identity (subject and title) that makes importing the same line twice add nothing. */
  importKey: string;
}
