import { type Kysely, sql } from 'kysely';
import type { Database, NewAnswer, NewQuestion } from '../../db/database.ts';

type Db = Kysely<Database>;

export async function listSubjectIds(db: Db): Promise<number[]> {
  return (await db.selectFrom('subjects').select('id').orderBy('id').execute()).map((r) => r.id);
}

export async function listTopicIdsBySubject(db: Db): Promise<Map<number, number[]>> {
  const rows = await db.selectFrom('topics').select(['id', 'subject_id']).execute();
  const out = new Map<number, number[]>();
  for (const t of rows) out.set(t.subject_id, [...(out.get(t.subject_id) ?? []), t.id]);
  return out;
}

export async function listEducatorIds(db: Db): Promise<number[]> {
  return (await db.selectFrom('users').select('id').where('role', '=', 'educator').orderBy('id').execute()).map((r) => r.id);
}

/** One batch in one transaction: questions, their answers and topic links (multi-row inserts). */
export async function insertBatch(
  db: Db,
  questions: NewQuestion[],
  answers: Array<Omit<NewAnswer, 'question_id'>>,
  topics: number[],
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const ids = await trx.insertInto('questions').values(questions).returning('id').execute();
    await trx
      .insertInto('answers')
      .values(answers.map((a, i) => ({ ...a, question_id: (ids[i] as { id: number }).id })))
      .execute();
    const links = ids.flatMap((row, i) => (topics[i] ? [{ question_id: row.id, topic_id: topics[i] as number }] : []));
    if (links.length > 0) await trx.insertInto('question_topics').values(links).execute();
  });
}

export async function countQuestions(db: Db): Promise<number> {
  const row = await db.selectFrom('questions').select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}
