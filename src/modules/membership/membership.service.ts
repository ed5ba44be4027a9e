import type { Kysely } from 'kysely';
import type { LRUCache } from 'lru-cache';
import type { Database } from '../../db/database.ts';
import { picturesIn, renderMarkdown } from '../../lib/markdown.ts';
import { type Clock, isoNow } from '../../lib/time.ts';
import type { RenderedPreview } from '../../platform/caches.ts';
import type { Mailer } from '../mail/index.ts';
import { trialEndingMail } from './emails.tsx';
import * as repo from './membership.repository.ts';
import { isMember, PLAN_LIMITS, previewMarkdown, trialIdentity } from './membership.ts';

type Db = Kysely<Database>;

export { listActivePlans, type PlanRow } from './membership.repository.ts';

export function getMembership(db: Db, userId: number): Promise<repo.MembershipRecord | undefined> {
  return repo.findMembership(db, userId);
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
        inTrial: true,
      },
      now.toISOString(),
    );
    return 'started' as const;
  });
}

/** Whether this person (by their normalised address) has had the one free trial. */
export function hasHadTrial(db: Db, email: string): Promise<boolean> {
  return repo.trialClaimed(db, trialIdentity(email));
}

/** Cancels a trial: access lasts until its end, and it never turns into a charge. */
export function cancelTrial(db: Db, userId: number, clock: Clock): Promise<void> {
  return repo.setCancelAtPeriodEnd(db, userId, true, isoNow(clock));
}

export function resumeTrial(db: Db, userId: number, clock: Clock): Promise<void> {
  return repo.setCancelAtPeriodEnd(db, userId, false, isoNow(clock));
}

/**
 * The rendered opening of an answer for non-members (memoised by question, answer version and length): at most
 * `words` words and `maxChars` characters (by default the preview's worth of characters for that many words).
 */
export function answerPreview(
  memo: Pick<LRUCache<string, RenderedPreview>, 'get' | 'set'>,
  key: string,
  markdown: string,
  words: number,
  maxChars?: number,
  /** The whole text's HTML: an image the preview keeps is shown as the whole text shows it. */
  wholeHtml?: string,
): RenderedPreview {
  const k = `${key}:${words}:${maxChars ?? ''}`;
  let p = memo.get(k);
  if (!p) {
    const cut = previewMarkdown(markdown, words, maxChars);
    const pictures = wholeHtml?.includes('placed-image') ? { pictures: picturesIn(wholeHtml) } : {};
    p = { html: renderMarkdown(cut.markdown, pictures), cut: cut.cut };
    memo.set(k, p);
  }
  return p;
}

export { listAllPlans, setPlanActive } from './membership.repository.ts';

export function findPlanById(db: Db, id: number) {
  return repo.findPlan(db, { id });
}

/** Parses a plan from the admin form; field messages for anything wrong. */
export async function addPlan(
  db: Db,
  input: { name: string; interval: string; price: string; currency: string; stripePriceId: string },
): Promise<Array<{ field: string; message: string }>> {
  const issues: Array<{ field: string; message: string }> = [];
  const name = input.name.trim();
  if (name.length < 1 || name.length > PLAN_LIMITS.name)
    issues.push({ field: 'name', message: `Give the plan a name of up to ${PLAN_LIMITS.name} characters.` });
  if (input.interval !== 'month' && input.interval !== 'year') issues.push({ field: 'interval', message: 'Choose monthly or yearly.' });
  const m = /^(\d{1,6})(?:\.(\d{1,2}))?$/.exec(input.price.trim());
  if (!m) issues.push({ field: 'price', message: 'Write the price like 9.99.' });
  const currency = input.currency.trim().toLowerCase();
  if (!/^[a-z]{3}$/.test(currency)) issues.push({ field: 'currency', message: 'Use a three-letter currency code such as USD or EUR.' });
  const stripePriceId = input.stripePriceId.trim();
  if (stripePriceId !== '' && !/^price_[A-Za-z0-9]{6,}$/.test(stripePriceId))
    issues.push({ field: 'stripePriceId', message: 'A Stripe price id looks like price_1Abc…' });
  if (issues.length > 0 || !m) return issues;
  const priceMinor = Number(m[1]) * 100 + Number((m[2] ?? '0').padEnd(2, '0'));
  await repo.insertPlan(db, {
    name,
    interval: input.interval as 'month' | 'year',
    priceMinor,
    currency,
    stripePriceId: stripePriceId || null,
  });
  return [];
}

/** An admin gives someone membership until a date (local mode's way to make members without payment). */
export async function grantComplimentary(db: Db, userId: number, untilDate: string, clock: Clock): Promise<string | null> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(untilDate)) return 'Give the end as a date, YYYY-MM-DD.';
  const end = Date.parse(`${untilDate}T23:59:59.000Z`);
  if (Number.isNaN(end) || end <= clock.now().getTime()) return 'The end must be a date in the future.';
  await repo.saveMembership(
    db,
    userId,
    { status: 'active', source: 'complimentary', periodEnd: new Date(end).toISOString(), cancelAtPeriodEnd: false },
    isoNow(clock),
  );
  return null;
}

/**
 * Mails every trial that ends within `hours` (and has not been canceled) once: how long is left, and what happens
 * then (local mode: it simply ends; Stripe: the plan's charge, and how to cancel). Run every minute by each app process; a claim makes it once.
 */
export async function sendTrialReminders(
  db: Db,
  mailer: Mailer,
  site: { name: string; url: string },
  hours: number,
  clock: Clock,
): Promise<number> {
  const now = clock.now();
  const due = await repo.listTrialsEndingSoon(db, now.toISOString(), new Date(now.getTime() + hours * 3600_000).toISOString());
  let sent = 0;
  for (const t of due) {
    if (!(await repo.claimReminder(db, t.userId, now.toISOString()))) continue;
    // A card-collected trial turns into its plan: the mail says what will be charged.
    const plan = t.source === 'stripe' && t.planId !== null ? ((await repo.findPlan(db, { id: t.planId })) ?? null) : null;
    await mailer.send(trialEndingMail(site, t.email, t.name, t.periodEnd, now, plan));
    sent++;
  }
  return sent;
}
