import { type Kysely, type SqlBool, sql } from 'kysely';
import { compileOnce } from '../../db/compiled.ts';
import type { Database } from '../../db/database.ts';

type Db = Kysely<Database>;

// Only published questions have pages (isPublic in the questions module): queued, in-review, closed, rejected and
// hidden ones never appear in a sitemap or feed.
//
// Paywall: these queries select titles, slugs, timestamps and the quick answer. The expert answer (answers.body,
// body_html) is never selected here, so it cannot leak into a sitemap or a feed however they are built.

/**
 * `status || ''` instead of `status`: the same test, but one no index can answer. Every id-range query below
 * must walk the primary key. Given a plain `status = ?`, SQLite (even after ANALYZE, at 300k questions) answers
 * "the next published id after X" from the (status, due_at) queue index: it reads every published question and
 * sorts them to return one. Plain SQL, the same on both engines; PostgreSQL walks its primary key either way.
 */
const publishedByPrimaryKey = sql<SqlBool>`${sql.ref('q.status')} || '' = ${'published'}`;

export interface SitemapQuestionRow {
  id: number;
  slug: string;
  updatedAt: string;
  answerUpdatedAt: string | null;
}

const nextPublishedId = compileOnce((db: Db, afterId: number) =>
  db.selectFrom('questions as q').select('q.id').where('q.id', '>', afterId).where(publishedByPrimaryKey).orderBy('q.id').limit(1),
);

/** The smallest id of a published question above `afterId`: a walk along the primary key from there. */
export async function findNextPublishedId(db: Db, afterId: number): Promise<number | undefined> {
  const [row] = await nextPublishedId(db, afterId);
  return row?.id;
}

const sitemapRange = compileOnce((db: Db, afterId: number, lastId: number) =>
  db
    .selectFrom('questions as q')
    .leftJoin('answers as a', 'a.question_id', 'q.id')
    .select(['q.id', 'q.slug', 'q.updated_at as updatedAt', 'a.updated_at as answerUpdatedAt'])
    .where('q.id', '>', afterId)
    .where('q.id', '<=', lastId)
    .where(publishedByPrimaryKey)
    .orderBy('q.id'),
);

/** Published questions with ids in (afterId, lastId], by id: a primary-key range scan. */
export function listSitemapQuestions(db: Db, afterId: number, lastId: number): Promise<SitemapQuestionRow[]> {
  return sitemapRange(db, afterId, lastId);
}

// The newest publication, overall or in a subject: the first entry of an index walked backwards.
const newestOverall = compileOnce((db: Db) =>
  db
    .selectFrom('questions as q')
    .select('q.published_at as publishedAt')
    .where('q.status', '=', 'published')
    .orderBy('q.published_at', 'desc')
    .limit(1),
);
const newestInSubject = compileOnce((db: Db, subjectId: number) =>
  db
    .selectFrom('questions as q')
    .select('q.published_at as publishedAt')
    .where('q.subject_id', '=', subjectId)
    .where('q.status', '=', 'published')
    .orderBy('q.published_at', 'desc')
    .limit(1),
);

/**
 * Every topic with at least one published question, by subject: the topic pages worth a crawler's visit. Topics are
 * few; each EXISTS stops at its topic's first published question (the (topic_id, question_id) key), however large
 * the site.
 */
export function listTopicsWithQuestions(db: Db): Promise<Array<{ subjectSlug: string; topicSlug: string }>> {
  return db
    .selectFrom('topics as t')
    .innerJoin('subjects as s', 's.id', 't.subject_id')
    .select(['s.slug as subjectSlug', 't.slug as topicSlug'])
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom('question_topics as qt')
          .innerJoin('questions as q', 'q.id', 'qt.question_id')
          .select('qt.question_id')
          .whereRef('qt.topic_id', '=', 't.id')
          .where('q.status', '=', 'published'),
      ),
    )
    .orderBy('s.slug')
    .orderBy('t.slug')
    .execute();
}

/** When the newest published question (overall, or of one subject) was published; null when there is none. */
export async function findNewestPublication(db: Db, subjectId?: number): Promise<string | null> {
  const [row] = subjectId === undefined ? await newestOverall(db) : await newestInSubject(db, subjectId);
  return row?.publishedAt ?? null;
}

export interface FeedQuestionRow {
  id: number;
  slug: string;
  title: string;
  publishedAt: string | null;
  updatedAt: string;
  answerUpdatedAt: string | null;
  /** Free for everyone; the only answer text a feed carries. */
  quickAnswer: string | null;
  subjectSlug: string;
  subjectName: string;
}

function feedRows(db: Db) {
  return db
    .selectFrom('questions as q')
    .innerJoin('subjects as s', 's.id', 'q.subject_id')
    .leftJoin('answers as a', 'a.question_id', 'q.id')
    .select([
      'q.id',
      'q.slug',
      'q.title',
      'q.published_at as publishedAt',
      'q.updated_at as updatedAt',
      'a.updated_at as answerUpdatedAt',
      'a.quick_answer as quickAnswer',
      's.slug as subjectSlug',
      's.name as subjectName',
    ]);
}

// Newest first, as the home and subject pages list them; each walks its (…, status, published_at, id) index and
// stops after `limit` rows.
const feedOverall = compileOnce((db: Db, limit: number) =>
  feedRows(db).where('q.status', '=', 'published').orderBy('q.published_at', 'desc').orderBy('q.id', 'desc').limit(limit),
);
const feedInSubject = compileOnce((db: Db, subjectId: number, limit: number) =>
  feedRows(db)
    .where('q.subject_id', '=', subjectId)
    .where('q.status', '=', 'published')
    .orderBy('q.published_at', 'desc')
    .orderBy('q.id', 'desc')
    .limit(limit),
);

/** The newest published questions, overall or of one subject, with their quick answers. */
export function listFeedQuestions(db: Db, opts: { subjectId?: number; limit: number }): Promise<FeedQuestionRow[]> {
  return opts.subjectId === undefined ? feedOverall(db, opts.limit) : feedInSubject(db, opts.subjectId, opts.limit);
}
