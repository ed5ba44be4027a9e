import { HiddenCsrf, TextArea } from '../../views/forms.tsx';
import { Layout, type Site, type ViewerInfo } from '../../views/layout.tsx';
import { SYNONYM_LIMITS, type SynonymProblem } from './synonyms.ts';

/** /admin/search: the synonym and abbreviation table search applies to every query. */
export function SynonymsPageView(props: {
  site: Site;
  viewer: ViewerInfo;
  csrfToken: string;
  text: string;
  problems?: readonly SynonymProblem[];
  saved?: boolean;
  /** A search that found nothing, put on a new last line (from the admin dashboard). */
  adding?: string;
}) {
  const problems = props.problems ?? [];
  return (
    <Layout site={props.site} viewer={props.viewer} title="Search synonyms">
      <h1>Search synonyms and abbreviations</h1>
      {props.saved ? (
        <p class="form-ok" role="status">
          Saved. The next search uses them.
        </p>
      ) : null}
      {props.adding ? (
        <p class="form-ok" role="status">
          “{props.adding}” is on the last line. Add the words that mean the same after it, separated by commas, and save.
        </p>
      ) : null}
      {problems.length > 0 ? (
        <div class="form-error" role="alert">
          <p>Nothing was saved. Fix these lines and save again:</p>
          <ul>
            {problems.map((p) => (
              <li key={`${p.line}:${p.message}`}>
                Line {p.line}: {p.message}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <p>
        Each line is one group of words or phrases that a search treats as the same, separated by commas: a student typing any of them finds
        questions holding any of them. They apply to searches at once; nothing is reindexed.
      </p>
      <form method="post" action="/admin/search" class="stack">
        <HiddenCsrf token={props.csrfToken} />
        <TextArea
          id="synonyms"
          name="synonyms"
          label="Groups, one a line"
          hint={`For example: ww1, world war i, first world war. At most ${SYNONYM_LIMITS.groups} lines, ${SYNONYM_LIMITS.phrasesPerGroup} phrases a line, ${SYNONYM_LIMITS.wordsPerPhrase} words a phrase.`}
          value={props.text}
          error={problems.length > 0 ? 'Some lines could not be read (listed above).' : undefined}
          rows={24}
          maxLength={SYNONYM_LIMITS.textChars}
          required={false}
        />
        <button type="submit" class="button">
          Save
        </button>
      </form>
    </Layout>
  );
}
