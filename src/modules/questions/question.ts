import type { QuestionStatus } from '../../db/database.ts';
import type { ImageVariant } from '../images/index.ts';
import type { GatedText } from '../membership/index.ts';

export type { QuestionStatus };

export interface Source {
  title: string;
  url?: string;
}

/** A question in a list: enough for a link, its subject and a line of its quick answer. */
export interface QuestionSummary {
  id: number;
  slug: string;
  title: string;
  subjectSlug: string;
  subjectName: string;
  publishedAt: string | null;
  quickAnswer: string | null;
}

/** What a link to a question needs (related questions). */
export type QuestionLink = Pick<QuestionSummary, 'id' | 'slug' | 'title'>;

export interface ExpertAnswer {
  bodyHtml: string;
  quickAnswer: string;
  sources: Source[];
  wordCount: number;
  /** profilePath: the author's public profile (educators module), or null when they have none to link. */
  educator: { id: number; name: string; profilePath: string | null };
  approvedBy: { id: number; name: string } | null;
  approvedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A photo the student attached to the question: its files, for `<picture>` (images' PictureView). */
export interface QuestionImage {
  id: number;
  variants: ImageVariant[];
}

export interface QuestionPage {
  id: number;
  slug: string;
  title: string;
  detailsHtml: string;
  status: QuestionStatus;
  createdAt: string;
  updatedAt: string;
  publishedAt: string | null;
  subject: { id: number; slug: string; name: string };
  topics: { id: number; slug: string; name: string }[];
  /** The student's photos, in their order (free to read, like the rest of the question). */
  images: QuestionImage[];
  answer: ExpertAnswer | null;
  related: QuestionLink[];
}

/** The expert answer as one viewer's page shows it: its body already gated (the whole of it, or the preview). */
export interface ExpertAnswerModel extends Omit<ExpertAnswer, 'bodyHtml'> {
  body: GatedText;
  /** The quick answer with its formulas rendered, when it has any (else the page shows `quickAnswer` as text). */
  quickAnswerHtml?: string;
}

/** A question page cut for one viewer (presentQuestionPage): it holds no text that viewer may not read. */
export interface QuestionPageModel extends Omit<QuestionPage, 'answer'> {
  answer: ExpertAnswerModel | null;
}

/**
 * The one set of limits on a question and its expert answer, counted in characters of the text as it is stored
 * (trimmed). The ask form, the answer editor, the import lines and the pages' maxLength all read these numbers, so
 * a question or answer one way in accepts, every other way in would accept too.
 */
export const QUESTION_LIMITS = {
  titleMin: 10,
  titleMax: 200,
  detailsMax: 10_000,
  /** Topics one question is filed under, and the length of a topic's name. */
  topics: 5,
  topicName: 60,
  /** The ask form's Topics field: the names, separated by commas. */
  topicsText: 400,
} as const;

export const ANSWER_LIMITS = {
  /** The expert answer, in Markdown. */
  body: 20_000,
  quickAnswer: 700,
  sources: 20,
  sourceTitle: 200,
  /** The answer editor's Sources field: one source a line, a title and maybe `| address`. */
  sourcesText: 5_000,
} as const;

export function questionPath(q: { id: number; slug: string }): string {
  return `/q/${q.id}/${q.slug}`;
}

const MAX_ID = 2_147_483_647;

/** A question id from a URL segment: digits only, within the integer column's range; otherwise null. */
export function parseQuestionId(raw: string): number | null {
  if (!/^[1-9]\d{0,9}$/.test(raw)) return null;
  const n = Number(raw);
  return n <= MAX_ID ? n : null;
}

/** Where a list page stopped: the last row's publication time and id (keyset pagination, no OFFSET). */
export interface Cursor {
  publishedAt: string;
  id: number;
}

export function encodeCursor(c: Cursor): string {
  return `${Date.parse(c.publishedAt).toString(36)}.${c.id.toString(36)}`;
}

export function decodeCursor(raw: string): Cursor | null {
  const m = /^([0-9a-z]{1,12})\.([0-9a-z]{1,7})$/.exec(raw);
  if (!m) return null;
  const ms = Number.parseInt(m[1] as string, 36);
  const id = Number.parseInt(m[2] as string, 36);
  if (!Number.isSafeInteger(ms) || ms > 253_402_300_799_999 || id < 1 || id > MAX_ID) return null;
  return { publishedAt: new Date(ms).toISOString(), id };
}

/** The `after` cursor of a paged list's address: null for the first page (absent or empty), 'invalid' if damaged. */
export function pageCursor(raw: string | undefined): Cursor | null | 'invalid' {
  if (raw === undefined || raw === '') return null;
  return decodeCursor(raw) ?? 'invalid';
}

/** Only published questions have public pages (asking and review arrive with the queue). */
export function isPublic(q: { status: QuestionStatus }): boolean {
  return q.status === 'published';
}
