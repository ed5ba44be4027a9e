import { pruneAccountData } from '../modules/accounts/index.ts';
import { pruneAskDrafts, returnOverdueAllowances } from '../modules/asking/asking.service.ts';
import { reconcileDaily } from '../modules/membership/billing.service.ts';
import { sendTrialReminders } from '../modules/membership/membership.service.ts';
import { pruneSearchMisses } from '../modules/search/index.ts';
import type { RouteContext } from '../platform/context.ts';
import type { Job } from './runner.ts';

const MINUTE = 60_000;

/**
 * The site's background jobs, each once a minute: trial reminders before a trial turns into a charge, pruning of
 * expired sessions, lockout counters and limit windows, allowances given back once a question is past its answer
 * target, kept /ask drafts past their day, counts of searches that found nothing past 100 days (hourly), and in Stripe mode the daily reconcile (claimed by one process a day).
 */
export function siteJobs(ctx: RouteContext): Job[] {
  const { config, clock, mailer } = ctx;
  const db = ctx.database.db;
  const site = { name: ctx.site.name, url: ctx.site.url };
  const jobs: Job[] = [
    { name: 'trial-reminders', everyMs: MINUTE, run: () => sendTrialReminders(db, mailer, site, config.trialReminderHours, clock) },
    { name: 'prune-accounts', everyMs: MINUTE, run: () => pruneAccountData(db, clock, config.sessionIdleMs) },
    {
      name: 'overdue-allowances',
      everyMs: MINUTE,
      run: () =>
        returnOverdueAllowances({
          db,
          clock,
          mailer,
          site,
          questionsPerMonth: config.questionsPerMonth,
          answerTargetHours: config.answerTargetHours,
        }),
    },
    { name: 'prune-ask-drafts', everyMs: MINUTE, run: () => pruneAskDrafts(db, clock) },
    { name: 'prune-search-misses', everyMs: 60 * MINUTE, run: () => pruneSearchMisses(db, clock) },
  ];
  const billing = ctx.billing;
  if (billing) jobs.push({ name: 'billing-reconcile', everyMs: MINUTE, run: () => reconcileDaily(billing) });
  return jobs;
}
