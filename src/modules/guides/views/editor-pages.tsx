import type { FieldIssue } from '../../../lib/errors.ts';
import { Field, HiddenCsrf, issueFor } from '../../../views/forms.tsx';
import { Layout, SanitizedHtml, type Site, type ViewerInfo } from '../../../views/layout.tsx';
import { LocalDate, LocalTime } from '../../../views/local-time.tsx';
import { ImagesHint } from '../../images/index.ts';
import {
  editorGuidePath,
  GUIDE_TITLE_MAX,
  GUIDE_TOPICS_MAX,
  type Guide,
  type GuideRevision,
  type GuideSummary,
  guidePath,
  guidePdfPath,
  OVERVIEW_MAX,
  SECTION_BODY_MAX,
  SECTION_TITLE_MAX,
  sectionPath,
  TOPIC_NAME_MAX,
  TOPIC_NAME_MIN,
  TOPICS_FIELD_MAX,
} from '../guide.ts';

// Authoring pages for editors and admins. Every form posts back to the server: Preview re-renders the form with
// the Markdown rendered below it, so it works without JavaScript, and a refused form comes back as typed.

export interface GuideForm {
  title: string;
  subjectSlug: string;
  overview: string;
  /** Topic names separated by commas, as typed. */
  topics: string;
}

export interface SectionForm {
  title: string;
  body: string;
  membersOnly: boolean;
}

/** The state of one form on a page: what was typed, what was wrong with it, and a rendered preview. */
export interface FormState<F> {
  form: F;
  issues?: FieldIssue[];
  /** Sanitized HTML of the Markdown, when Preview was pressed. */
  previewHtml?: string;
  /** The revision the form was based on (see editVersion); sent back so a concurrent save is noticed. */
  basedOn?: number;
}

function Notices(props: { message?: string; error?: string }) {
  return (
    <>
      {props.message ? (
        <p class="form-ok" role="status">
          {props.message}
        </p>
      ) : null}
      {props.error ? (
        <p class="form-error" role="alert">
          {props.error}
        </p>
      ) : null}
    </>
  );
}

function TextAreaField(props: {
  id: string;
  name: string;
  label: string;
  value: string;
  hint?: string;
  error?: string;
  rows: number;
  maxLength: number;
}) {
  const described = [props.hint ? `${props.id}-hint` : '', props.error ? `${props.id}-error` : ''].filter(Boolean).join(' ');
  return (
    <>
      <label for={props.id}>{props.label}</label>
      {props.hint ? (
        <span class="hint" id={`${props.id}-hint`}>
          {props.hint}
        </span>
      ) : null}
      {props.error ? (
        <span class="field-error" id={`${props.id}-error`}>
          {props.error}
        </span>
      ) : null}
      <textarea
        id={props.id}
        name={props.name}
        rows={props.rows}
        maxLength={props.maxLength}
        required
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={described || undefined}
      >
        {props.value}
      </textarea>
    </>
  );
}

function Preview(props: { id: string; html?: string }) {
  if (props.html === undefined) return null;
  return (
    <section class="editor-preview" aria-labelledby={props.id}>
      <h2 id={props.id}>Preview</h2>
      <SanitizedHtml class="prose" html={props.html} />
    </section>
  );
}

function SubjectSelect(props: { subjects: Array<{ slug: string; name: string }>; value: string; error?: string }) {
  return (
    <>
      <label for="guide-subject">Subject</label>
      {props.error ? (
        <span class="field-error" id="guide-subject-error">
          {props.error}
        </span>
      ) : null}
      <select
        id="guide-subject"
        name="subject"
        required
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={props.error ? 'guide-subject-error' : undefined}
      >
        <option value="" selected={props.value === ''}>
          Choose a subject
        </option>
        {props.subjects.map((s) => (
          <option key={s.slug} value={s.slug} selected={s.slug === props.value}>
            {s.name}
          </option>
        ))}
      </select>
    </>
  );
}

/** Optional, unlike the shared Field (which marks its input required). */
function TopicsField(props: { value: string; error?: string }) {
  const described = ['guide-topics-hint', props.error ? 'guide-topics-error' : ''].filter(Boolean).join(' ');
  return (
    <>
      <label for="guide-topics">Topics (optional)</label>
      <span class="hint" id="guide-topics-hint">
        Up to {GUIDE_TOPICS_MAX}, separated by commas ({TOPIC_NAME_MIN} to {TOPIC_NAME_MAX} characters each), such as: Drama, Shakespeare.
        Questions sharing a topic are listed beside the guide, and their pages link to it first.
      </span>
      {props.error ? (
        <span class="field-error" id="guide-topics-error">
          {props.error}
        </span>
      ) : null}
      <input
        id="guide-topics"
        name="topics"
        type="text"
        value={props.value}
        maxLength={TOPICS_FIELD_MAX}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={described}
      />
    </>
  );
}

function Buttons(props: { save: string }) {
  // Save comes first: Enter in a one-line field submits with the first button.
  return (
    <div class="admin-actions">
      <button type="submit" name="action" value="save" class="button">
        {props.save}
      </button>
      <button type="submit" name="action" value="preview" class="button secondary">
        Preview
      </button>
    </div>
  );
}

function GuideDetailsForm(props: {
  action: string;
  csrfToken: string;
  subjects: Array<{ slug: string; name: string }>;
  state: FormState<GuideForm>;
  save: string;
}) {
  const { state } = props;
  return (
    <>
      {state.issues?.length ? (
        <p class="form-error" role="alert">
          Please fix the fields marked below; nothing was saved.
        </p>
      ) : null}
      <form method="post" action={props.action} class="stack" novalidate>
        <HiddenCsrf token={props.csrfToken} />
        {state.basedOn !== undefined ? <input type="hidden" name="basedOn" value={String(state.basedOn)} /> : null}
        <Field
          id="guide-title"
          name="title"
          label="Title"
          value={state.form.title}
          error={issueFor(state.issues, 'title')}
          hint="The work or topic, for example Macbeth or The French Revolution."
          maxLength={GUIDE_TITLE_MAX}
        />
        <SubjectSelect subjects={props.subjects} value={state.form.subjectSlug} error={issueFor(state.issues, 'subject')} />
        <TopicsField value={state.form.topics} error={issueFor(state.issues, 'topics')} />
        <TextAreaField
          id="guide-overview"
          name="overview"
          label="Overview"
          value={state.form.overview}
          error={issueFor(state.issues, 'overview')}
          hint="Markdown. Free for everyone, and the description search engines show."
          rows={8}
          maxLength={OVERVIEW_MAX}
        />
        <ImagesHint />
        <Buttons save={props.save} />
      </form>
      <Preview id="overview-preview" html={state.previewHtml} />
    </>
  );
}

function SectionFormFields(props: { idPrefix: string; state: FormState<SectionForm> }) {
  const { state, idPrefix } = props;
  return (
    <>
      {state.basedOn !== undefined ? <input type="hidden" name="basedOn" value={String(state.basedOn)} /> : null}
      <Field
        id={`${idPrefix}-title`}
        name="title"
        label="Section title"
        value={state.form.title}
        error={issueFor(state.issues, 'title')}
        hint="For example Summary, Themes, Characters, Key quotes or Analysis."
        maxLength={SECTION_TITLE_MAX}
      />
      <TextAreaField
        id={`${idPrefix}-body`}
        name="body"
        label="Text"
        value={state.form.body}
        error={issueFor(state.issues, 'body')}
        hint="Markdown: ## for headings, - for lists, > for quotations, **bold** and *italic*, $x^2$ for math."
        rows={14}
        maxLength={SECTION_BODY_MAX}
      />
      <ImagesHint />
      <div class="checkbox">
        <input
          type="checkbox"
          id={`${idPrefix}-members`}
          name="membersOnly"
          value="1"
          checked={state.form.membersOnly}
          aria-describedby={`${idPrefix}-members-hint`}
        />{' '}
        <label for={`${idPrefix}-members`}>Members only</label>
        <span class="hint" id={`${idPrefix}-members-hint`}>
          {' '}
          Readers without membership see the title, the first lines and the call to start the free trial.
        </span>
      </div>
    </>
  );
}

export function EditorGuidesListView(props: { site: Site; viewer: ViewerInfo; guides: GuideSummary[]; message?: string }) {
  return (
    <Layout site={props.site} viewer={props.viewer} title="Study guides: editor">
      <h1>Study guides</h1>
      <Notices message={props.message} />
      <p>
        <a class="button" href="/editor/guides/new">
          New study guide
        </a>{' '}
        <a href="/guides">Published guides as readers see them</a>
      </p>
      {props.guides.length === 0 ? (
        <p>No guides yet.</p>
      ) : (
        <table class="compare guide-table">
          <caption class="visually-hidden">Every study guide, drafts included</caption>
          <thead>
            <tr>
              <th scope="col">Guide</th>
              <th scope="col">Subject</th>
              <th scope="col">State</th>
              <th scope="col">Updated</th>
            </tr>
          </thead>
          <tbody>
            {props.guides.map((g) => (
              <tr key={g.id}>
                <td>
                  <a href={editorGuidePath(g)}>{g.title}</a>
                </td>
                <td>{g.subject.name}</td>
                <td>{g.status === 'published' ? 'Published' : 'Draft'}</td>
                <td>
                  <LocalDate iso={g.updatedAt} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Layout>
  );
}

export function NewGuideView(props: {
  site: Site;
  viewer: ViewerInfo;
  csrfToken: string;
  subjects: Array<{ slug: string; name: string }>;
  state: FormState<GuideForm>;
  error?: string;
}) {
  return (
    <Layout site={props.site} viewer={props.viewer} title="New study guide">
      <p>
        <a href="/editor/guides">← All study guides</a>
      </p>
      <h1>New study guide</h1>
      <Notices error={props.error} />
      <p>A new guide starts as a draft. Add its sections next, then publish it.</p>
      <GuideDetailsForm
        action="/editor/guides"
        csrfToken={props.csrfToken}
        subjects={props.subjects}
        state={props.state}
        save="Create guide"
      />
    </Layout>
  );
}

export function EditGuideView(props: {
  site: Site;
  viewer: ViewerInfo;
  csrfToken: string;
  guide: Guide;
  subjects: Array<{ slug: string; name: string }>;
  details: FormState<GuideForm>;
  newSection: FormState<SectionForm>;
  message?: string;
  error?: string;
}) {
  const { guide } = props;
  const base = editorGuidePath(guide);
  return (
    <Layout site={props.site} viewer={props.viewer} title={`Edit ${guide.title}`}>
      <p>
        <a href="/editor/guides">← All study guides</a>
      </p>
      <h1>Edit: {guide.title}</h1>
      <Notices message={props.message} error={props.error} />
      <div class="card">
        <p>
          <strong>{guide.status === 'published' ? 'Published' : 'Draft'}</strong>
          {guide.status === 'published' ? ' — readers see every change you save at once.' : ' — only editors and admins can see it.'}
        </p>
        <div class="admin-actions">
          <form method="post" action={`${base}/status`}>
            <HiddenCsrf token={props.csrfToken} />
            {guide.status === 'published' ? (
              <button type="submit" name="status" value="draft" class="button secondary">
                Unpublish (back to draft)
              </button>
            ) : (
              <button type="submit" name="status" value="published" class="button">
                Publish
              </button>
            )}
          </form>
          <a href={guidePath(guide)}>View as readers see it</a>
          <a href={guidePdfPath(guide)}>PDF</a>
          <a href={`${base}/history`}>History and restore</a>
        </div>
      </div>

      <h2>Sections</h2>
      {guide.sections.length === 0 ? (
        <p>No sections yet. Add the first one below.</p>
      ) : (
        <ol class="section-list">
          {guide.sections.map((s, i) => (
            <li key={s.id}>
              <span class="section-name">
                <a href={`${base}/sections/${s.id}`}>{s.title}</a> <span class="meta">{s.membersOnly ? 'Members only' : 'Free'}</span>
              </span>
              <div class="admin-actions">
                <form method="post" action={`${base}/sections/${s.id}/move`} class="inline-form">
                  <HiddenCsrf token={props.csrfToken} />
                  <button type="submit" name="direction" value="up" class="link-button" disabled={i === 0}>
                    Move up<span class="visually-hidden"> ({s.title})</span>
                  </button>{' '}
                  <button type="submit" name="direction" value="down" class="link-button" disabled={i === guide.sections.length - 1}>
                    Move down<span class="visually-hidden"> ({s.title})</span>
                  </button>
                </form>
                <a href={sectionPath(guide, s)}>
                  View<span class="visually-hidden"> ({s.title})</span>
                </a>
              </div>
            </li>
          ))}
        </ol>
      )}

      <h2 id="add-section">Add a section</h2>
      {props.newSection.issues?.length ? (
        <p class="form-error" role="alert">
          Please fix the fields marked below; the section was not added.
        </p>
      ) : null}
      <form method="post" action={`${base}/sections#add-section`} class="stack" novalidate>
        <HiddenCsrf token={props.csrfToken} />
        <SectionFormFields idPrefix="new-section" state={props.newSection} />
        <Buttons save="Add section" />
      </form>
      <Preview id="section-preview" html={props.newSection.previewHtml} />

      <h2 id="details">Title, subject, topics and overview</h2>
      <GuideDetailsForm
        action={`${base}#details`}
        csrfToken={props.csrfToken}
        subjects={props.subjects}
        state={props.details}
        save="Save details"
      />
    </Layout>
  );
}

export function EditSectionView(props: {
  site: Site;
  viewer: ViewerInfo;
  csrfToken: string;
  guide: Pick<Guide, 'id' | 'slug' | 'title'>;
  section: { id: number; slug: string; title: string };
  state: FormState<SectionForm>;
  error?: string;
  message?: string;
}) {
  const base = `${editorGuidePath(props.guide)}/sections/${props.section.id}`;
  return (
    <Layout site={props.site} viewer={props.viewer} title={`Edit ${props.section.title}`}>
      <p>
        <a href={editorGuidePath(props.guide)}>← {props.guide.title}</a>
      </p>
      <h1>Edit section: {props.section.title}</h1>
      <Notices message={props.message} error={props.error} />
      {props.state.issues?.length ? (
        <p class="form-error" role="alert">
          Please fix the fields marked below; nothing was saved.
        </p>
      ) : null}
      <form method="post" action={base} class="stack" novalidate>
        <HiddenCsrf token={props.csrfToken} />
        <SectionFormFields idPrefix="section" state={props.state} />
        <Buttons save="Save section" />
      </form>
      <Preview id="section-preview" html={props.state.previewHtml} />
      <h2>Remove this section</h2>
      <p>Removing a section also removes its history.</p>
      <form method="post" action={`${base}/delete`}>
        <HiddenCsrf token={props.csrfToken} />
        <button type="submit" class="button danger">
          Remove “{props.section.title}”
        </button>
      </form>
      <p>
        <a href={sectionPath(props.guide, props.section)}>View as readers see it</a>
      </p>
    </Layout>
  );
}

export function HistoryView(props: {
  site: Site;
  viewer: ViewerInfo;
  csrfToken: string;
  guide: Guide;
  revisions: GuideRevision[];
  subjectNames: Map<number, string>;
  message?: string;
  error?: string;
}) {
  const { guide } = props;
  const sectionTitle = new Map(guide.sections.map((s) => [s.id, s.title]));
  // The newest revision of each part is what the guide shows now; restoring it would change nothing.
  const current = new Set<number>();
  const seen = new Set<string>();
  for (const r of props.revisions) {
    const key = r.sectionId === null ? 'guide' : `s${r.sectionId}`;
    if (!seen.has(key)) {
      seen.add(key);
      current.add(r.id);
    }
  }
  return (
    <Layout site={props.site} viewer={props.viewer} title={`History of ${guide.title}`}>
      <p>
        <a href={editorGuidePath(guide)}>← {guide.title}</a>
      </p>
      <h1>History: {guide.title}</h1>
      <Notices message={props.message} error={props.error} />
      <p>Every save of the guide’s details or of a section, newest first. Restoring puts that text back as a new save.</p>
      {props.revisions.length === 0 ? <p>No revisions yet.</p> : null}
      <ol class="revision-list">
        {props.revisions.map((r) => (
          <li key={r.id} class="card">
            <h2 class="revision-title">
              {r.sectionId === null ? 'Title, subject and overview' : `Section: ${sectionTitle.get(r.sectionId) ?? r.title}`}
            </h2>
            <p class="meta">
              <LocalTime iso={r.createdAt} /> · {r.authorName ?? 'Import'}
              {current.has(r.id) ? ' · current' : ''}
            </p>
            <p>
              Title then: <strong>{r.title}</strong>
              {r.sectionId === null && r.subjectId !== null ? ` · subject: ${props.subjectNames.get(r.subjectId) ?? 'removed'}` : ''}
              {r.membersOnly === null ? '' : r.membersOnly ? ' · members only' : ' · free'}
            </p>
            <details>
              <summary>
                Show the text<span class="visually-hidden"> of revision {r.id}</span>
              </summary>
              <pre class="mail-text">{r.body}</pre>
            </details>
            {current.has(r.id) ? null : (
              <form method="post" action={`${editorGuidePath(guide)}/revisions/${r.id}/restore`}>
                <HiddenCsrf token={props.csrfToken} />
                <button type="submit" class="button secondary">
                  Restore this version<span class="visually-hidden"> (revision {r.id})</span>
                </button>
              </form>
            )}
          </li>
        ))}
      </ol>
    </Layout>
  );
}
