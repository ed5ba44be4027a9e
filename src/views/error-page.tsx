import { Layout, SearchForm, type Site, type ViewerInfo } from './layout.tsx';

export interface ErrorPageProps {
  site: Site;
  viewer?: ViewerInfo | null;
  status: number;
  title: string;
  message: string;
}

export function ErrorPage(props: ErrorPageProps) {
  return (
    <Layout site={props.site} viewer={props.viewer} title={props.title} headerSearch={false}>
      <h1>{props.title}</h1>
      <p>{props.message}</p>
      {props.status < 500 ? (
        <>
          <h2>Find what you were looking for</h2>
          <SearchForm id="error-search" />
        </>
      ) : null}
      <p>
        <a href="/">Go to the home page</a> or <a href="/subjects">browse subjects</a>.
      </p>
      <p class="muted">Error {props.status}</p>
    </Layout>
  );
}
