import { Layout, type Site, type ViewerInfo } from '../../../views/layout.tsx';
import type { SubjectWithCount } from '../subject.ts';

export function SubjectGrid(props: {
  subjects: Array<SubjectWithCount | (Omit<SubjectWithCount, 'questionCount'> & { questionCount?: number })>;
}) {
  return (
    <ul class="subject-grid">
      {props.subjects.map((s) => (
        <li key={s.id}>
          <a href={`/subjects/${s.slug}`}>
            <strong>{s.name}</strong>
            {s.description ? <span>{s.description}</span> : null}
            {s.questionCount !== undefined ? (
              <span>
                {s.questionCount.toLocaleString('en-US')} answered {s.questionCount === 1 ? 'question' : 'questions'}
              </span>
            ) : null}
          </a>
        </li>
      ))}
    </ul>
  );
}

export function SubjectsPageView(props: { site: Site; viewer?: ViewerInfo | null; subjects: SubjectWithCount[] }) {
  return (
    <Layout
      site={props.site}
      viewer={props.viewer}
      title="Subjects"
      description="Browse answered homework questions by subject."
      canonicalPath="/subjects"
    >
      <h1>Subjects</h1>
      <p class="muted">Every question on Scholia belongs to one subject. Pick one to see its answered questions, newest first.</p>
      <SubjectGrid subjects={props.subjects} />
    </Layout>
  );
}
