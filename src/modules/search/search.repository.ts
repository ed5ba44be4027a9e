import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';
import { parsedOnce } from '../../db/parsed-once.ts';

type Db = Kysely<Database>;

/** What a result needs: the link, the subject, the date, and every text a snippet may be cut from. */
export interface ResultRow {
  id: number;
  slug: string;
  title: string;
  details: string;
  publishedAt: string | null;
  subjectSlug: string;
  subjectName: string;
  quickAnswer: string | null;
  /** The expert answer's Markdown: the service decides how much of it the viewer may read. */
  answer: string | null;
  answerUpdatedAt: string | null;
}

/** The published questions among `ids` (one page of results: at most a few dozen). */
export async function findResultRows(db: Db, ids: readonly number[]): Promise<ResultRow[]> {
  if (ids.length === 0) return [];
  return db
    .selectFrom('questions as q')
    .modifyFront(parsedOnce)
    .innerJoin('subjects as s', 's.id', 'q.subject_id')
    .leftJoin('answers as a', 'a.question_id', 'q.id')
    .select([
      'q.id',
      'q.slug',
      'q.title',
      'q.details',
      'q.published_at as publishedAt',
      's.slug as subjectSlug',
      's.name as subjectName',
      'a.quick_answer as quickAnswer',
      'a.body as answer',
      'a.updated_at as answerUpdatedAt',
    ])
    .where('q.id', 'in', ids)
    .where('q.status', '=', 'published')
    .execute();
}
