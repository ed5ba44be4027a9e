import { type Kysely, sql } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { Subject, SubjectWithCount, Topic } from './subject.ts';

type Db = Kysely<Database>;

export async function listSubjects(db: Db): Promise<Subject[]> {
  return db.selectFrom('subjects').select(['id', 'slug', 'name', 'description', 'position']).orderBy('position').orderBy('name').execute();
}

export async function listSubjectsWithCounts(db: Db): Promise<SubjectWithCount[]> {
  const rows = await db
    .selectFrom('subjects as s')
    .select(['s.id', 's.slug', 's.name', 's.description', 's.position'])
    .select((eb) =>
      eb
        .selectFrom('questions as q')
        .whereRef('q.subject_id', '=', 's.id')
        .where('q.status', '=', 'published')
        .select(sql<number>`count(*)`.as('n'))
        .as('questionCount'),
    )
    .orderBy('s.position')
    .orderBy('s.name')
    .execute();
  return rows.map((r) => ({ ...r, questionCount: Number(r.questionCount ?? 0) }));
}

export async function findSubjectBySlug(db: Db, slug: string): Promise<Subject | undefined> {
  return db.selectFrom('subjects').select(['id', 'slug', 'name', 'description', 'position']).where('slug', '=', slug).executeTakeFirst();
}

export async function findSubjectsBySlugs(db: Db, slugs: readonly string[]): Promise<Subject[]> {
  if (slugs.length === 0) return [];
  return db.selectFrom('subjects').select(['id', 'slug', 'name', 'description', 'position']).where('slug', 'in', slugs).execute();
}

/** Adds the subject unless one has its slug already (two first uses at once make one subject). */
export async function insertSubjectIfAbsent(db: Db, subject: Omit<Subject, 'id'>): Promise<void> {
  await db
    .insertInto('subjects')
    .values(subject)
    .onConflict((oc) => oc.column('slug').doNothing())
    .execute();
}

export async function listTopics(db: Db, subjectId: number): Promise<Topic[]> {
  return db
    .selectFrom('topics')
    .select(['id', 'subject_id as subjectId', 'slug', 'name'])
    .where('subject_id', '=', subjectId)
    .orderBy('name')
    .execute();
}

export async function findTopic(db: Db, subjectId: number, slug: string): Promise<Topic | undefined> {
  return db
    .selectFrom('topics')
    .select(['id', 'subject_id as subjectId', 'slug', 'name'])
    .where('subject_id', '=', subjectId)
    .where('slug', '=', slug)
    .executeTakeFirst();
}

/** Adds the topic unless one of the subject has its slug already (two first uses at once make one topic). */
export async function insertTopicIfAbsent(db: Db, topic: Omit<Topic, 'id'>): Promise<void> {
  await db
    .insertInto('topics')
    .values({ subject_id: topic.subjectId, slug: topic.slug, name: topic.name })
    .onConflict((oc) => oc.columns(['subject_id', 'slug']).doNothing())
    .execute();
}

export async function maxSubjectPosition(db: Db): Promise<number> {
  const row = await db.selectFrom('subjects').select(sql<number | null>`max(position)`.as('p')).executeTakeFirst();
  return Number(row?.p ?? 0);
}
