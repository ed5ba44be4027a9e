import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { Clock } from '../../lib/time.ts';
import * as repo from './dashboard.repository.ts';
import {
  ANSWER_TIME_ROWS,
  type AnswerTimeSummary,
  type CsvCell,
  daysEnding,
  perDay,
  type RangeDays,
  roundHours,
  type SeriesName,
  summariseHours,
  TOP_MISSES,
  toCsv,
  utcDay,
} from './dashboard.ts';

type Db = Kysely<Database>;

export interface DashboardDeps {
  db: Db;
  clock: Clock;
  /** config.answerTargetHours: what students are told to expect. */
  answerTargetHours: number;
  /** config.trialHours: a trial started this long before a day ended on it. */
  trialHours: number;
  /** Stripe mode (payments); in local mode nobody pays, so there is no conversion or revenue. */
  stripe: boolean;
}

export interface PlanRevenue {
  name: string;
  interval: 'month' | 'year';
  currency: string;
  priceMinor: number;
  members: number;
  /** members x price, a yearly price as a twelfth a month. */
  monthlyMinor: number;
}

export interface Revenue {
  plans: PlanRevenue[];
  /** One total per currency. */
  totals: Array<{ currency: string; monthlyMinor: number }>;
  /** Paying members whose plan is not in the plans table (a price set up in Stripe alone). */
  unknownPlan: number;
}

export interface Dashboard {
  range: RangeDays;
  /** The range's UTC days, oldest first; the last is today, so far. */
  days: string[];
  now: string;
  targetHours: number;
  stripe: boolean;
  questions: {
    asked: number[];
    answered: number[];
    totalAsked: number;
    totalAnswered: number;
    /** Over the answer times read (all of the range's, unless `capped`). */
    times: AnswerTimeSummary;
    capped: boolean;
    /** Per day of publication; null on a day with no answer. */
    dailyMedian: Array<number | null>;
    dailyP90: Array<number | null>;
    /** Waiting now past the due time they were given when asked. */
    overdue: number;
  };
  trials: {
    started: number[];
    totalStarted: number;
    /** Trials whose end fell in the range, and how many of their people pay now. */
    ended: number;
    paying: number;
  };
  members: {
    total: number;
    inTrial: number;
    paying: number;
    pastDue: number;
    complimentary: number;
    /** Canceled, with access until the period ends: trials, and paid memberships. */
    endingTrials: number;
    endingPaid: number;
  };
  cancellations: {
    /** Free trials (no card) canceled, by the day they were. */
    trialCancels: number[];
    /** Stripe memberships whose access ended, by that day. */
    stripeEnds: number[];
  };
  revenue: Revenue | null;
  misses: Array<{ query: string; searches: number }>;
}

const HOUR_MS = 3_600_000;
const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

function revenueOf(plans: readonly repo.PayingPlan[]): Revenue {
  const known: PlanRevenue[] = [];
  let unknownPlan = 0;
  for (const p of plans) {
    if (p.name === null || p.interval === null || p.priceMinor === null || p.currency === null) {
      unknownPlan += p.members;
      continue;
    }
    const total = p.priceMinor * p.members;
    known.push({
      name: p.name,
      interval: p.interval,
      currency: p.currency.toUpperCase(),
      priceMinor: p.priceMinor,
      members: p.members,
      monthlyMinor: p.interval === 'year' ? Math.round(total / 12) : total,
    });
  }
  known.sort((a, b) => b.monthlyMinor - a.monthlyMinor || a.name.localeCompare(b.name));
  const totals = new Map<string, number>();
  for (const p of known) totals.set(p.currency, (totals.get(p.currency) ?? 0) + p.monthlyMinor);
  return {
    plans: known,
    totals: [...totals].map(([currency, monthlyMinor]) => ({ currency, monthlyMinor })),
    unknownPlan,
  };
}

/** Everything the dashboard shows for the `range` days ending today (UTC days). */
export async function getDashboard(deps: DashboardDeps, range: RangeDays): Promise<Dashboard> {
  const { db } = deps;
  const nowDate = deps.clock.now();
  const now = nowDate.toISOString();
  const { days, from: fromDate } = daysEnding(nowDate, range);
  const from = fromDate.toISOString();
  const trialMs = deps.trialHours * HOUR_MS;
  const [asked, answered, times, overdue, trials, outcomes, running, trialCancels, stripeEnds, paying, misses] = await Promise.all([
    repo.countAskedByDay(db, from, now),
    repo.countAnsweredByDay(db, from, now),
    repo.listAnswerTimes(db, from, now, ANSWER_TIME_ROWS),
    repo.countOverdue(db, now),
    repo.countTrialsByDay(db, from, now),
    // Trials that ended in the range started a trial's length before it.
    repo.trialOutcomes(db, new Date(fromDate.getTime() - trialMs).toISOString(), new Date(nowDate.getTime() - trialMs).toISOString()),
    repo.countRunningMemberships(db, now),
    repo.countTrialCancelsByDay(db, from, now),
    deps.stripe ? repo.countStripeEndsByDay(db, from, now) : Promise.resolve([]),
    deps.stripe ? repo.countPayingByPlan(db, now) : Promise.resolve(null),
    repo.topSearchMisses(db, days[0] as string, TOP_MISSES),
  ]);

  const hours = times.map((t) => (Date.parse(t.publishedAt) - Date.parse(t.askedAt)) / HOUR_MS);
  const byDay = new Map<string, number[]>();
  times.forEach((t, i) => {
    const day = t.publishedAt.slice(0, 10);
    const list = byDay.get(day) ?? [];
    list.push(hours[i] as number);
    byDay.set(day, list);
  });
  const daily = days.map((d) => summariseHours(byDay.get(d) ?? [], deps.answerTargetHours));

  const members = { total: 0, inTrial: 0, paying: 0, pastDue: 0, complimentary: 0, endingTrials: 0, endingPaid: 0 };
  for (const g of running) {
    members.total += g.n;
    if (g.inTrial) {
      members.inTrial += g.n;
      if (g.canceled) members.endingTrials += g.n;
    } else if (g.source === 'complimentary') {
      members.complimentary += g.n;
    } else if (g.status === 'past_due') {
      members.pastDue += g.n;
    } else {
      members.paying += g.n;
      if (g.canceled) members.endingPaid += g.n;
    }
  }

  const askedDays = perDay(days, asked);
  const answeredDays = perDay(days, answered);
  const startedDays = perDay(days, trials);
  return {
    range,
    days,
    now,
    targetHours: deps.answerTargetHours,
    stripe: deps.stripe,
    questions: {
      asked: askedDays,
      answered: answeredDays,
      totalAsked: sum(askedDays),
      totalAnswered: sum(answeredDays),
      times: summariseHours(hours, deps.answerTargetHours),
      capped: times.length >= ANSWER_TIME_ROWS,
      dailyMedian: daily.map((s) => s.medianHours),
      dailyP90: daily.map((s) => s.p90Hours),
      overdue,
    },
    trials: { started: startedDays, totalStarted: sum(startedDays), ended: outcomes.ended, paying: outcomes.paying },
    members,
    cancellations: { trialCancels: perDay(days, trialCancels), stripeEnds: perDay(days, stripeEnds) },
    revenue: paying ? revenueOf(paying) : null,
    misses,
  };
}

/** One series of the dashboard as a CSV file: the same figures the page shows for the range. */
export async function dashboardCsv(deps: DashboardDeps, series: SeriesName, range: RangeDays): Promise<{ filename: string; csv: string }> {
  const d = await getDashboard(deps, range);
  const byDay = (header: string[], columns: ReadonlyArray<ReadonlyArray<CsvCell>>) =>
    toCsv(
      ['day', ...header],
      d.days.map((day, i) => [day, ...columns.map((c) => c[i] ?? null)]),
    );
  let csv: string;
  switch (series) {
    case 'asked':
      csv = byDay(['asked'], [d.questions.asked]);
      break;
    case 'answered':
      csv = byDay(['answered'], [d.questions.answered]);
      break;
    case 'answer-time':
      csv = byDay(['median_hours', 'p90_hours'], [d.questions.dailyMedian.map(roundHours), d.questions.dailyP90.map(roundHours)]);
      break;
    case 'trials':
      csv = byDay(['trials_started'], [d.trials.started]);
      break;
    case 'cancellations':
      csv = byDay(['free_trials_canceled', 'stripe_memberships_ended'], [d.cancellations.trialCancels, d.cancellations.stripeEnds]);
      break;
    case 'zero-result-searches':
      csv = toCsv(
        ['query', 'searches'],
        d.misses.map((m) => [m.query, m.searches]),
      );
      break;
  }
  return { filename: `dashboard-${series}-${range}d-${utcDay(new Date(d.now))}.csv`, csv };
}
