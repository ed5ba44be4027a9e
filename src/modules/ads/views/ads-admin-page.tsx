import type { FieldIssue } from '../../../lib/errors.ts';
import { Field, HiddenCsrf, issueFor, TextArea } from '../../../views/forms.tsx';
import { Layout, type Site, type ViewerInfo } from '../../../views/layout.tsx';
import { AD_LIMITS, type AdSnippet, type HouseAd, snippetAllowed } from '../ads.ts';

/** What the admin typed into one of the two forms, and what was wrong with it. */
export interface AdFormState<F> {
  form: F;
  issues: FieldIssue[];
}

export interface HouseAdForm {
  headline: string;
  body: string;
  linkUrl: string;
}

export interface SnippetForm {
  name: string;
  snippet: string;
}

/** /admin/ads: every house ad and network snippet, showing or paused, and the forms that add them. */
export function AdsAdminView(props: {
  site: Site;
  viewer: ViewerInfo;
  csrfToken: string;
  ads: Array<HouseAd & { active: boolean }>;
  snippets: Array<AdSnippet & { active: boolean }>;
  /** AD_SNIPPET_ORIGINS. */
  allowedOrigins: readonly string[];
  /** How long visitors' cached pages may show an ad after a change. */
  cacheMinutes: number;
  house: AdFormState<HouseAdForm>;
  snippet: AdFormState<SnippetForm>;
}) {
  // The one the question pages show (adFor's rule: the newest showing snippet on an allowed origin).
  const live = props.snippets.find((s) => s.active && snippetAllowed(s, props.allowedOrigins));
  return (
    <Layout site={props.site} viewer={props.viewer} title="Ads">
      <h1>Ads</h1>
      <p class="muted">
        Ads appear beside questions for readers without membership. Members never see an ad. While a network snippet is showing, the newest
        one fills the slot on every question page; otherwise each page shows one of the house ads. Pages cached for visitors pick up a
        change within {props.cacheMinutes} {props.cacheMinutes === 1 ? 'minute' : 'minutes'}.
      </p>
      <h2>House ads</h2>
      {props.ads.length === 0 ? <p>No ads yet.</p> : null}
      <ul class="user-list">
        {props.ads.map((a) => (
          <li key={a.id} class="card">
            <strong>{a.headline}</strong> → {a.linkUrl} · {a.active ? 'showing' : 'paused'}
            <form method="post" action={`/admin/ads/${a.id}/${a.active ? 'pause' : 'show'}`} class="inline-form">
              <HiddenCsrf token={props.csrfToken} />
              <button type="submit" class="link-button">
                {a.active ? `Pause “${a.headline}”` : `Show “${a.headline}”`}
              </button>
            </form>
          </li>
        ))}
      </ul>
      <h2>Network snippets</h2>
      {props.snippets.length === 0 ? <p>No network snippets yet.</p> : null}
      <ul class="user-list">
        {props.snippets.map((s) => {
          const missing = s.origins.filter((o) => !props.allowedOrigins.includes(o));
          return (
            <li key={s.id} class="card">
              <strong>{s.name}</strong> · {s.active ? 'showing' : 'paused'}
              {s.active && live && live.id !== s.id && missing.length === 0 ? ' (a newer snippet fills the slot)' : null}
              {missing.length > 0 ? ` · not shown: add ${missing.join(', ')} to AD_SNIPPET_ORIGINS` : null}
              {props.allowedOrigins.length === 0 && missing.length === 0 ? ' · not shown: AD_SNIPPET_ORIGINS is empty' : null}
              <pre>
                <code>{s.html}</code>
              </pre>
              <form method="post" action={`/admin/ads/snippets/${s.id}/${s.active ? 'pause' : 'show'}`} class="inline-form">
                <HiddenCsrf token={props.csrfToken} />
                <button type="submit" class="link-button">
                  {s.active ? `Pause “${s.name}”` : `Show “${s.name}”`}
                </button>
              </form>
            </li>
          );
        })}
      </ul>
      <h2>Add a house ad</h2>
      {props.house.issues.length > 0 ? (
        <p class="form-error" role="alert">
          Please fix the fields marked below.
        </p>
      ) : null}
      <form method="post" action="/admin/ads" class="stack form-page" novalidate>
        <HiddenCsrf token={props.csrfToken} />
        <input type="hidden" name="placement" value="question-sidebar" />
        <Field
          id="ad-headline"
          name="headline"
          label="Headline"
          value={props.house.form.headline}
          error={issueFor(props.house.issues, 'headline')}
          maxLength={AD_LIMITS.headline}
        />
        <Field
          id="ad-body"
          name="body"
          label="Text"
          value={props.house.form.body}
          error={issueFor(props.house.issues, 'body')}
          maxLength={AD_LIMITS.body}
        />
        <Field
          id="ad-link"
          name="linkUrl"
          label="Link"
          value={props.house.form.linkUrl}
          error={issueFor(props.house.issues, 'linkUrl')}
          maxLength={AD_LIMITS.linkUrl}
        />
        <button type="submit" class="button">
          Add ad
        </button>
      </form>
      <h2>Add a network snippet</h2>
      {props.allowedOrigins.length === 0 ? (
        <p id="snippets-off">
          Network snippets are off: the site's content security policy lets pages load nothing from other sites. To use an ad network, set{' '}
          <code>AD_SNIPPET_ORIGINS</code> to the https origins it serves from (for example <code>https://ads.example.net</code>, several
          separated by commas) and restart the site; the policy then allows them, and this form opens.
        </p>
      ) : (
        <>
          {props.snippet.issues.length > 0 ? (
            <p class="form-error" role="alert">
              Please fix the fields marked below.
            </p>
          ) : null}
          <form method="post" action="/admin/ads/snippets" class="stack form-page" novalidate>
            <HiddenCsrf token={props.csrfToken} />
            <input type="hidden" name="placement" value="question-sidebar" />
            <Field
              id="snippet-name"
              name="name"
              label="Name"
              hint="For you only: readers never see it."
              value={props.snippet.form.name}
              error={issueFor(props.snippet.issues, 'name')}
              maxLength={AD_LIMITS.snippetName}
            />
            <TextArea
              id="snippet-html"
              name="snippet"
              label="Snippet HTML"
              hint={`From ${props.allowedOrigins.join(', ')} (AD_SNIPPET_ORIGINS). Allowed: <script src="…" async></script>, <ins> and <div> with class and data-* attributes, <iframe src>, <img src> and <a href>. No inline scripts, on… handlers or style attributes: the content security policy would block them.`}
              value={props.snippet.form.snippet}
              error={issueFor(props.snippet.issues, 'snippet')}
              rows={8}
              maxLength={AD_LIMITS.snippet}
              required
            />
            <button type="submit" class="button">
              Add snippet
            </button>
          </form>
        </>
      )}
    </Layout>
  );
}
