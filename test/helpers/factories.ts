import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/database.ts';
import { createUser, type User } from '../../src/modules/accounts/index.ts';
import { createPublishedQuestion, type Source } from '../../src/modules/questions/index.ts';
import { ensureSubject, ensureTopic } from '../../src/modules/subjects/index.ts';

let counter = 0;
const next = () => ++counter;

export async function makeEducator(db: Kysely<Database>, overrides: { name?: string; subjects?: string[] } = {}): Promise<User> {
  const n = next();
  return createUser(db, {
    email: `educator${n}@example.org`,
    name: overrides.name ?? `Educator ${n}`,
    role: 'educator',
    subjects: overrides.subjects ?? [],
  });
}

export interface QuestionOverrides {
  subject?: string;
  topics?: string[];
  title?: string;
  details?: string;
  answer?: string;
  quickAnswer?: string;
  sources?: Source[];
  educatorId?: number;
  approvedBy?: number | null;
  publishedAt?: string;
}

/** A published question with an expert answer, made through the same service the import uses. */
export async function makeQuestion(db: Kysely<Database>, o: QuestionOverrides = {}): Promise<number> {
  const n = next();
  const subject = await ensureSubject(db, o.subject ?? 'History');
  const topicIds: number[] = [];
  for (const t of o.topics ?? []) topicIds.push((await ensureTopic(db, subject.id, t)).id);
  const educatorId = o.educatorId ?? (await makeEducator(db)).id;
  return createPublishedQuestion(db, {
    subjectId: subject.id,
    topicIds,
    title: o.title ?? `What happened in test event number ${n}?`,
    details: o.details ?? 'My teacher mentioned it and I want to understand it.',
    educatorId,
    answer: o.answer ?? `## Background\n\nThe event number ${n} matters because it changed things.\n\n- one reason\n- another reason`,
    quickAnswer: o.quickAnswer ?? `Event ${n} changed things. It had two main reasons.`,
    sources: o.sources ?? [{ title: 'A. Historian, A Book (1999)' }],
    approvedBy: o.approvedBy ?? null,
    ...(o.publishedAt ? { publishedAt: o.publishedAt } : {}),
  });
}
