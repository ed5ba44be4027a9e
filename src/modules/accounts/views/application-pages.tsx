import type { FieldIssue } from '../../../lib/errors.ts';
import { HiddenCsrf, issueFor } from '../../../views/forms.tsx';
import { Layout, type Site, type ViewerInfo } from '../../../views/layout.tsx';
import { LocalDate } from '../../../views/local-time.tsx';
import type { ApplicationRow } from '../application.ts';
import { ACCOUNT_LIMITS } from '../user.ts';

export function ApplyView(props: {
  site: Site;
  viewer: ViewerInfo;
  csrfToken: string;
  subjects: Array<{ slug: string; name: string }>;
  chosen: string[];
  qualifications: string;
  statement: string;
  mine: ApplicationRow[];
  issues?: FieldIssue[];
  sent?: boolean;
}) {
  const subjectError = issueFor(props.issues, 'subjects');
  const qError = issueFor(props.issues, 'qualifications');
  const sError = issueFor(props.issues, 'statement');
  return (
    <Layout site={props.site} viewer={props.viewer} title="Become an educator">
      <div class="form-page">
        <h1>Become an educator</h1>
        {props.sent ? (
          <p class="form-ok" role="status">
            Thank you. An editor will review your application and you will hear by email.
          </p>
        ) : null}
        {props.issues?.length ? (
          <p class="form-error" role="alert">
            Please fix the fields marked below.
          </p>
        ) : null}
        <p>Verified educators answer students’ questions in their subjects. Editors check every application.</p>
        <form method="post" action="/apply" class="stack" novalidate>
          <HiddenCsrf token={props.csrfToken} />
          <fieldset aria-describedby={subjectError ? 'apply-subjects-error' : undefined}>
            <legend>Subjects you can teach</legend>
            {subjectError ? (
              <span class="field-error" id="apply-subjects-error">
                {subjectError}
              </span>
            ) : null}
            {props.subjects.map((s) => (
              <div key={s.slug}>
                <input type="checkbox" id={`apply-${s.slug}`} name="subjects" value={s.slug} checked={props.chosen.includes(s.slug)} />{' '}
                <label for={`apply-${s.slug}`}>{s.name}</label>
              </div>
            ))}
          </fieldset>
          <label for="apply-qualifications">Qualifications</label>
          {qError ? (
            <span class="field-error" id="apply-qualifications-error">
              {qError}
            </span>
          ) : null}
          <textarea
            id="apply-qualifications"
            name="qualifications"
            rows={3}
            maxLength={ACCOUNT_LIMITS.qualifications}
            aria-describedby={qError ? 'apply-qualifications-error' : undefined}
          >
            {props.qualifications}
          </textarea>
          <label for="apply-statement">Why you want to answer questions</label>
          {sError ? (
            <span class="field-error" id="apply-statement-error">
              {sError}
            </span>
          ) : null}
          <textarea
            id="apply-statement"
            name="statement"
            rows={5}
            maxLength={ACCOUNT_LIMITS.statement}
            aria-describedby={sError ? 'apply-statement-error' : undefined}
          >
            {props.statement}
          </textarea>
          <button type="submit" class="button">
            Apply
          </button>
        </form>
        {props.mine.length > 0 ? (
          <>
            <h2>Your applications</h2>
            <ul>
              {props.mine.map((a) => (
                <li key={a.id}>
                  {a.subjectName}: {a.status} (sent <LocalDate iso={a.createdAt} />)
                </li>
              ))}
            </ul>
          </>
        ) : null}
      </div>
    </Layout>
  );
}

export function ApplicationsReviewView(props: {
  site: Site;
  viewer: ViewerInfo;
  csrfToken: string;
  pending: ApplicationRow[];
  message?: string;
}) {
  return (
    <Layout site={props.site} viewer={props.viewer} title="Educator applications">
      <h1>Educator applications</h1>
      {props.message ? (
        <p class="form-ok" role="status">
          {props.message}
        </p>
      ) : null}
      {props.pending.length === 0 ? <p>No applications are waiting.</p> : null}
      {props.pending.map((a) => (
        <article class="card" key={a.id}>
          <h2>
            {a.userName}: {a.subjectName}
          </h2>
          <p class="meta">
            {a.userEmail} · sent <LocalDate iso={a.createdAt} />
          </p>
          <h3>Qualifications</h3>
          <p>{a.qualifications}</p>
          <h3>Statement</h3>
          <p>{a.statement}</p>
          <form method="post" action={`/editor/applications/${a.id}`} class="stack">
            <HiddenCsrf token={props.csrfToken} />
            <label for={`note-${a.id}`}>Note to the applicant (optional)</label>
            <textarea id={`note-${a.id}`} name="note" rows={2} maxLength={ACCOUNT_LIMITS.note} />
            <div class="admin-actions">
              <button type="submit" name="decision" value="approve" class="button">
                Approve for {a.subjectName}
              </button>
              <button type="submit" name="decision" value="decline" class="link-button">
                Decline
              </button>
            </div>
          </form>
        </article>
      ))}
    </Layout>
  );
}
