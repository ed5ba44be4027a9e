import type { Kysely } from 'kysely';
import type { Engine } from '../../db/connect.ts';
import type { Database } from '../../db/database.ts';
import { markdownToText, renderMarkdown } from '../../lib/markdown.ts';
import { slugify } from '../../lib/slug.ts';
import { countWords } from '../../lib/text.ts';
import { type Clock, isoNow, systemClock } from '../../lib/time.ts';
import { findSubjectBySlug, type Subject } from '../subjects/index.ts';
import * as repo from './question.repository.ts';
import { type Cursor, encodeCursor, isPublic, type QuestionPage, type QuestionSummary, type Source } from './question.ts';

type Db = Kysely<Database>;

export const PAGE_SIZE = 20;
export const RELATED_LIMIT = 5;

/** A published question's page, or undefined when there is none to show. */
export async function getQuestionPage(db: Db, id: number): Promise<QuestionPage | undefined> {
  const page = await repo.findQuestionPage(db, id);
  if (!page || !isPublic(page)) return undefined;
  const related = await repo.listRelated(db, {
    questionId: page.id,
    subjectId: page.subject.id,
    topicIds: page.topics.map((t) => t.id),
    limit: RELATED_LIMIT,
  });
  return { ...page, related };
}

/** The version of a published question's page (see findQuestionVersion), or undefined when it has no page. */
export async function getQuestionVersion(db: Db, id: number): Promise<{ slug: string; version: string } | undefined> {
  const v = await repo.findQuestionVersion(db, id);
  return v && isPublic(v) ? v : undefined;
}

export function listRecentlyAnswered(db: Db, limit = 10): Promise<QuestionSummary[]> {
  return repo.listPublished(db, { limit });
}

export interface SubjectPage {
  subject: Subject;
  questions: QuestionSummary[];
  /** Cursor of the next (older) page, if there is one. */
  next: string | null;
}

export async function getSubjectPage(db: Db, slug: string, after: Cursor | null): Promise<SubjectPage | undefined> {
  const subject = await findSubjectBySlug(db, slug);
  if (!subject) return undefined;
  const rows = await repo.listPublished(db, { subjectId: subject.id, after, limit: PAGE_SIZE + 1 });
  const questions = rows.slice(0, PAGE_SIZE);
  const last = questions[questions.length - 1];
  const next = rows.length > PAGE_SIZE && last?.publishedAt ? encodeCursor({ publishedAt: last.publishedAt, id: last.id }) : null;
  return { subject, questions, next };
}

export function searchQuestionTitles(db: Db, engine: Engine, text: string, limit = PAGE_SIZE): Promise<QuestionSummary[]> {
  return repo.searchTitles(db, engine, text, limit);
}

export interface PublishedQuestionInput {
  subjectId: number;
  topicIds: readonly number[];
  title: string;
  details: string;
  askerId?: number | null;
  educatorId: number;
  answer: string;
  quickAnswer: string;
  sources: readonly Source[];
  approvedBy?: number | null;
  importKey?: string | null;
  /** When the question was answered; defaults to now. */
  publishedAt?: string;
}

/**
 * Stores a question together with its published expert answer (imports, demo content).
 * Markdown is rendered and sanitized here, once, so pages serve stored HTML.
 */
export async function createPublishedQuestion(db: Db, input: PublishedQuestionInput, clock: Clock = systemClock): Promise<number> {
  const now = isoNow(clock);
  const publishedAt = input.publishedAt ?? now;
  const questionId = await repo.insertQuestion(db, {
    slug: slugify(input.title),
    title: input.title,
    details: input.details,
    details_html: renderMarkdown(input.details),
    subject_id: input.subjectId,
    asker_id: input.askerId ?? null,
    status: 'published',
    created_at: publishedAt,
    updated_at: publishedAt,
    published_at: publishedAt,
    import_key: input.importKey ?? null,
  });
  await repo.insertQuestionTopics(db, questionId, input.topicIds);
  await repo.insertAnswer(db, {
    question_id: questionId,
    educator_id: input.educatorId,
    body: input.answer,
    body_html: renderMarkdown(input.answer),
    quick_answer: input.quickAnswer,
    sources: JSON.stringify(input.sources),
    word_count: countWords(markdownToText(input.answer)),
    approved_by: input.approvedBy ?? null,
    approved_at: input.approvedBy ? publishedAt : null,
    created_at: publishedAt,
    updated_at: publishedAt,
  });
  return questionId;
}

export { findAnswerMarkdown, findExistingImportKeys } from './question.repository.ts';
