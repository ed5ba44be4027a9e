import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';
import { type Clock, isoNow } from '../../lib/time.ts';
import type { BlobStore } from './blob-store.ts';
import { listUnusedCandidates, sweepBlobs } from './image.service.ts';
import * as pruneRepo from './prune.repository.ts';

// The clean-up of images nothing shows any more (`scholia images prune`): uploads never placed, photos of questions
// that were deleted, diagrams an author took out of every text, profile photos replaced or taken down. Removing is
// the same step an editor takes (removed_at set, addresses answer 410); the files go in the sweep that follows, once
// no live image shares them.

export interface PruneReport {
  /** Live images older than the cut-off, looked through. */
  readonly looked: number;
  /** Of those, unused: removed (or, in a dry run, that would be). */
  readonly unused: number;
  /** Blob files looked at and deleted by the sweep (0 in a dry run). */
  readonly filesChecked: number;
  readonly filesDeleted: number;
  /** Stopped by the signal: what was removed stays removed, the rest is as it was. */
  readonly interrupted: boolean;
}

export type PrunePhase = 'images' | 'files';

/**
 * Removes the images created more than `olderThanHours` ago that no question, expert answer, guide or profile uses, then
 * deletes the files no live image needs that were stored before the same cut-off. The cut-off spares uploads in
 * progress: a photo on the ask form before the question is posted, a diagram uploaded and not yet placed. A dry run
 * only counts the images. Each page of images is removed in one statement, so an interruption leaves every image
 * either removed or untouched.
 */
export async function pruneUnusedImages(
  deps: { readonly db: Kysely<Database>; readonly blobs: BlobStore; readonly clock: Clock },
  opts: {
    readonly olderThanHours: number;
    readonly dryRun?: boolean;
    readonly signal?: AbortSignal;
    readonly onProgress?: (phase: PrunePhase, done: number, total: number) => void;
  },
): Promise<PruneReport> {
  const cutoff = new Date(deps.clock.now().getTime() - opts.olderThanHours * 3_600_000).toISOString();
  const total = await pruneRepo.countLiveImagesCreatedBefore(deps.db, cutoff);
  let looked = 0;
  let unused = 0;
  let afterId = 0;
  const stopped = () => opts.signal?.aborted === true;
  opts.onProgress?.('images', 0, total);
  while (!stopped()) {
    const page = await listUnusedCandidates(deps, { createdBefore: cutoff, afterId, limit: 500 });
    if (page.length === 0) break;
    const ids = page.map((i) => i.id);
    if (opts.dryRun) {
      unused += await pruneRepo.countUnusedImages(deps.db, ids);
    } else {
      unused += await pruneRepo.markUnusedImagesRemoved(deps.db, ids, isoNow(deps.clock));
    }
    looked += page.length;
    afterId = ids.at(-1) as number;
    opts.onProgress?.('images', looked, Math.max(total, looked));
  }
  if (opts.dryRun || stopped()) return { looked, unused, filesChecked: 0, filesDeleted: 0, interrupted: stopped() };
  const swept = await sweepBlobs(deps, {
    storedBefore: cutoff,
    ...(opts.signal ? { signal: opts.signal } : {}),
    onProgress: (p) => opts.onProgress?.('files', p.checked, p.checked),
  });
  return { looked, unused, filesChecked: swept.checked, filesDeleted: swept.deleted, interrupted: stopped() };
}

/**
 * Removes these images at once where nothing uses them any more (the clean-up's own test), without waiting for the
 * next clean-up: a deleted account's profile photo stops being served (its address answers 410) in the same
 * transaction as the rest of the account goes. Returns how many were removed.
 */
export function removeIfUnused(deps: { db: Kysely<Database>; clock: Clock }, ids: readonly number[]): Promise<number> {
  return pruneRepo.markUnusedImagesRemoved(deps.db, ids, isoNow(deps.clock));
}
