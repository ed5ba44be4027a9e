import type { Kysely } from 'kysely';
import type { Database, NewAnswer, NewQuestion } from '../../db/database.ts';
import { createRandom, pick } from '../../lib/random.ts';
import { slugify } from '../../lib/slug.ts';
import { type Clock, systemClock } from '../../lib/time.ts';
import { createUser } from '../accounts/index.ts';
import { findExistingImportKeys } from '../questions/index.ts';
import { ensureStandardSubjects } from '../subjects/index.ts';
import * as repo from './generate.repository.ts';
import { SyntheticTextGenerator } from './synthetic-text.ts';

type Db = Kysely<Database>;

export interface GenerateOptions {
  questions: number;
  seed?: number;
  batchSize?: number;
  clock?: Clock;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  /**
   * Refreshes the planner's statistics; called each time the questions added have doubled. A table loaded from empty
   * is planned as if it were still empty until its statistics are refreshed, and on PostgreSQL with autovacuum off
   * the search triggers then scanned whole tables for each question (12,000 questions a minute at 60,000 questions,
   * and falling, against 60,000 a minute after an ANALYZE).
   */
  refreshStatistics?: () => Promise<void>;
}

export interface GenerateReport {
  added: number;
  alreadyPresent: number;
  interrupted: boolean;
}

const SPAN_MS = 3 * 365 * 24 * 3600_000;

/**
 * Adds N synthetic published questions with expert answers, in batches of one transaction each.
 * Question i of seed S has the key `gen:S:i`, so an interrupted run continues where it stopped and a repeated
 * run adds nothing.
 */
export async function generateQuestions(db: Db, options: GenerateOptions): Promise<GenerateReport> {
  const clock = options.clock ?? systemClock;
  const seed = options.seed ?? 1;
  const batchSize = options.batchSize ?? 500;
  const total = options.questions;

  await ensureStandardSubjects(db);
  const subjects = await repo.listSubjectIds(db);
  const topicsBySubject = await repo.listTopicIdsBySubject(db);
  const educatorIds = await ensureEducators(db, clock);

  const gen = new SyntheticTextGenerator(seed);
  const rand = createRandom(seed ^ 0x9e3779b9);
  const end = clock.now().getTime();
  const start = end - SPAN_MS;
  let added = 0;
  let alreadyPresent = 0;
  let refreshAt = batchSize;

  for (let first = 0; first < total; first += batchSize) {
    if (options.signal?.aborted) return { added, alreadyPresent, interrupted: true };
    const count = Math.min(batchSize, total - first);
    const keys = Array.from({ length: count }, (_, k) => `gen:${seed}:${first + k}`);
    const existing = await findExistingImportKeys(db, keys);
    const questions: NewQuestion[] = [];
    const answers: Array<Omit<NewAnswer, 'question_id'>> = [];
    const topics: number[] = [];
    for (let k = 0; k < count; k++) {
      // Always draw the text, so question i is the same whether or not earlier ones already exist.
      const q = gen.question();
      const subjectId = pick(rand, subjects);
      const subjectTopics = topicsBySubject.get(subjectId) ?? [];
      const topicId = subjectTopics.length > 0 ? pick(rand, subjectTopics) : 0;
      const educatorId = pick(rand, educatorIds);
      if (existing.has(keys[k] as string)) {
        alreadyPresent++;
        continue;
      }
      const at = new Date(start + Math.floor(((first + k) / Math.max(1, total)) * SPAN_MS)).toISOString();
      questions.push({
        slug: slugify(q.title),
        title: q.title,
        details: q.details,
        details_html: q.detailsHtml,
        subject_id: subjectId,
        asker_id: null,
        status: 'published',
        created_at: at,
        updated_at: at,
        published_at: at,
        import_key: keys[k] as string,
      });
      answers.push({
        educator_id: educatorId,
        body: q.answer,
        body_html: q.answerHtml,
        quick_answer: q.quickAnswer,
        sources: '[]',
        word_count: q.wordCount,
        approved_by: null,
        approved_at: null,
        created_at: at,
        updated_at: at,
      });
      topics.push(topicId);
    }
    if (questions.length > 0) {
      await repo.insertBatch(db, questions, answers, topics);
      added += questions.length;
      if (options.refreshStatistics && added >= refreshAt) {
        await options.refreshStatistics();
        refreshAt = added * 2;
      }
    }
    options.onProgress?.(first + count, total);
  }
  return { added, alreadyPresent, interrupted: false };
}

async function ensureEducators(db: Db, clock: Clock): Promise<number[]> {
  const existing = await repo.listEducatorIds(db);
  if (existing.length > 0) return existing;
  const ids: number[] = [];
  for (let i = 1; i <= 5; i++) {
    const user = await createUser(
      db,
      { email: `synthetic-educator-${i}@generated.scholia.invalid`, name: `Synthetic Educator ${i}`, role: 'educator' },
      clock,
    );
    ids.push(user.id);
  }
  return ids;
}

/** Rows in the questions table (for progress messages). */
export const countQuestions = repo.countQuestions;
