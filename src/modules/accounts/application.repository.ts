import type { Kysely } from 'kysely';
import type { ApplicationStatus, Database } from '../../db/database.ts';
import type { ApplicationRow } from './application.ts';

export type { ApplicationRow };

type Db = Kysely<Database>;

export async function insertApplications(
  db: Db,
  a: { userId: number; subjectIds: readonly number[]; qualifications: string; statement: string; now: string },
): Promise<void> {
  await db
    .insertInto('educator_applications')
    .values(
      a.subjectIds.map((subject_id) => ({
        user_id: a.userId,
        subject_id,
        qualifications: a.qualifications,
        statement: a.statement,
        created_at: a.now,
      })),
    )
    .execute();
}

/** Subjects the user already has a pending application for, or is already verified in. */
export async function subjectsTaken(db: Db, userId: number): Promise<Set<number>> {
  const pending = await db
    .selectFrom('educator_applications')
    .select('subject_id')
    .where('user_id', '=', userId)
    .where('status', '=', 'pending')
    .execute();
  const verified = await db.selectFrom('educator_subjects').select('subject_id').where('user_id', '=', userId).execute();
  return new Set([...pending, ...verified].map((r) => r.subject_id));
}

function base(db: Db) {
  return db
    .selectFrom('educator_applications as a')
    .innerJoin('users as u', 'u.id', 'a.user_id')
    .innerJoin('subjects as s', 's.id', 'a.subject_id')
    .select([
      'a.id',
      'a.user_id as userId',
      'u.name as userName',
      'u.email as userEmail',
      'a.subject_id as subjectId',
      's.name as subjectName',
      'a.qualifications',
      'a.statement',
      'a.status',
      'a.created_at as createdAt',
    ]);
}

export async function listPending(db: Db, limit: number): Promise<ApplicationRow[]> {
  return base(db).where('a.status', '=', 'pending').orderBy('a.id').limit(limit).execute();
}

export async function listForUser(db: Db, userId: number): Promise<ApplicationRow[]> {
  return base(db).where('a.user_id', '=', userId).orderBy('a.id', 'desc').execute();
}

export async function findApplication(db: Db, id: number): Promise<ApplicationRow | undefined> {
  return base(db).where('a.id', '=', id).executeTakeFirst();
}

/** Decides a pending application (only once: a decided one is left alone). */
export async function decide(db: Db, id: number, status: ApplicationStatus, by: number, at: string, note: string | null): Promise<boolean> {
  const r = await db
    .updateTable('educator_applications')
    .set({ status, decided_by: by, decided_at: at, note })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}
