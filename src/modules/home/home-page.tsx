import { Layout, SearchForm, type Site, TRIAL_PATH, trialSignUpPath, type ViewerInfo } from '../../views/layout.tsx';
import { QuestionList } from '../../views/question-list.tsx';
import { SubjectGrid } from '../subjects/index.ts';
import type { HomeFigures, HomePage } from './home.service.ts';

/** "45 minutes", "6 hours", "2 days": a wait as people say it, rounded to what matters at its size. */
export function formatWait(hours: number): string {
  if (hours < 1) {
    const minutes = Math.max(1, Math.round(hours * 60));
    return `${minutes} ${minutes === 1 ? 'minute' : 'minutes'}`;
  }
  if (hours < 48) {
    const whole = Math.round(hours);
    return `${whole} ${whole === 1 ? 'hour' : 'hours'}`;
  }
  return `${Math.round(hours / 24)} days`;
}

const count = (n: number) => n.toLocaleString('en-US');

/** The site's own figures; a figure with nothing behind it yet (no question asked here answered) is left out. */
function Figures(props: { figures: HomeFigures }) {
  const { figures } = props;
  return (
    <dl class="site-figures">
      <div>
        <dt>Questions answered</dt>
        <dd>{count(figures.answered)}</dd>
      </div>
      <div>
        <dt>Verified educators</dt>
        <dd>{count(figures.educators)}</dd>
      </div>
      {figures.medianAnswerHours !== null ? (
        <div>
          <dt>Median answer time</dt>
          <dd>{formatWait(figures.medianAnswerHours)}</dd>
        </div>
      ) : null}
    </dl>
  );
}

/**
 * Where "Ask an educator" leads: the form for those who may ask; the one-button trial page for someone signed in
 * without membership; sign-up, then that page, for a visitor. Each comes back to /ask once the trial runs.
 */
function askTarget(viewer: ViewerInfo | null | undefined): { href: string; trialFirst: boolean } {
  if (!viewer) return { href: trialSignUpPath('/ask'), trialFirst: true };
  if (viewer.member || viewer.role === 'editor' || viewer.role === 'admin') return { href: '/ask', trialFirst: false };
  return { href: `${TRIAL_PATH}&back=${encodeURIComponent('/ask')}`, trialFirst: true };
}

export function HomePageView(props: {
  site: Site;
  viewer?: ViewerInfo | null;
  page: HomePage;
  questionsPerMonth: number;
  answerTargetHours: number;
}) {
  const { figures, recent } = props.page;
  const ask = askTarget(props.viewer);
  return (
    <Layout
      site={props.site}
      viewer={props.viewer}
      title={props.site.name}
      description="Homework questions answered by verified educators: a free quick answer, the full expert answer and study guides."
      canonicalPath="/"
      headerSearch={false}
    >
      <section class="hero" aria-labelledby="hero-title">
        <h1 id="hero-title">Homework questions, answered by real educators</h1>
        <p>
          Every answer starts with a quick summary and goes on to a full explanation written by a verified educator and checked by our
          editors.
        </p>
        <div class="ask-box">
          <SearchForm id="home-search" large />
          <p class="ask-line">
            Not answered yet?{' '}
            <a class="button secondary" href={ask.href}>
              Ask an educator
            </a>{' '}
            <span class="hint">
              {ask.trialFirst ? 'Start your free trial to ask. ' : ''}
              {props.questionsPerMonth > 0
                ? `Members ask up to ${props.questionsPerMonth} questions a month; an educator usually answers within ${props.answerTargetHours} hours.`
                : `An educator usually answers within ${props.answerTargetHours} hours.`}
            </span>
          </p>
        </div>
        <Figures figures={figures} />
      </section>
      <h2>Subjects</h2>
      <SubjectGrid subjects={figures.subjects} />
      <h2>Recently answered</h2>
      {recent.length > 0 ? <QuestionList questions={recent} /> : <p>No questions have been answered yet.</p>}
      <p>
        <a href="/subjects">Browse all subjects</a>
      </p>
    </Layout>
  );
}
