import { Fragment } from 'preact';
import { Layout, type Site, type ViewerInfo } from './layout.tsx';

/** A field the user sent, to give back on the outage page. */
export interface KeptField {
  name: string;
  value: string;
}

export interface UnavailablePageProps {
  site: Site;
  viewer?: ViewerInfo | null;
  title: string;
  message: string;
  /** The status shown under the page (503 for an outage, 403 for an expired form). */
  status?: number;
  /** The line above the kept fields: what to do with them. */
  intro?: string;
  /** The form to send again: its address and the fields worth keeping (empty for a page that was only read). */
  resend: { action: string; fields: KeptField[]; hidden: KeptField[]; droppedSecrets: boolean } | null;
}

/** "quickAnswer" and "quick_answer" read as "Quick answer". */
export function labelOf(name: string): string {
  const words = name
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * The page for a form that could not be taken (an outage: a full disk, an unreachable database; or a form that had
 * expired): says plainly that nothing was saved, and gives back every field the user typed in a form that sends them
 * again, so no text is lost.
 */
export function UnavailablePage(props: UnavailablePageProps) {
  const r = props.resend;
  return (
    <Layout site={props.site} viewer={props.viewer} title={props.title} headerSearch={false}>
      <h1>{props.title}</h1>
      <p role="alert">{props.message}</p>
      {r && r.fields.length > 0 ? (
        <form method="post" action={r.action} class="stack form-page">
          <p>{props.intro ?? 'Your text is below, as you sent it. Copy it somewhere safe, or send it again in a few minutes.'}</p>
          {r.hidden.map((f) => (
            <input type="hidden" name={f.name} value={f.value} key={f.name} />
          ))}
          {r.fields.map((f, i) => (
            <Fragment key={f.name}>
              <label for={`kept-${i}`}>{labelOf(f.name)}</label>
              {/* A line stays a line; longer text gets room to be read and copied. */}
              {f.value.length <= 100 && !f.value.includes('\n') ? (
                <input id={`kept-${i}`} name={f.name} type="text" value={f.value} />
              ) : (
                <textarea id={`kept-${i}`} name={f.name} rows={Math.min(12, Math.max(3, Math.ceil(f.value.length / 70)))}>
                  {f.value}
                </textarea>
              )}
            </Fragment>
          ))}
          {r.droppedSecrets ? <p class="hint">For your safety, passwords and codes are not kept: type them again.</p> : null}
          <button type="submit" class="button">
            Send again
          </button>
        </form>
      ) : null}
      <p>
        <a href="/">Go to the home page</a>
      </p>
      <p class="muted">Error {props.status ?? 503}</p>
    </Layout>
  );
}
