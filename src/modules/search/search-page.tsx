import { Layout, SearchForm, type Site, type ViewerInfo } from '../../views/layout.tsx';
import { QuestionList } from '../../views/question-list.tsx';
import type { QuestionSummary } from '../questions/index.ts';

export function SearchPageView(props: { site: Site; viewer?: ViewerInfo | null; query: string; results: QuestionSummary[] }) {
  const { query, results } = props;
  return (
    <Layout site={props.site} viewer={props.viewer} title={query ? `Search: ${query}` : 'Search'} headerSearch={false}>
      <h1>Search</h1>
      <SearchForm id="search-page" query={query} />
      {query === '' ? (
        <p class="muted">Type a few words from a question, for example a book, a leader or a formula.</p>
      ) : results.length === 0 ? (
        <>
          <h2>No questions match “{query}”</h2>
          <p>
            Try fewer or different words, or <a href="/subjects">browse by subject</a>.
          </p>
        </>
      ) : (
        <>
          <h2>
            {results.length === 1 ? '1 question' : `${results.length} questions`} with “{query}” in the title
          </h2>
          <QuestionList questions={results} />
        </>
      )}
    </Layout>
  );
}
