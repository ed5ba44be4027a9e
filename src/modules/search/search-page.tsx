import { formatDate } from '../../lib/time.ts';
import { Layout, SearchForm, type Site, type ViewerInfo } from '../../views/layout.tsx';
import { questionPath } from '../questions/index.ts';
import type { SearchOutcome } from './search.service.ts';
import { CANDIDATE_LIMIT } from './search-index.ts';
import type { Segment } from './snippet.ts';

/** The address of a search: the query, a subject and a page (only those given). */
export function searchPath(q: string, subject?: string | null, page = 1): string {
  const params = new URLSearchParams({ q });
  if (subject) params.set('subject', subject);
  if (page > 1) params.set('page', String(page));
  return `/search?${params.toString()}`;
}

function Snippet(props: { segments: Segment[] }) {
  // Text only, escaped by Preact: the marks are the only markup a snippet ever gets.
  return <>{props.segments.map((s, i) => (s.mark ? <mark key={i}>{s.text}</mark> : s.text))}</>;
}

const plural = (n: number, one: string, many: string) => (n === 1 ? `1 ${one}` : `${n.toLocaleString('en-US')} ${many}`);

function Heading(props: { outcome: SearchOutcome }) {
  const { total, capped, subject, page, pages } = props.outcome;
  const where = subject ? ` in ${subject.name}` : '';
  const count = capped ? `More than ${plural(total, 'question', 'questions')}` : plural(total, 'question', 'questions');
  return (
    <h2 id="results-heading">
      {count} match{capped || total !== 1 ? '' : 'es'}
      {where}
      {pages > 1 ? (
        <span class="muted">
          {' '}
          (page {page} of {pages})
        </span>
      ) : null}
    </h2>
  );
}

function SubjectFilter(props: { outcome: SearchOutcome }) {
  const { query, subjects, subject, allTotal, capped } = props.outcome;
  if (subjects.length === 0) return null;
  return (
    <nav aria-label="Filter by subject">
      <ul class="topics">
        <li>
          <a href={searchPath(query.text)} aria-current={subject ? undefined : 'page'}>
            All subjects ({allTotal.toLocaleString('en-US')}
            {capped ? '+' : ''})
          </a>
        </li>
        {subjects.map((s) => (
          <li key={s.slug}>
            <a href={searchPath(query.text, s.slug)} aria-current={subject?.slug === s.slug ? 'page' : undefined}>
              {s.name} ({s.count.toLocaleString('en-US')})
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

export function SearchPageView(props: { site: Site; viewer?: ViewerInfo | null; outcome: SearchOutcome }) {
  const { outcome } = props;
  const { query, results, page, pages, subject, suggestion } = outcome;
  const text = query.text;
  const prevPath = page > 1 ? searchPath(text, subject?.slug, page - 1) : undefined;
  const nextPath = page < pages ? searchPath(text, subject?.slug, page + 1) : undefined;
  return (
    <Layout
      site={props.site}
      viewer={props.viewer}
      title={text ? `Search: ${text}` : 'Search'}
      headerSearch={false}
      prevPath={prevPath}
      nextPath={nextPath}
    >
      <h1>Search</h1>
      <SearchForm id="search-page" query={text} />
      {text === '' ? (
        <p class="muted">Type a few words from a question, for example a book, a leader or a formula.</p>
      ) : results.length === 0 && outcome.allTotal === 0 ? (
        <>
          <h2>No questions match “{text}”</h2>
          {suggestion ? (
            <p>
              Did you mean <a href={searchPath(suggestion, subject?.slug)}>{suggestion}</a>?
            </p>
          ) : null}
          <p>
            {query.clauses.length === 0 && query.dropped.length > 0
              ? 'Those words are too common to search for on their own: add a word that says what the question is about, '
              : 'Try fewer or different words, '}
            or <a href="/subjects">browse by subject</a>.
          </p>
        </>
      ) : (
        <>
          <Heading outcome={outcome} />
          <SubjectFilter outcome={outcome} />
          {results.length === 0 ? (
            <p>No questions in this subject match. Choose another subject above.</p>
          ) : (
            <ul class="question-list" aria-labelledby="results-heading">
              {results.map((r) => (
                <li key={r.id}>
                  <a class="title" href={questionPath(r)}>
                    {r.title}
                  </a>
                  {r.snippet.length > 0 ? (
                    <p>
                      <Snippet segments={r.snippet} />
                    </p>
                  ) : null}
                  <p class="meta">
                    <a href={`/subjects/${r.subjectSlug}`}>{r.subjectName}</a>
                    {r.publishedAt ? <> · Answered {formatDate(r.publishedAt)}</> : null}
                  </p>
                </li>
              ))}
            </ul>
          )}
          {outcome.capped && page === pages ? (
            <p class="muted">
              These are the best matches among the newest {CANDIDATE_LIMIT.toLocaleString('en-US')}. Add a word to narrow the search.
            </p>
          ) : null}
          {pages > 1 ? (
            <nav class="pager" aria-label="Pages of results">
              {prevPath ? (
                <a href={prevPath} rel="prev">
                  Previous page
                </a>
              ) : (
                <span />
              )}
              {nextPath ? (
                <a href={nextPath} rel="next">
                  Next page
                </a>
              ) : null}
            </nav>
          ) : null}
        </>
      )}
    </Layout>
  );
}
