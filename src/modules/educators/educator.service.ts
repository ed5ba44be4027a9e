import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';
import { encodeCursor } from '../questions/index.ts';
import * as repo from './educator.repository.ts';
import { type EducatorProfile, mayHaveProfile, PROFILE_ANSWERS_PAGE } from './educator.ts';

type Db = Kysely<Database>;

/**
 * A person's public profile with one page of their answers (the newest, or those older than `after`), or undefined
 * when they have none: not an answering role, deleted, suspended, or with neither a published answer nor a subject
 * editors verified.
 */
export async function getEducatorProfile(
  db: Db,
  id: number,
  after: { publishedAt: string; id: number } | null,
): Promise<EducatorProfile | undefined> {
  const person = await repo.findPerson(db, id);
  if (!person || !mayHaveProfile(person)) return undefined;
  const [subjects, answerCount] = await Promise.all([repo.listVerifiedSubjects(db, id), repo.countPublishedAnswers(db, id)]);
  if (answerCount === 0 && subjects.length === 0) return undefined;
  // One row more than the page shows says whether there is an older page.
  const rows = await repo.listPublishedAnswers(db, id, { after, limit: PROFILE_ANSWERS_PAGE + 1 });
  const answers = rows.slice(0, PROFILE_ANSWERS_PAGE);
  const last = answers[answers.length - 1];
  const next =
    rows.length > PROFILE_ANSWERS_PAGE && last?.publishedAt ? encodeCursor({ publishedAt: last.publishedAt, id: last.id }) : null;
  return {
    id: person.id,
    name: person.name,
    role: person.role,
    bio: person.bio,
    subjects,
    answerCount,
    answers,
    next,
  };
}
