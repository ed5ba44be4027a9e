import { mathToText } from '../lib/math.ts';
import { truncate } from '../lib/text.ts';
import { type QuestionSummary, questionPath } from '../modules/questions/question.ts';
import { LocalDate } from './local-time.tsx';

export function QuestionList(props: { questions: QuestionSummary[]; showSubject?: boolean; headingLevel?: 'h2' | 'h3' }) {
  return (
    <ul class="question-list">
      {props.questions.map((q) => (
        <li key={q.id}>
          <a class="title" href={questionPath(q)}>
            {q.title}
          </a>
          {q.quickAnswer ? <p>{truncate(mathToText(q.quickAnswer), 180)}</p> : null}
          <p class="meta">
            {props.showSubject === false ? null : (
              <>
                <a href={`/subjects/${q.subjectSlug}`}>{q.subjectName}</a>
                {' · '}
              </>
            )}
            {q.publishedAt ? (
              <>
                Answered <LocalDate iso={q.publishedAt} />
              </>
            ) : null}
          </p>
        </li>
      ))}
    </ul>
  );
}
