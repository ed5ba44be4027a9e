import type { Kysely } from 'kysely';
import type { Database, Role } from '../../db/database.ts';
import { ANSWERING_ROLES, type EducatorSubject, type ProfileAnswer } from './educator.ts';

type Db = Kysely<Database>;

// Paywall: a profile lists questions by title with their quick answers, both free to read. The expert answer
// (answers.body, body_html) is never selected here.

export interface PersonRow {
  id: number;
  name: string;
  role: Role;
  bio: string | null;
  deletedAt: string | null;
  suspendedAt: string | null;
  /** The image of their profile photo, or null. */
  photoImageId: number | null;
}

export function findPerson(db: Db, id: number): Promise<PersonRow | undefined> {
  return db
    .selectFrom('users')
    .select(['id', 'name', 'role', 'bio', 'deleted_at as deletedAt', 'suspended_at as suspendedAt', 'photo_image_id as photoImageId'])
    .where('id', '=', id)
    .executeTakeFirst();
}

/** Points the person's profile at this image, or at none (null: their initials). */
export async function setPhoto(db: Db, userId: number, imageId: number | null): Promise<void> {
  await db.updateTable('users').set({ photo_image_id: imageId }).where('id', '=', userId).execute();
}

/** Expert answers of this person on published questions (answers_educator_idx, then each question by its key). */
export async function countPublishedAnswers(db: Db, educatorId: number): Promise<number> {
  const row = await db
    .selectFrom('answers as a')
    .innerJoin('questions as q', 'q.id', 'a.question_id')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('a.educator_id', '=', educatorId)
    .where('q.status', '=', 'published')
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** The subjects editors verified this person for, in the site's order of subjects. */
export function listVerifiedSubjects(db: Db, userId: number): Promise<EducatorSubject[]> {
  return db
    .selectFrom('educator_subjects as es')
    .innerJoin('subjects as s', 's.id', 'es.subject_id')
    .select(['s.slug', 's.name', 'es.verified_at as verifiedAt'])
    .where('es.user_id', '=', userId)
    .orderBy('s.position')
    .orderBy('s.name')
    .execute();
}

/** This person's answered questions, newest first, after the cursor (keyset on publication time, then id). */
export function listPublishedAnswers(
  db: Db,
  educatorId: number,
  opts: { after: { publishedAt: string; id: number } | null; limit: number },
): Promise<ProfileAnswer[]> {
  let query = db
    .selectFrom('answers as a')
    .innerJoin('questions as q', 'q.id', 'a.question_id')
    .innerJoin('subjects as s', 's.id', 'q.subject_id')
    .select([
      'q.id',
      'q.slug',
      'q.title',
      'q.published_at as publishedAt',
      's.slug as subjectSlug',
      's.name as subjectName',
      'a.quick_answer as quickAnswer',
    ])
    .where('a.educator_id', '=', educatorId)
    .where('q.status', '=', 'published');
  const after = opts.after;
  if (after) {
    query = query.where((eb) =>
      eb.or([
        eb('q.published_at', '<', after.publishedAt),
        eb.and([eb('q.published_at', '=', after.publishedAt), eb('q.id', '<', after.id)]),
      ]),
    );
  }
  return query.orderBy('q.published_at', 'desc').orderBy('q.id', 'desc').limit(opts.limit).execute();
}

/**
 * Everyone with a public profile: answering roles, not deleted or suspended, with a published answer or a verified
 * subject. Each EXISTS stops at its first row (answers_educator_idx; educator_subjects' key), and educators are few.
 */
export function listPublicProfiles(db: Db): Promise<Array<{ id: number; name: string }>> {
  return db
    .selectFrom('users as u')
    .select(['u.id', 'u.name'])
    .where('u.role', 'in', [...ANSWERING_ROLES])
    .where('u.deleted_at', 'is', null)
    .where('u.suspended_at', 'is', null)
    .where(({ or, exists, selectFrom }) =>
      or([
        exists(
          selectFrom('answers as a')
            .innerJoin('questions as q', 'q.id', 'a.question_id')
            .select('a.id')
            .whereRef('a.educator_id', '=', 'u.id')
            .where('q.status', '=', 'published'),
        ),
        exists(selectFrom('educator_subjects as es').select('es.user_id').whereRef('es.user_id', '=', 'u.id')),
      ]),
    )
    .orderBy('u.id')
    .execute();
}
