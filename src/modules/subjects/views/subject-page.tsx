import { Breadcrumbs, breadcrumbJsonLd, Layout, type Site, type ViewerInfo } from '../../../views/layout.tsx';
import { QuestionList } from '../../../views/question-list.tsx';
import type { QuestionSummary } from '../../questions/index.ts';
import type { Subject } from '../subject.ts';

export function SubjectPageView(props: {
  site: Site;
  viewer?: ViewerInfo | null;
  subject: Subject;
  questions: QuestionSummary[];
  nextPath: string | null;
  isFirstPage: boolean;
}) {
  const { subject } = props;
  const base = `/subjects/${subject.slug}`;
  return (
    <Layout
      site={props.site}
      viewer={props.viewer}
      title={props.isFirstPage ? `${subject.name} questions` : `${subject.name} questions (older)`}
      description={subject.description || `Answered ${subject.name} homework questions.`}
      canonicalPath={props.isFirstPage ? base : undefined}
      nextPath={props.nextPath ?? undefined}
      jsonLd={breadcrumbJsonLd(props.site, [], { label: subject.name, path: base })}
    >
      <Breadcrumbs trail={[]} />
      <h1>{subject.name}</h1>
      {subject.description ? <p class="muted">{subject.description}</p> : null}
      <h2>{props.isFirstPage ? 'Recently answered' : 'Older answered questions'}</h2>
      {props.questions.length > 0 ? (
        <QuestionList questions={props.questions} showSubject={false} />
      ) : (
        <p>No answered questions here yet.</p>
      )}
      <nav class="pager" aria-label="Pages">
        {props.isFirstPage ? <span /> : <a href={base}>Newest questions</a>}
        {props.nextPath ? (
          <a href={props.nextPath} rel="next">
            Older questions
          </a>
        ) : null}
      </nav>
    </Layout>
  );
}
