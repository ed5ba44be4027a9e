import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';
import { renderMarkdown } from '../../lib/markdown.ts';
import { type Clock, isoNow } from '../../lib/time.ts';
import * as repo from './membership.repository.ts';
import { isMember, type MembershipState, previewMarkdown, trialIdentity } from './membership.ts';

type Db = Kysely<Database>;

export { listActivePlans, type PlanRow } from './membership.repository.ts';

export function getMembership(db: Db, userId: number): Promise<MembershipState | undefined> {
  return repo.findMembership(db, userId);
}

export async function isViewerMember(db: Db, userId: number | null, clock: Clock): Promise<boolean> {
  if (userId === null) return false;
  return isMember(await repo.findMembership(db, userId), clock.now().getTime());
}

export type TrialResult = 'started' | 'already_used' | 'already_member';

/**
 * Starts the one free trial of a person (local mode: no card). The claim on the normalised address is a primary
 * key, so of many simultaneous starts by one person exactly one succeeds.
 */
export async function startLocalTrial(
  db: Db,
  user: { userId: number; email: string },
  trialHours: number,
  clock: Clock,
): Promise<TrialResult> {
  const now = clock.now();
  if (isMember(await repo.findMembership(db, user.userId), now.getTime())) return 'already_member';
  return db.transaction().execute(async (trx) => {
    if (!(await repo.claimTrial(trx, trialIdentity(user.email), user.userId, now.toISOString()))) return 'already_used' as const;
    await repo.saveMembership(
      trx,
      user.userId,
      {
        status: 'trialing',
        source: 'trial',
        periodEnd: new Date(now.getTime() + trialHours * 3600_000).toISOString(),
        cancelAtPeriodEnd: false,
      },
      now.toISOString(),
    );
    return 'started' as const;
  });
}

/** Cancels a trial: access lasts until its end, and it never turns into a charge. */
export function cancelTrial(db: Db, userId: number, clock: Clock): Promise<void> {
  return repo.setCancelAtPeriodEnd(db, userId, true, isoNow(clock));
}

export function resumeTrial(db: Db, userId: number, clock: Clock): Promise<void> {
  return repo.setCancelAtPeriodEnd(db, userId, false, isoNow(clock));
}

const previews = new Map<string, { html: string; cut: boolean }>();

/** The rendered opening of an answer for non-members (memoised: answers change rarely). */
export function answerPreview(key: string, markdown: string, words: number): { html: string; cut: boolean } {
  const k = `${key}:${words}`;
  let p = previews.get(k);
  if (!p) {
    const cut = previewMarkdown(markdown, words);
    p = { html: renderMarkdown(cut.markdown), cut: cut.cut };
    if (previews.size > 5000) previews.clear();
    previews.set(k, p);
  }
  return p;
}
