import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';

type Db = Kysely<Database>;

// Paywall: a card needs the title and the subject's name; no answer column is selected here.

/** A published question's title and subject (one primary-key lookup), or undefined. */
export function findQuestionCard(db: Db, id: number): Promise<{ title: string; subject: string } | undefined> {
  return db
    .selectFrom('questions as q')
    .innerJoin('subjects as s', 's.id', 'q.subject_id')
    .select(['q.title', 's.name as subject'])
    .where('q.id', '=', id)
    .where('q.status', '=', 'published')
    .executeTakeFirst();
}
