import type { Kysely } from 'kysely';
import { compileOnce } from '../../db/compiled.ts';
import type { Database, NewAnswer, NewQuestion } from '../../db/database.ts';
import { educatorPath, mayHaveProfile } from '../educators/index.ts';
import type { Cursor, QuestionImage, QuestionLink, QuestionPage, QuestionStatus, QuestionSummary, Source } from './question.ts';
import type { RelatedCandidate, RelatedPools } from './related.ts';

type Db = Kysely<Database>;

export async function insertQuestion(db: Db, q: NewQuestion): Promise<number> {
  const { id } = await db.insertInto('questions').values(q).returning('id').executeTakeFirstOrThrow();
  return id;
}

export async function insertQuestionTopics(db: Db, questionId: number, topicIds: readonly number[]): Promise<void> {
  if (topicIds.length === 0) return;
  await db
    .insertInto('question_topics')
    .values([...new Set(topicIds)].map((topic_id) => ({ question_id: questionId, topic_id })))
    .execute();
}

export async function insertAnswer(db: Db, a: NewAnswer): Promise<number> {
  const { id } = await db.insertInto('answers').values(a).returning('id').executeTakeFirstOrThrow();
  return id;
}

/** Which of these import keys already have a question. */
export async function findExistingImportKeys(db: Db, keys: readonly string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const rows = await db.selectFrom('questions').select('import_key').where('import_key', 'in', keys).execute();
  return new Set(rows.map((r) => r.import_key as string));
}

function parseSources(json: string): Source[] {
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) ? (v as Source[]) : [];
  } catch {
    return [];
  }
}

const versionQuery = compileOnce((db: Db, id: number) =>
  db
    .selectFrom('questions as q')
    .leftJoin('answers as a', 'a.question_id', 'q.id')
    .select(['q.slug', 'q.status', 'q.updated_at', 'a.updated_at as answer_updated_at'])
    .where('q.id', '=', id),
);

/**
 * What decides whether a stored rendering of the page is still right: the canonical slug, the status and the
 * last change of the question and of its answer. One primary-key lookup.
 */
export async function findQuestionVersion(
  db: Db,
  id: number,
): Promise<{ slug: string; status: QuestionStatus; version: string } | undefined> {
  const [row] = await versionQuery(db, id);
  if (!row) return undefined;
  return { slug: row.slug, status: row.status, version: `${row.status}|${row.slug}|${row.updated_at}|${row.answer_updated_at ?? ''}` };
}

const pageQuery = compileOnce((db: Db, id: number) =>
  db
    .selectFrom('questions as q')
    .innerJoin('subjects as s', 's.id', 'q.subject_id')
    .leftJoin('answers as a', 'a.question_id', 'q.id')
    .leftJoin('users as e', 'e.id', 'a.educator_id')
    .leftJoin('users as ap', 'ap.id', 'a.approved_by')
    .select([
      'q.id',
      'q.slug',
      'q.title',
      'q.details_html',
      'q.status',
      'q.created_at',
      'q.updated_at',
      'q.published_at',
      's.id as subject_id',
      's.slug as subject_slug',
      's.name as subject_name',
      'a.id as answer_id',
      'a.body_html',
      'a.quick_answer',
      'a.sources',
      'a.word_count',
      'a.approved_at',
      'a.created_at as answer_created_at',
      'a.updated_at as answer_updated_at',
      'e.id as educator_id',
      'e.name as educator_name',
      'e.role as educator_role',
      'e.deleted_at as educator_deleted_at',
      'e.suspended_at as educator_suspended_at',
      'ap.id as approver_id',
      'ap.name as approver_name',
      // Most questions have no photos: a probe of question_images' key here spares them a query of their own.
      (eb) =>
        eb.exists(eb.selectFrom('question_images as qi').select('qi.position').whereRef('qi.question_id', '=', 'q.id')).as('has_images'),
    ])
    .where('q.id', '=', id),
);

const topicsQuery = compileOnce((db: Db, id: number) =>
  db
    .selectFrom('question_topics as qt')
    .innerJoin('topics as t', 't.id', 'qt.topic_id')
    .select(['t.id', 't.slug', 't.name'])
    .where('qt.question_id', '=', id)
    .orderBy('t.name'),
);

// One row per file: the photos in the student's order, each file with its format and width.
const imagesQuery = compileOnce((db: Db, id: number) =>
  db
    .selectFrom('question_images as qi')
    .innerJoin('images as i', 'i.id', 'qi.image_id')
    .innerJoin('image_variants as v', 'v.image_id', 'i.id')
    .select(['i.id', 'v.format', 'v.width', 'v.height', 'v.blob_key', 'v.bytes'])
    .where('qi.question_id', '=', id)
    // A photo a moderator removed leaves the page (its files answer 410).
    .where('i.removed_at', 'is', null)
    .orderBy('qi.position')
    .orderBy('v.format')
    .orderBy('v.width'),
);

/** The question's photos that are still live, in the student's order. */
export async function findQuestionImages(db: Db, questionId: number): Promise<QuestionImage[]> {
  const images = new Map<number, QuestionImage>();
  for (const r of await imagesQuery(db, questionId)) {
    const id = Number(r.id);
    let image = images.get(id);
    if (!image) {
      image = { id, variants: [] };
      images.set(id, image);
    }
    image.variants.push({ format: r.format, width: Number(r.width), height: Number(r.height), key: r.blob_key, bytes: Number(r.bytes) });
  }
  return [...images.values()];
}

/** The question, its subject, topics, photos and expert answer (without related questions), or undefined. */
export async function findQuestionPage(db: Db, id: number): Promise<Omit<QuestionPage, 'related'> | undefined> {
  const [row] = await pageQuery(db, id);
  if (!row) return undefined;
  const topics = await topicsQuery(db, id);
  // SQLite answers EXISTS with 0 or 1, PostgreSQL with a boolean.
  const images = Number(row.has_images) === 1 ? await findQuestionImages(db, id) : [];
  return {
    id: row.id,
    slug: row.slug,
    title: row.title,
    detailsHtml: row.details_html,
    status: row.status,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    publishedAt: row.published_at,
    subject: { id: row.subject_id, slug: row.subject_slug, name: row.subject_name },
    topics,
    images,
    answer:
      row.answer_id === null || row.educator_id === null
        ? null
        : {
            bodyHtml: row.body_html ?? '',
            quickAnswer: row.quick_answer ?? '',
            sources: parseSources(row.sources ?? '[]'),
            wordCount: row.word_count ?? 0,
            educator: {
              id: row.educator_id,
              name: row.educator_name ?? '',
              // A published answer is itself what gives its author a profile; before that there may be none to link.
              profilePath:
                row.status === 'published' &&
                row.educator_role !== null &&
                mayHaveProfile({ role: row.educator_role, deletedAt: row.educator_deleted_at, suspendedAt: row.educator_suspended_at })
                  ? educatorPath({ id: row.educator_id, name: row.educator_name ?? '' })
                  : null,
            },
            approvedBy: row.approver_id === null ? null : { id: row.approver_id, name: row.approver_name ?? '' },
            approvedAt: row.approved_at,
            createdAt: row.answer_created_at ?? row.created_at,
            updatedAt: row.answer_updated_at ?? row.updated_at,
          },
  };
}

const answerBodyQuery = compileOnce((db: Db, id: number) =>
  db.selectFrom('answers').select(['body', 'updated_at']).where('question_id', '=', id),
);

/** The Markdown of a question's expert answer (for the preview non-members see). */
export async function findAnswerMarkdown(db: Db, questionId: number): Promise<{ body: string; updatedAt: string } | undefined> {
  const [row] = await answerBodyQuery(db, questionId);
  return row ? { body: row.body, updatedAt: row.updated_at } : undefined;
}

const summaryColumns = [
  'q.id',
  'q.slug',
  'q.title',
  'q.published_at as publishedAt',
  's.slug as subjectSlug',
  's.name as subjectName',
  'a.quick_answer as quickAnswer',
] as const;

function publishedSummaries(db: Db) {
  return db
    .selectFrom('questions as q')
    .innerJoin('subjects as s', 's.id', 'q.subject_id')
    .leftJoin('answers as a', 'a.question_id', 'q.id')
    .select(summaryColumns)
    .where('q.status', '=', 'published');
}

// One compiled query per shape: with or without a subject, with or without a cursor (keyset: newest first,
// ties on publication time broken by id; each walks the (subject_id, status, published_at, id) index).
const newest = compileOnce((db: Db, limit: number) =>
  publishedSummaries(db).orderBy('q.published_at', 'desc').orderBy('q.id', 'desc').limit(limit),
);
const newestInSubject = compileOnce((db: Db, subjectId: number, limit: number) =>
  publishedSummaries(db).where('q.subject_id', '=', subjectId).orderBy('q.published_at', 'desc').orderBy('q.id', 'desc').limit(limit),
);
const olderInSubject = compileOnce((db: Db, subjectId: number, publishedAt: string, id: number, limit: number) =>
  publishedSummaries(db)
    .where('q.subject_id', '=', subjectId)
    .where((eb) => eb.or([eb('q.published_at', '<', publishedAt), eb.and([eb('q.published_at', '=', publishedAt), eb('q.id', '<', id)])]))
    .orderBy('q.published_at', 'desc')
    .orderBy('q.id', 'desc')
    .limit(limit),
);
const olderOverall = compileOnce((db: Db, publishedAt: string, id: number, limit: number) =>
  publishedSummaries(db)
    .where((eb) => eb.or([eb('q.published_at', '<', publishedAt), eb.and([eb('q.published_at', '=', publishedAt), eb('q.id', '<', id)])]))
    .orderBy('q.published_at', 'desc')
    .orderBy('q.id', 'desc')
    .limit(limit),
);

/** Published questions, newest first, after the cursor (keyset pagination, no OFFSET). */
export async function listPublished(
  db: Db,
  opts: { subjectId?: number; after?: Cursor | null; limit: number },
): Promise<QuestionSummary[]> {
  const { subjectId, after, limit } = opts;
  if (subjectId === undefined) return after ? olderOverall(db, after.publishedAt, after.id, limit) : newest(db, limit);
  return after ? olderInSubject(db, subjectId, after.publishedAt, after.id, limit) : newestInSubject(db, subjectId, limit);
}

// Newest first by question id: the (topic_id, question_id) key of question_topics walked backwards, each question
// found by its key, stopping at the limit (ordering by publication time would sort every question of the topic).
const ofTopic = compileOnce((db: Db, topicId: number, limit: number) =>
  publishedSummaries(db)
    .innerJoin('question_topics as qt', 'qt.question_id', 'q.id')
    .where('qt.topic_id', '=', topicId)
    .orderBy('qt.question_id', 'desc')
    .limit(limit),
);

/** Published questions having this topic, newest first. */
export function listOfTopic(db: Db, topicId: number, limit: number): Promise<QuestionSummary[]> {
  return ofTopic(db, topicId, limit);
}

// Newest first by question id: the (topic_id, question_id) key of question_topics, walked backwards, stops at limit.
const sharingTopic = compileOnce((db: Db, topicId: number, questionId: number, limit: number) =>
  db
    .selectFrom('question_topics as qt')
    .innerJoin('questions as q', 'q.id', 'qt.question_id')
    .select(['q.id', 'q.title'])
    .where('qt.topic_id', '=', topicId)
    .where('q.status', '=', 'published')
    .where('q.id', '!=', questionId)
    .orderBy('qt.question_id', 'desc')
    .limit(limit),
);

const subjectCandidates = compileOnce((db: Db, subjectId: number, questionId: number, limit: number) =>
  db
    .selectFrom('questions as q')
    .select(['q.id', 'q.title'])
    .where('q.subject_id', '=', subjectId)
    .where('q.status', '=', 'published')
    .where('q.id', '!=', questionId)
    .orderBy('q.published_at', 'desc')
    .orderBy('q.id', 'desc')
    .limit(limit),
);

/**
 * The candidates for a question's related list (ranked by rankRelated in related.ts): the newest published
 * questions sharing each of its first few topics (newest first, each once), and the newest of its subject. Each
 * query walks an index and stops at `perTopic` or `perSubject` rows, so the cost does not grow with the site.
 */
export async function findRelatedPools(
  db: Db,
  opts: { questionId: number; subjectId: number; topicIds: readonly number[]; perTopic: number; perSubject: number; topics: number },
): Promise<RelatedPools> {
  const byId = new Map<number, RelatedCandidate>();
  for (const topicId of opts.topicIds.slice(0, opts.topics))
    for (const r of await sharingTopic(db, topicId, opts.questionId, opts.perTopic)) byId.set(r.id, r);
  const byTopic = [...byId.values()].sort((a, b) => b.id - a.id);
  const bySubject = await subjectCandidates(db, opts.subjectId, opts.questionId, opts.perSubject);
  return { byTopic, bySubject };
}

/** Ids read per query: a fixed number, so the query keeps one shape and is compiled once. */
const SUMMARY_SLOTS = 5;

// A link needs the question's row alone: no subject, no answer row (reading each answer's row for its quick
// answer cost more than the rest of the query on every page view).
const linksIn = compileOnce((db: Db, ...ids: number[]) =>
  db.selectFrom('questions').select(['id', 'slug', 'title']).where('status', '=', 'published').where('id', 'in', ids),
);

/**
 * Links to the first `want` published questions among `ids`, in the order given. Reads SUMMARY_SLOTS ids at a
 * time, so a list whose first questions are all published (nearly always) costs one query.
 */
export async function findLinks(db: Db, ids: readonly number[], want: number): Promise<QuestionLink[]> {
  const found: QuestionLink[] = [];
  for (let start = 0; start < ids.length && found.length < want; start += SUMMARY_SLOTS) {
    const chunk = ids.slice(start, start + SUMMARY_SLOTS);
    // 0 is no question's id: it fills the slots left over.
    const slots = Array.from({ length: SUMMARY_SLOTS }, (_, i) => chunk[i] ?? 0);
    const rows = new Map((await linksIn(db, ...slots)).map((r) => [r.id, r]));
    for (const id of chunk) {
      const row = rows.get(id);
      if (row && found.length < want) found.push(row);
    }
  }
  return found;
}
