import { Layout, type Site, type ViewerInfo } from '../../../views/layout.tsx';
import type { Dashboard } from '../dashboard.service.ts';
import { formatHours, formatShare, RANGES, type SeriesName } from '../dashboard.ts';
import { DailyChart, shortDay } from './charts.tsx';

/** The admin pages the dashboard leads to. */
const ADMIN_PAGES: ReadonlyArray<{ href: string; label: string }> = [
  { href: '/admin/users', label: 'Users' },
  { href: '/admin/settings', label: 'Site settings' },
  { href: '/admin/plans', label: 'Plans' },
  { href: '/admin/ads', label: 'Ads' },
  { href: '/admin/search', label: 'Search synonyms' },
  { href: '/admin/outbox', label: 'Outbox' },
  { href: '/editor', label: 'Review queue' },
  { href: '/editor/applications', label: 'Educator applications' },
];

const csvHref = (series: SeriesName, range: number) => `/admin/dashboard.csv?series=${series}&range=${range}`;

function money(minor: number, currency: string): string {
  return new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(minor / 100);
}

const count = (n: number) => n.toLocaleString('en-US');
const plural = (n: number, word: string) => `${count(n)} ${word}${n === 1 ? '' : 's'}`;

/** A figure: its name and value (and a line of detail), as a term and its description. */
function Figure(props: { term: string; value: string; detail?: string }) {
  return (
    <div class="dash-figure">
      <dt>{props.term}</dt>
      <dd>{props.value}</dd>
      {props.detail ? <dd class="meta">{props.detail}</dd> : null}
    </div>
  );
}

function RangeLinks(props: { range: number }) {
  return (
    <nav aria-label="Range">
      <ul class="topics dash-links">
        {RANGES.map((r) => (
          <li key={r}>
            <a href={`/admin?range=${r}`} aria-current={r === props.range ? 'page' : undefined}>
              Last {r} days
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** /admin: the dashboard, and the way to every other admin page. */
export function DashboardView(props: { site: Site; viewer: ViewerInfo; dashboard: Dashboard; unknownRange: string | null }) {
  const d = props.dashboard;
  const q = d.questions;
  const first = d.days[0] as string;
  const last = d.days[d.days.length - 1] as string;
  const span = `${shortDay(first)} to ${shortDay(last)}`;
  const nowTime = d.now.slice(11, 16);
  return (
    <Layout site={props.site} viewer={props.viewer} title="Admin dashboard">
      <div class="dashboard">
        <h1>Admin dashboard</h1>
        <nav aria-label="Admin pages">
          <ul class="topics dash-links">
            {ADMIN_PAGES.map((p) => (
              <li key={p.href}>
                <a href={p.href}>{p.label}</a>
              </li>
            ))}
          </ul>
        </nav>
        {props.unknownRange !== null ? (
          <p class="form-error" role="status">
            There is no range “{props.unknownRange}”: showing the last {d.range} days. Choose 7, 30 or 90 days.
          </p>
        ) : null}
        <p>
          The last {d.range} days, {first} to {last}. Days are UTC days, and today counts up to now ({nowTime} UTC).
        </p>
        <RangeLinks range={d.range} />

        <section class="card" aria-labelledby="dash-questions">
          <h2 id="dash-questions">Questions</h2>
          <dl class="dash-figures">
            <Figure term="Questions asked" value={count(q.totalAsked)} />
            <Figure term="Questions answered" value={count(q.totalAnswered)} detail="answers published" />
            <Figure term="Median answer time" value={formatHours(q.times.medianHours)} detail="from asked to published" />
            <Figure term="90th percentile answer time" value={formatHours(q.times.p90Hours)} detail="9 in 10 answered within it" />
            <Figure
              term="Answered within the target"
              value={formatShare(q.times.withinTarget, q.times.count)}
              detail={`${count(q.times.withinTarget)} of ${count(q.times.count)}; the target is ${formatHours(d.targetHours)}`}
            />
            <Figure term="Waiting past the target now" value={count(q.overdue)} detail="still unanswered after their due time" />
          </dl>
          {q.capped ? <p class="meta">Answer times are of the newest {count(q.times.count)} answers of the range.</p> : null}
          <DailyChart
            id="chart-questions"
            kind="bars"
            title="Questions asked and answered per day"
            summary={`${span}: ${count(q.totalAsked)} asked and ${count(q.totalAnswered)} answered.`}
            days={d.days}
            unit="questions"
            series={[
              { name: 'Asked', values: q.asked, tone: 1 },
              { name: 'Answered', values: q.answered, tone: 2 },
            ]}
            downloads={[
              { label: 'Asked (CSV)', href: csvHref('asked', d.range) },
              { label: 'Answered (CSV)', href: csvHref('answered', d.range) },
            ]}
          />
          <DailyChart
            id="chart-answer-time"
            kind="lines"
            title="Answer time per day, in hours"
            summary={`${span}: median ${formatHours(q.times.medianHours)}, 90th percentile ${formatHours(q.times.p90Hours)}, against a target of ${formatHours(d.targetHours)}.`}
            days={d.days}
            unit="hours"
            series={[
              { name: 'Median', values: q.dailyMedian, tone: 1 },
              { name: '90th percentile', values: q.dailyP90, tone: 3 },
            ]}
            target={{ value: d.targetHours, label: `Target (${formatHours(d.targetHours)})` }}
            format={(v) => formatHours(v)}
            downloads={[{ label: 'Answer times (CSV)', href: csvHref('answer-time', d.range) }]}
          />
        </section>

        <section class="card" aria-labelledby="dash-members">
          <h2 id="dash-members">Trials and members</h2>
          <dl class="dash-figures">
            <Figure term="Trials started" value={count(d.trials.totalStarted)} />
            {d.stripe ? (
              <Figure
                term="Trial to paid"
                value={formatShare(d.trials.paying, d.trials.ended)}
                detail={`paying now: ${count(d.trials.paying)} of the ${count(d.trials.ended)} people whose trial ended in the range`}
              />
            ) : (
              <Figure term="Trials ended" value={count(d.trials.ended)} detail="this site takes no payments, so none convert" />
            )}
            <Figure
              term="Members now"
              value={count(d.members.total)}
              detail={`${count(d.members.paying)} paying, ${count(d.members.inTrial)} in a trial, ${count(d.members.complimentary)} complimentary${d.members.pastDue > 0 ? `, ${count(d.members.pastDue)} with a failed payment` : ''}`}
            />
            <Figure
              term="Canceled, still running"
              value={count(d.members.endingTrials + d.members.endingPaid)}
              detail={`${plural(d.members.endingTrials, 'trial')}, ${plural(d.members.endingPaid, 'paid membership')}`}
            />
          </dl>
          <DailyChart
            id="chart-trials"
            kind="bars"
            title="Trials started per day"
            summary={`${span}: ${count(d.trials.totalStarted)} trials started.`}
            days={d.days}
            unit="trials"
            series={[{ name: 'Trials started', values: d.trials.started, tone: 1 }]}
            downloads={[{ label: 'Trials (CSV)', href: csvHref('trials', d.range) }]}
          />
          <DailyChart
            id="chart-cancellations"
            kind="bars"
            title="Cancellations per day"
            summary={`${span}: ${count(d.cancellations.trialCancels.reduce((a, b) => a + b, 0))} free trials canceled${d.stripe ? `, ${count(d.cancellations.stripeEnds.reduce((a, b) => a + b, 0))} Stripe memberships ended` : ''}.`}
            days={d.days}
            unit="memberships"
            series={[
              { name: 'Free trials canceled', values: d.cancellations.trialCancels, tone: 3 },
              ...(d.stripe ? [{ name: 'Stripe memberships ended', values: d.cancellations.stripeEnds, tone: 2 as const }] : []),
            ]}
            downloads={[{ label: 'Cancellations (CSV)', href: csvHref('cancellations', d.range) }]}
          />
          <p class="meta">
            Scholia keeps each membership as it is now, not its history: a free trial counts on the day it was canceled;
            {d.stripe
              ? ' a Stripe membership counts on the day its access ended (a card trial that ended unpaid included), and someone who paid and has since left is not counted as a trial that converted.'
              : ' payments are off, so there are no paid memberships to end.'}
          </p>
        </section>

        <section class="card" aria-labelledby="dash-revenue">
          <h2 id="dash-revenue">Revenue</h2>
          {d.revenue ? (
            <>
              <p>
                <strong>Implied, not recorded:</strong> what the memberships paying now bring in a month at their plan’s price (a yearly
                plan as a twelfth). Scholia does not store the amounts Stripe charged; Stripe’s dashboard has those.
              </p>
              {d.revenue.plans.length > 0 ? (
                <table class="compare">
                  <caption class="visually-hidden">Implied monthly revenue by plan</caption>
                  <thead>
                    <tr>
                      <th scope="col">Plan</th>
                      <th scope="col">Paying members</th>
                      <th scope="col">Price</th>
                      <th scope="col">A month</th>
                    </tr>
                  </thead>
                  <tbody>
                    {d.revenue.plans.map((p) => (
                      <tr key={`${p.name}:${p.interval}:${p.currency}:${p.priceMinor}`}>
                        <th scope="row">{p.name}</th>
                        <td>{count(p.members)}</td>
                        <td>
                          {money(p.priceMinor, p.currency)} a {p.interval}
                        </td>
                        <td>{money(p.monthlyMinor, p.currency)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              ) : (
                <p>Nobody pays at the moment.</p>
              )}
              {d.revenue.totals.map((t) => (
                <p key={t.currency}>
                  Implied monthly revenue: <strong>{money(t.monthlyMinor, t.currency)}</strong>
                </p>
              ))}
              {d.revenue.unknownPlan > 0 ? (
                <p class="meta">
                  {count(d.revenue.unknownPlan)} paying members are on a price that is not one of the site’s plans, so they are left out.
                </p>
              ) : null}
            </>
          ) : (
            <p>This site takes no payments (Stripe is not set up), so there is no revenue to show.</p>
          )}
        </section>

        <section class="card" aria-labelledby="dash-misses">
          <h2 id="dash-misses">Searches that found nothing</h2>
          {d.misses.length > 0 ? (
            <>
              <p>
                What people searched for most often without any result. A synonym can lead a search to what the site calls it; otherwise it
                may be a question worth answering.
              </p>
              <table class="compare">
                <caption class="visually-hidden">Searches that found nothing, most searched first</caption>
                <thead>
                  <tr>
                    <th scope="col">Search</th>
                    <th scope="col">Times</th>
                    <th scope="col">
                      <span class="visually-hidden">Action</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {d.misses.map((m) => (
                    <tr key={m.query}>
                      <th scope="row" class="dash-query">
                        {m.query}
                      </th>
                      <td>{count(m.searches)}</td>
                      <td>
                        <a href={`/admin/search?add=${encodeURIComponent(m.query)}`}>
                          Add a synonym<span class="visually-hidden"> for “{m.query}”</span>
                        </a>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          ) : (
            <p>Every search in this range found something.</p>
          )}
          <p class="chart-downloads">
            <a href={csvHref('zero-result-searches', d.range)} download>
              Searches that found nothing (CSV)
            </a>
          </p>
        </section>
      </div>
    </Layout>
  );
}
