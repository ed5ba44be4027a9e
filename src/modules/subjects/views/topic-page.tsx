import { Breadcrumbs, breadcrumbJsonLd, Layout, type Site, type ViewerInfo } from '../../../views/layout.tsx';
import { LinkList } from '../../../views/link-list.tsx';
import { QuestionList } from '../../../views/question-list.tsx';
import type { QuestionSummary } from '../../questions/index.ts';
import { type Subject, type Topic, topicPath } from '../subject.ts';

/** A topic's page: its newest answered questions and the study guides that cover it, under its subject. */
export function TopicPageView(props: {
  site: Site;
  viewer?: ViewerInfo | null;
  subject: Subject;
  topic: Topic;
  questions: QuestionSummary[];
  /** The newest `shown` are listed; `more` says whether the topic has older ones (the subject page pages through). */
  more: boolean;
  guides: Array<{ href: string; title: string }>;
}) {
  const { subject, topic } = props;
  const path = topicPath(subject.slug, topic.slug);
  const subjectCrumb = { href: `/subjects/${subject.slug}`, label: subject.name };
  return (
    <Layout
      site={props.site}
      viewer={props.viewer}
      title={`${topic.name}: ${subject.name} questions`}
      description={`Answered ${subject.name} homework questions about ${topic.name}, with expert answers by verified educators.`}
      canonicalPath={path}
      jsonLd={breadcrumbJsonLd(props.site, [subjectCrumb], { label: topic.name, path })}
    >
      <Breadcrumbs trail={[subjectCrumb]} />
      <p class="label">{subject.name} topic</p>
      <h1>{topic.name}</h1>
      {props.guides.length > 0 ? (
        <section aria-labelledby="topic-guides">
          <h2 id="topic-guides">Study guides</h2>
          <LinkList links={props.guides} />
        </section>
      ) : null}
      <section aria-labelledby="topic-questions">
        <h2 id="topic-questions">Answered questions</h2>
        {props.questions.length > 0 ? (
          <QuestionList questions={props.questions} showSubject={false} />
        ) : (
          <p>No answered questions about {topic.name} yet.</p>
        )}
        {props.more ? (
          <p>
            These are the newest. <a href={`/subjects/${subject.slug}`}>All {subject.name} questions</a>
          </p>
        ) : null}
      </section>
    </Layout>
  );
}
