import type { ParsedQuery } from './query.ts';

// The port between search and an engine's full-text index. One adapter per engine (sqlite-search.repository.ts,
// postgres-search.repository.ts); the service ranks, filters, counts and pages what an adapter returns, so both
// engines behave the same above this line.

/** A published question (or, from guideCandidates, a study guide) that matches, with the engine's relevance score (higher is better). */
export interface Candidate {
  id: number;
  subjectId: number;
  score: number;
}

export interface CandidateSet {
  candidates: Candidate[];
  /**
   * True when more questions match than were ranked: the adapter ranked only the newest of them (see the adapters
   * for which), and the total shown is a lower bound.
   */
  capped: boolean;
}

export type RebuildProgress = (done: number, total: number) => void;

/** How a rebuild walks the questions: ids in ranges of this many, one statement (or two) a range. */
export const REBUILD_BATCH = 5000;

/**
 * Calls `batch` for each range (low, high] of question ids up to `maxId`, reporting progress after each; stops with
 * RebuildInterrupted when the signal fires (thrown inside the rebuild's transaction, it rolls the rebuild back).
 * Returns the sum of what the batches return (the questions indexed).
 */
export async function inBatches(
  maxId: number,
  options: { onProgress?: RebuildProgress; signal?: AbortSignal },
  batch: (low: number, high: number) => Promise<number>,
): Promise<number> {
  let done = 0;
  for (let low = 0; low < maxId; low += REBUILD_BATCH) {
    if (options.signal?.aborted) throw new RebuildInterrupted();
    done += await batch(low, low + REBUILD_BATCH);
    options.onProgress?.(Math.min(low + REBUILD_BATCH, maxId), maxId);
  }
  if (options.signal?.aborted) throw new RebuildInterrupted();
  return done;
}

/** 'all': every clause must match. 'any': some must, those holding more and rarer words scoring higher. */
export type MatchMode = 'all' | 'any';

export interface SearchIndex {
  /** Questions matching the clauses, at most `limit`, best first or in any order (the service sorts by score). */
  candidates(query: ParsedQuery, limit: number, mode?: MatchMode): Promise<CandidateSet>;
  /** Published study guides matching the clauses, at most `limit`, best first. */
  guideCandidates(query: ParsedQuery, limit: number, mode?: MatchMode): Promise<CandidateSet>;
  /**
   * What candidates and guideCandidates give for the query, found together (PostgreSQL: in one statement), and what
   * freeTextCounts(`known`, 1) gives: which of those words some question's free text holds, read with them.
   */
  matches(
    query: ParsedQuery,
    limit: number,
    mode?: MatchMode,
    known?: readonly string[],
  ): Promise<{ questions: CandidateSet; guides: CandidateSet; known: Map<string, number> }>;
  /**
   * For each word, how many questions (counted up to `cap`) have it in their free text: title, details or quick
   * answer, never the expert answer. Words found nowhere are left out. Feeds "did you mean".
   */
  freeTextCounts(words: readonly string[], cap: number): Promise<Map<string, number>>;
  /**
   * Empties and refills the index from the questions and guides tables in one transaction; returns the questions
   * indexed (the guides, a few hundred at most, are refilled after them).
   */
  rebuild(options?: { onProgress?: RebuildProgress; signal?: AbortSignal }): Promise<number>;
}

/** How many questions an adapter ranks at most for one query (50 pages of 20). */
export const CANDIDATE_LIMIT = 1000;

/** Thrown by rebuild when its signal fires; the rebuild's transaction is rolled back. */
export class RebuildInterrupted extends Error {
  constructor() {
    super('interrupted: the search index was left as it was');
  }
}
