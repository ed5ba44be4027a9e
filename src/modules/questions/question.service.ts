import type { Kysely } from 'kysely';
import type { Engine } from '../../db/connect.ts';
import type { Database } from '../../db/database.ts';
import { renderMarkdown, renderTextWithMath } from '../../lib/markdown.ts';
import { MATH_MARK } from '../../lib/math.ts';
import { slugify } from '../../lib/slug.ts';
import { countMarkdownWords } from '../../lib/summarize.ts';
import { type Clock, isoNow, systemClock } from '../../lib/time.ts';
import type { Caches } from '../../platform/caches.ts';
import { picturesFor, recordImageUses } from '../images/index.ts';
import { gateText, type PreviewMemo } from '../membership/index.ts';
import { roughStem, STOP_WORDS, similarByTerms } from '../search/index.ts';
import { findSubjectBySlug, type Subject } from '../subjects/index.ts';
import * as repo from './question.repository.ts';
import {
  type Cursor,
  encodeCursor,
  isPublic,
  type QuestionImage,
  type QuestionLink,
  type QuestionPage,
  type QuestionPageModel,
  type QuestionSummary,
  type Source,
} from './question.ts';
import { rankRelated, type TermRules } from './related.ts';

type Db = Kysely<Database>;

export const PAGE_SIZE = 20;
export const RELATED_LIMIT = 5;
/**
 * Candidates read for a related list: the newest sharing each of the page's first RELATED_TOPICS topics, and the
 * newest of its subject. Enough for the shared words to choose among, few enough to read in well under a
 * millisecond whatever the size of the site (the cost of a visitor's first view of a page).
 */
const PER_TOPIC = 40;
const PER_SUBJECT = 40;
const RELATED_TOPICS = 3;
/**
 * How long a question's related list is kept before it is worked out again: as long as a visitor's cached page
 * keeps it (PAGE_CACHE_TTL_SECONDS' default), so questions published meanwhile get their place. A question hidden
 * or unpublished meanwhile leaves the list at once: the rows are read, published ones only, on every request.
 */
const RELATED_TTL_MS = 5 * 60_000;
/** Related questions kept beyond those shown, to take the place of any hidden or unpublished meanwhile. */
const RELATED_SPARES = 5;
type Page = Omit<QuestionPage, 'related'>;
const TERM_RULES: TermRules = { stopWords: STOP_WORDS, stem: roughStem };

/**
 * Questions sharing a topic, then the rest of the subject (related.ts ranks them); questions of other subjects
 * only when the subject has run out, and then only those sharing a rare title word.
 */
async function workOutRelated(database: { db: Db; engine: Engine }, page: Page): Promise<number[]> {
  const want = RELATED_LIMIT + RELATED_SPARES;
  const pools = await repo.findRelatedPools(database.db, {
    questionId: page.id,
    subjectId: page.subject.id,
    topicIds: page.topics.map((t) => t.id),
    perTopic: PER_TOPIC,
    perSubject: PER_SUBJECT,
    topics: RELATED_TOPICS,
  });
  const ids = rankRelated(page.title, pools, page.id, want, TERM_RULES);
  if (ids.length >= want) return ids;
  const terms = await similarByTerms(database, { text: page.title, excludeId: page.id, limit: want * 2, rareOnly: true });
  for (const t of terms) if (ids.length < want && !ids.includes(t.id)) ids.push(t.id);
  return ids;
}

async function relatedTo(
  database: { db: Db; engine: Engine },
  caches: Pick<Caches, 'related' | 'reads'>,
  page: Page,
  now: number,
): Promise<QuestionLink[]> {
  const lists = caches.related;
  // The rows are read again whenever anything is committed, so a question hidden meanwhile leaves the list at once.
  const linksOf = (ids: number[]) => caches.reads.read(`links:${ids.join(',')}`, () => repo.findLinks(database.db, ids, RELATED_LIMIT));
  const basis = `${page.subject.id}|${page.topics.map((t) => t.id).join(',')}|${page.title}`;
  let entry = lists.get(page.id);
  if (entry && (entry.basis !== basis || entry.expires <= now)) entry = undefined;
  let fresh = false;
  if (!entry) {
    entry = { basis, ids: await workOutRelated(database, page), expires: now + RELATED_TTL_MS };
    lists.set(page.id, entry);
    fresh = true;
  }

  let rows = await linksOf(entry.ids);
  // More left than the spares absorbed: work the list out again rather than show a short one.
  if (!fresh && rows.length < Math.min(RELATED_LIMIT, entry.ids.length)) {
    entry.ids = await workOutRelated(database, page);
    entry.expires = now + RELATED_TTL_MS;
    rows = await linksOf(entry.ids);
  }
  return rows;
}

/** A published question's page, or undefined when there is none to show. */
export async function getQuestionPage(
  deps: { database: { db: Db; engine: Engine }; caches: Pick<Caches, 'related' | 'reads'>; clock: Clock },
  id: number,
): Promise<QuestionPage | undefined> {
  const page = await deps.caches.reads.read(`question:${id}`, () => repo.findQuestionPage(deps.database.db, id));
  if (!page || !isPublic(page)) return undefined;
  return { ...page, related: await relatedTo(deps.database, deps.caches, page, deps.clock.now().getTime()) };
}

/**
 * The photos attached to a question, whatever its status (the educator answering it and the editor reviewing it see
 * them too). Live ones only, in the student's order.
 */
export function listQuestionImages(db: Db, questionId: number): Promise<QuestionImage[]> {
  return repo.findQuestionImages(db, questionId);
}

/** Published questions having this topic, newest first (study guides list them as related). */
export function listQuestionsOfTopic(db: Db, topicId: number, limit: number): Promise<QuestionSummary[]> {
  return repo.listOfTopic(db, topicId, limit);
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
  // Images the answer places (an import's diagrams) were stored before; a text without any costs no query.
  const images = await picturesFor({ db }, input.answer);
  if (images.ids.length > 0) await recordImageUses(db, 'answer', questionId, images.ids);
  await repo.insertAnswer(db, {
    question_id: questionId,
    educator_id: input.educatorId,
    body: input.answer,
    body_html: renderMarkdown(input.answer, { pictures: images.pictures }),
    quick_answer: input.quickAnswer,
    sources: JSON.stringify(input.sources),
    word_count: countMarkdownWords(input.answer),
    approved_by: input.approvedBy ?? null,
    approved_at: input.approvedBy ? publishedAt : null,
    created_at: publishedAt,
    updated_at: publishedAt,
  });
  return questionId;
}

export { findExistingImportKeys } from './question.repository.ts';

/**
 * The page as this viewer may see it: the expert answer passes through the one gate (membership's gateText), so
 * for a reader without membership the model holds the preview and not the answer. The Markdown for the preview is
 * read only when one is needed.
 */
export async function presentQuestionPage(
  deps: { db: Db; previews: PreviewMemo },
  viewer: { member: boolean } | null,
  page: QuestionPage,
  previewWords: number,
): Promise<QuestionPageModel> {
  if (!page.answer) return { ...page, answer: null };
  const { bodyHtml, ...answer } = page.answer;
  const body = await gateText(
    viewer,
    { kind: 'expert_answer' },
    {
      // The same key search uses, so a preview is cut once per answer version for both.
      key: `${page.id}:${answer.updatedAt}`,
      html: bodyHtml,
      markdown: async () => (await repo.findAnswerMarkdown(deps.db, page.id))?.body ?? '',
    },
    { words: previewWords, memo: deps.previews },
  );
  return { ...page, answer: { ...answer, body, ...quickAnswerMath(deps.previews, `${page.id}:${answer.updatedAt}`, answer.quickAnswer) } };
}

/** A quick answer with formulas, rendered once per answer version (KaTeX is too slow to run per request). */
function quickAnswerMath(memo: PreviewMemo, key: string, text: string): { quickAnswerHtml?: string } {
  if (!text.includes('$')) return {};
  const k = `${key}:quick`;
  let rendered = memo.get(k);
  if (!rendered) {
    rendered = { html: renderTextWithMath(text), cut: false };
    memo.set(k, rendered);
  }
  return rendered.html.includes(MATH_MARK) ? { quickAnswerHtml: rendered.html } : {};
}

const newestFirst = (a: QuestionSummary, b: QuestionSummary) => (b.publishedAt ?? '').localeCompare(a.publishedAt ?? '') || b.id - a.id;

/**
 * A study guide's related questions: published questions sharing one of its topics, newest first, then the newest
 * of its subject. At most `limit` rows from each of the guide's few topics, and one page of the subject. Here rather
 * than in the guides module, which would otherwise depend on questions while questions depend on search and
 * search on guides.
 */
export async function questionsForGuide(
  db: Db,
  guide: { subject: { slug: string }; topics: ReadonlyArray<{ id: number }> },
  limit = RELATED_LIMIT,
): Promise<QuestionSummary[]> {
  const sharing = new Map<number, QuestionSummary>();
  for (const t of guide.topics) for (const q of await listQuestionsOfTopic(db, t.id, limit)) sharing.set(q.id, q);
  const related = [...sharing.values()].sort(newestFirst).slice(0, limit);
  if (related.length < limit) {
    // A subject page holds more questions than the limit, so it has enough left once those already listed are set aside.
    const page = await getSubjectPage(db, guide.subject.slug, null);
    for (const q of page?.questions ?? []) if (related.length < limit && !sharing.has(q.id)) related.push(q);
  }
  return related;
}
