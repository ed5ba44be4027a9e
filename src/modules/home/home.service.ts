import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { Clock } from '../../lib/time.ts';
import type { Caches } from '../../platform/caches.ts';
import { listRecentlyAnswered, type QuestionSummary } from '../questions/index.ts';
import { listSubjectsWithCounts } from '../subjects/index.ts';
import { countEducators, listAskedAndPublished } from './home.repository.ts';

export interface HomeDeps {
  db: Kysely<Database>;
  caches: Pick<Caches, 'briefly'>;
  clock: Clock;
}

/** How long the home page's figures are kept: they describe the whole site, which a minute does not change much. */
export const FIGURES_KEPT_MS = 60_000;
/** The median answer time is worked out over this many of the newest answered questions asked on the site. */
export const ANSWER_TIMES_READ = 1_000;

export type SubjectCount = Awaited<ReturnType<typeof listSubjectsWithCounts>>[number];

export interface HomeFigures {
  /** Every subject with its published questions, in the site's order. */
  subjects: SubjectCount[];
  /** Published questions: each has its expert answer. */
  answered: number;
  educators: number;
  /** From asked to published, over questions students asked here; null when none has been answered yet. */
  medianAnswerHours: number | null;
}

export interface HomePage {
  figures: HomeFigures;
  recent: QuestionSummary[];
}

/**
 * The middle of the answer times in hours (the lower middle of an even count, so it is a time some question really
 * took), or null for none.
 */
export function medianHours(times: ReadonlyArray<{ askedAt: string; publishedAt: string }>): number | null {
  const hours = times
    .map((t) => (Date.parse(t.publishedAt) - Date.parse(t.askedAt)) / 3_600_000)
    .filter((h) => Number.isFinite(h) && h >= 0)
    .sort((a, b) => a - b);
  if (hours.length === 0) return null;
  return hours[Math.ceil(hours.length / 2) - 1] as number;
}

/** The value kept under `key` while its minute lasts, else `load()`'s, kept for the next minute. */
async function briefly<V>(deps: HomeDeps, key: string, load: () => Promise<V>): Promise<V> {
  const now = deps.clock.now().getTime();
  const kept = deps.caches.briefly.get(key);
  if (kept && kept.expires > now) return kept.value as V;
  const value = await load();
  deps.caches.briefly.set(key, { expires: now + FIGURES_KEPT_MS, value });
  return value;
}

async function readFigures(db: Kysely<Database>): Promise<HomeFigures> {
  const [subjects, educators, times] = await Promise.all([
    listSubjectsWithCounts(db),
    countEducators(db),
    listAskedAndPublished(db, ANSWER_TIMES_READ),
  ]);
  return {
    subjects,
    answered: subjects.reduce((sum, s) => sum + s.questionCount, 0),
    educators,
    medianAnswerHours: medianHours(times),
  };
}

/** What the home page shows: the site's figures (kept a minute) and the newest answered questions. */
export async function getHomePage(deps: HomeDeps): Promise<HomePage> {
  const [figures, recent] = await Promise.all([
    briefly(deps, 'home:figures', () => readFigures(deps.db)),
    listRecentlyAnswered(deps.db, 10),
  ]);
  return { figures, recent };
}
