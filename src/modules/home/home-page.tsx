import { Layout, SearchForm, type Site, type ViewerInfo } from '../../views/layout.tsx';
import { QuestionList } from '../../views/question-list.tsx';
import type { QuestionSummary } from '../questions/index.ts';
import { type Subject, SubjectGrid } from '../subjects/index.ts';

export function HomePageView(props: { site: Site; viewer?: ViewerInfo | null; subjects: Subject[]; recent: QuestionSummary[] }) {
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
        <SearchForm id="home-search" large />
      </section>
      <h2>Subjects</h2>
      <SubjectGrid subjects={props.subjects} />
      <h2>Recently answered</h2>
      {props.recent.length > 0 ? <QuestionList questions={props.recent} /> : <p>No questions have been answered yet.</p>}
      <p>
        <a href="/subjects">Browse all subjects</a>
      </p>
    </Layout>
  );
}
