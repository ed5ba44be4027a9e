import type { Kysely } from 'kysely';
import type { Database, ReportsTable } from '../../db/database.ts';

type Db = Kysely<Database>;

export async function insertReport(
  db: Db,
  r: { reporterId: number; questionId: number; target: 'question' | 'answer' | 'image'; imageId?: number; reason: string; at: string },
): Promise<void> {
  await db
    .insertInto('reports')
    .values({
      reporter_id: r.reporterId,
      question_id: r.questionId,
      target: r.target,
      image_id: r.imageId ?? null,
      reason: r.reason,
      status: 'open',
      created_at: r.at,
    })
    .execute();
}

export interface ReportItem {
  id: number;
  questionId: number;
  questionTitle: string;
  questionSlug: string;
  questionStatus: string;
  askerId: number | null;
  askerEmail: string | null;
  target: 'question' | 'answer' | 'image';
  /** The image a report of target 'image' points at. */
  imageId: number | null;
  reason: string;
  status: ReportsTable['status'];
  reporterName: string | null;
  createdAt: string;
}

export async function listReports(db: Db, status: 'open' | 'decided', limit: number): Promise<ReportItem[]> {
  let q = db
    .selectFrom('reports as r')
    .innerJoin('questions as q', 'q.id', 'r.question_id')
    .leftJoin('users as u', 'u.id', 'r.reporter_id')
    .leftJoin('users as a', 'a.id', 'q.asker_id')
    .select([
      'r.id',
      'r.question_id as questionId',
      'q.title as questionTitle',
      'q.slug as questionSlug',
      'q.status as questionStatus',
      'q.asker_id as askerId',
      'a.email as askerEmail',
      'r.target',
      'r.image_id as imageId',
      'r.reason',
      'r.status',
      'u.name as reporterName',
      'r.created_at as createdAt',
    ]);
  q = status === 'open' ? q.where('r.status', '=', 'open') : q.where('r.status', '!=', 'open');
  return q
    .orderBy('r.id', status === 'open' ? 'asc' : 'desc')
    .limit(limit)
    .execute();
}

export async function findReport(
  db: Db,
  id: number,
): Promise<{ id: number; questionId: number; status: string; imageId: number | null } | undefined> {
  return db
    .selectFrom('reports')
    .select(['id', 'question_id as questionId', 'status', 'image_id as imageId'])
    .where('id', '=', id)
    .executeTakeFirst();
}

/** Decides every open report of an image at once (one removal answers them all). */
export async function decideImageReports(db: Db, imageId: number, by: number, at: string): Promise<void> {
  await db
    .updateTable('reports')
    .set({ status: 'removed', decided_by: by, decided_at: at })
    .where('image_id', '=', imageId)
    .where('status', '=', 'open')
    .execute();
}

/** Decides every open report of a question at once (one hide answers them all). */
export async function decideReports(
  db: Db,
  questionId: number,
  status: ReportsTable['status'],
  by: number,
  at: string,
  only?: number,
): Promise<void> {
  let q = db.updateTable('reports').set({ status, decided_by: by, decided_at: at }).where('question_id', '=', questionId);
  q = only !== undefined ? q.where('id', '=', only) : q.where('status', '=', 'open');
  await q.execute();
}

export async function countRecentReportsBy(db: Db, reporterId: number, since: string): Promise<number> {
  const r = await db
    .selectFrom('reports')
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .where('reporter_id', '=', reporterId)
    .where('created_at', '>=', since)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}
