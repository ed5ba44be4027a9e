import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';
import { slugify } from '../../lib/slug.ts';
import * as repo from './subject.repository.ts';
import { SLUG_MAX, STANDARD_SUBJECTS, type Subject, type Topic } from './subject.ts';

type Db = Kysely<Database>;

export { findSubjectBySlug, findTopic, listSubjects, listSubjectsWithCounts, listTopics } from './subject.repository.ts';

/** The subject with this name (matched by slug, so "Social studies" finds "Social Studies"), created if new. */
export async function ensureSubject(db: Db, name: string): Promise<Subject> {
  const clean = name.replace(/\s+/g, ' ').trim();
  const slug = slugify(clean, SLUG_MAX);
  const existing = await repo.findSubjectBySlug(db, slug);
  if (existing) return existing;
  const standardIndex = STANDARD_SUBJECTS.findIndex((s) => s.slug === slug);
  const standard = STANDARD_SUBJECTS[standardIndex];
  await repo.insertSubjectIfAbsent(db, {
    slug,
    name: standard?.name ?? clean,
    description: standard?.description ?? '',
    position: standard ? standardIndex + 1 : Math.max(STANDARD_SUBJECTS.length, await repo.maxSubjectPosition(db)) + 1,
  });
  // Ours, or the one another request made meanwhile.
  const made = await repo.findSubjectBySlug(db, slug);
  if (!made) throw new Error(`subject ${slug} was neither found nor made`);
  return made;
}

export async function ensureTopic(db: Db, subjectId: number, name: string): Promise<Topic> {
  const clean = name.replace(/\s+/g, ' ').trim();
  const slug = slugify(clean, SLUG_MAX);
  const existing = await repo.findTopic(db, subjectId, slug);
  if (existing) return existing;
  await repo.insertTopicIfAbsent(db, { subjectId, slug, name: clean });
  // Ours, or the one another request made meanwhile.
  const made = await repo.findTopic(db, subjectId, slug);
  if (!made) throw new Error(`topic ${slug} was neither found nor made`);
  return made;
}

/** Creates the standard subjects and their topics where missing. */
export async function ensureStandardSubjects(db: Db): Promise<Subject[]> {
  const out: Subject[] = [];
  for (const s of STANDARD_SUBJECTS) {
    const subject = await ensureSubject(db, s.name);
    for (const t of s.topics) await ensureTopic(db, subject.id, t);
    out.push(subject);
  }
  return out;
}
