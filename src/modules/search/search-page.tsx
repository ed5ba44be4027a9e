import { Layout, SearchForm, type Site, type ViewerInfo } from '../../views/layout.tsx';
import { LocalDate } from '../../views/local-time.tsx';
import { questionPath } from '../questions/index.ts';
import type { GuideResult, SearchOutcome, SearchResult, SearchType } from './search.service.ts';
import { CANDIDATE_LIMIT } from './search-index.ts';
import type { Segment } from './snippet.ts';

/** The address of a search: the query, a subject, a type and a page (only those given). */
export function searchPath(q: string, subject?: string | null, page = 1, type: SearchType = 'all', exact = false): string {
  const params = new URLSearchParams({ q });
  if (subject) params.set('subject', subject);
  if (type !== 'all') params.set('type', type);
  if (page > 1) params.set('page', String(page));
  if (exact) params.set('exact', '1');
  return `/search?${params.toString()}`;
}

function Snippet(props: { segments: Segment[] }) {
  // Text only, escaped by Preact: the marks are the only markup a snippet ever gets.
  return <>{props.segments.map((s, i) => (s.mark ? <mark key={i}>{s.text}</mark> : s.text))}</>;
}

const plural = (n: number, one: string, many: string) => (n === 1 ? `1 ${one}` : `${n.toLocaleString('en-US')} ${many}`);

function Heading(props: { outcome: SearchOutcome }) {
  const { total, capped, subject, page, pages, type, typeTotals } = props.outcome;
  const where = subject ? ` in ${subject.name}` : '';
  const questions = capped ? `More than ${plural(total, 'question', 'questions')}` : plural(total, 'question', 'questions');
  let count: string;
  let one = false;
  if (type === 'guides') {
    count = plural(total, 'study guide', 'study guides');
    one = total === 1;
  } else if (type === 'all' && typeTotals.guides > 0) {
    count = `${questions} and ${plural(typeTotals.guides, 'study guide', 'study guides')}`;
  } else {
    count = questions;
    one = !capped && total === 1;
  }
  return (
    <h2 id="results-heading">
      {count} match{one ? 'es' : ''}
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

const TYPE_NAMES: Record<SearchType, string> = { all: 'All results', questions: 'Questions', guides: 'Study guides' };

function TypeFilter(props: { outcome: SearchOutcome }) {
  const { query, subject, type, typeTotals, capped } = props.outcome;
  const types: SearchType[] = ['all', 'questions', 'guides'];
  return (
    <nav aria-label="Filter by type">
      <ul class="topics">
        {types.map((t) => (
          <li key={t}>
            <a href={searchPath(query.text, subject?.slug, 1, t, props.outcome.exact)} aria-current={type === t ? 'page' : undefined}>
              {TYPE_NAMES[t]} ({typeTotals[t].toLocaleString('en-US')}
              {capped && t !== 'guides' ? '+' : ''})
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function SubjectFilter(props: { outcome: SearchOutcome }) {
  const { query, subjects, subject, capped, type } = props.outcome;
  if (subjects.length === 0) return null;
  // What is listed, in every subject (each match is in exactly one).
  const everywhere = subjects.reduce((n, s) => n + s.count, 0);
  return (
    <nav aria-label="Filter by subject">
      <ul class="topics">
        <li>
          <a href={searchPath(query.text, null, 1, type, props.outcome.exact)} aria-current={subject ? undefined : 'page'}>
            All subjects ({everywhere.toLocaleString('en-US')}
            {capped && type !== 'guides' ? '+' : ''})
          </a>
        </li>
        {subjects.map((s) => (
          <li key={s.slug}>
            <a
              href={searchPath(query.text, s.slug, 1, type, props.outcome.exact)}
              aria-current={subject?.slug === s.slug ? 'page' : undefined}
            >
              {s.name} ({s.count.toLocaleString('en-US')})
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function GuideList(props: { guides: GuideResult[]; labelledBy: string }) {
  return (
    <ul class="question-list guide-results" aria-labelledby={props.labelledBy}>
      {props.guides.map((g) => (
        <li key={g.id}>
          <a class="title" href={g.path}>
            {g.title}
            {g.sectionTitle ? <span class="muted"> · {g.sectionTitle}</span> : null}
          </a>
          {g.snippet.length > 0 ? (
            <p>
              <Snippet segments={g.snippet} />
            </p>
          ) : null}
          <p class="meta">
            Study guide · <a href={`/subjects/${g.subjectSlug}`}>{g.subjectName}</a>
          </p>
        </li>
      ))}
    </ul>
  );
}

function QuestionList(props: { results: SearchResult[] }) {
  return (
    <ul class="question-list" aria-labelledby="results-heading">
      {props.results.map((r) => (
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
            {r.publishedAt ? (
              <>
                {' '}
                · Answered <LocalDate iso={r.publishedAt} />
              </>
            ) : null}
          </p>
        </li>
      ))}
    </ul>
  );
}

export function SearchPageView(props: { site: Site; viewer?: ViewerInfo | null; outcome: SearchOutcome }) {
  const { outcome } = props;
  const { query, results, guides, page, pages, subject, suggestion, type, typeTotals } = outcome;
  const text = query.text;
  const prevPath = page > 1 ? searchPath(text, subject?.slug, page - 1, type, outcome.exact) : undefined;
  const nextPath = page < pages ? searchPath(text, subject?.slug, page + 1, type, outcome.exact) : undefined;
  const nothingHere = type === 'guides' ? guides.length === 0 : results.length === 0 && guides.length === 0;
  return (
    <Layout
      site={props.site}
      viewer={props.viewer}
      title={text ? `Search: ${text}` : 'Search'}
      description={
        text
          ? `Questions and study guides on Scholia matching “${text}”, with quick answers from verified educators.`
          : 'Search Scholia’s answered questions and study guides by subject, book, topic or formula.'
      }
      headerSearch={false}
      prevPath={prevPath}
      nextPath={nextPath}
    >
      <h1>Search</h1>
      <SearchForm id="search-page" query={text} />
      {text === '' ? (
        <p class="muted">Type a few words from a question, for example a book, a leader or a formula.</p>
      ) : !outcome.anyMatch ? (
        <>
          <h2>No results for “{text}”</h2>
          {suggestion ? (
            <p>
              Did you mean <a href={searchPath(suggestion, subject?.slug, 1, type)}>{suggestion}</a>?
            </p>
          ) : null}
          <p>
            {query.clauses.length === 0 && query.dropped.length > 0
              ? 'Those words are too common to search for on their own: add a word that says what the question is about, '
              : 'Try fewer or different words, '}
            or <a href="/subjects">browse by subject</a> and <a href="/guides">study guides</a>.
          </p>
        </>
      ) : (
        <>
          <Heading outcome={outcome} />
          {outcome.relaxed === 'corrected' && outcome.corrected ? (
            <p class="search-relaxed">
              Showing results for <strong>{outcome.corrected}</strong>. Search instead for{' '}
              <a href={searchPath(text, subject?.slug, 1, type, true)}>{text}</a>.
            </p>
          ) : outcome.relaxed === 'some' ? (
            <p class="search-relaxed muted">No question holds every word of “{text}”: these hold some of them, the closest first.</p>
          ) : null}
          <div class="search-filters">
            <TypeFilter outcome={outcome} />
            <SubjectFilter outcome={outcome} />
          </div>
          {nothingHere ? (
            <p>
              {type === 'guides' ? 'No study guides' : 'Nothing'}
              {subject ? ' in this subject' : ''} match{type === 'guides' ? '' : 'es'}. Choose another {subject ? 'subject' : 'type'} above.
            </p>
          ) : null}
          {type === 'all' && guides.length > 0 ? (
            <section class="guide-matches" aria-labelledby="guide-results-heading">
              <h3 id="guide-results-heading">Study guides</h3>
              <GuideList guides={guides} labelledBy="guide-results-heading" />
              {typeTotals.guides > guides.length ? (
                <p>
                  <a href={searchPath(text, subject?.slug, 1, 'guides', outcome.exact)}>
                    All {typeTotals.guides.toLocaleString('en-US')} matching study guides
                  </a>
                </p>
              ) : null}
            </section>
          ) : null}
          {type === 'guides' ? (
            guides.length > 0 ? (
              <GuideList guides={guides} labelledBy="results-heading" />
            ) : null
          ) : results.length > 0 ? (
            <>
              {type === 'all' && guides.length > 0 ? <h3 id="question-results-heading">Questions</h3> : null}
              <QuestionList results={results} />
            </>
          ) : null}
          {outcome.capped && type !== 'guides' && page === pages ? (
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
