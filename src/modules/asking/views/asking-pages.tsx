import type { QuestionStatus } from '../../../db/database.ts';
import type { FieldIssue } from '../../../lib/errors.ts';
import { Field, HiddenCsrf, issueFor, TextArea } from '../../../views/forms.tsx';
import { Layout, SanitizedHtml, type Site, TRIAL_PATH, trialSignUpPath, type ViewerInfo } from '../../../views/layout.tsx';
import { LocalTime } from '../../../views/local-time.tsx';
import { fileSize, ImagesHint, type ImageVariant, largestPath, PictureView } from '../../images/index.ts';
import { ANSWER_LIMITS, QUESTION_LIMITS, type QuestionImage, QuestionPhotos } from '../../questions/index.ts';
import { NOTE_LIMITS } from '../lifecycle.ts';

/** An instant, said in the reader's time zone by public/time.js (UTC without it); `due` adds how far off it is. */
const at = (iso: string, due = false) => <LocalTime iso={iso} relative={due} />;

function Notice(props: { message?: string; error?: boolean }) {
  if (!props.message) return null;
  return props.error ? (
    <p class="form-error" role="alert">
      {props.message}
    </p>
  ) : (
    <p class="form-ok" role="status">
      {props.message}
    </p>
  );
}

export interface AskForm {
  title: string;
  details: string;
  subject: string;
  topics: string;
}

export interface Similar {
  title: string;
  path: string;
  subjectName: string;
}

function AskFields(props: {
  form: AskForm;
  subjects: Array<{ slug: string; name: string }>;
  issues?: FieldIssue[];
  photos: readonly AskPhoto[];
  photoRules: PhotoRules;
}) {
  const { form, issues } = props;
  const subjectError = issueFor(issues, 'subject');
  return (
    <>
      <Field
        id="ask-title"
        name="title"
        label="Your question"
        hint={`${QUESTION_LIMITS.titleMin} to ${QUESTION_LIMITS.titleMax} characters, as you would ask a teacher.`}
        value={form.title}
        error={issueFor(issues, 'title')}
        maxLength={QUESTION_LIMITS.titleMax}
      />
      <TextArea
        id="ask-details"
        name="details"
        label="Details (optional)"
        hint="What you have read or tried, and what confuses you. Markdown works."
        value={form.details}
        error={issueFor(issues, 'details')}
        rows={8}
        maxLength={QUESTION_LIMITS.detailsMax}
      />
      <label for="ask-subject">Subject</label>
      {subjectError ? (
        <span class="field-error" id="ask-subject-error">
          {subjectError}
        </span>
      ) : null}
      <select
        id="ask-subject"
        name="subject"
        aria-invalid={subjectError ? 'true' : undefined}
        aria-describedby={subjectError ? 'ask-subject-error' : undefined}
      >
        <option value="">Choose a subject</option>
        {props.subjects.map((s) => (
          <option key={s.slug} value={s.slug} selected={s.slug === form.subject}>
            {s.name}
          </option>
        ))}
      </select>
      <Field
        id="ask-topics"
        name="topics"
        label="Topics (optional)"
        hint={`Up to ${QUESTION_LIMITS.topics}, separated by commas, such as: causes, Napoleon.`}
        value={form.topics}
        error={issueFor(issues, 'topics')}
        maxLength={QUESTION_LIMITS.topicsText}
      />
      <PhotoField photos={props.photos} rules={props.photoRules} error={issueFor(issues, 'photos')} />
    </>
  );
}

/** A photo attached on /ask: its id rides in the form until the question is posted. */
export interface AskPhoto {
  readonly id: number;
  readonly variants: readonly ImageVariant[];
}

export interface PhotoRules {
  readonly maxPerQuestion: number;
  readonly maxBytes: number;
}

/** Small, for a list of thumbnails: the narrowest file is enough. */
const THUMBNAIL_SIZES = '8rem';

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * The photos field of /ask: what is attached already (a thumbnail, its id in a hidden field, a box to remove it),
 * then the file input for more. A plain input: choosing files and sending the form works without JavaScript; ask.js
 * adds previews, paste and drag-and-drop.
 */
function PhotoField(props: { photos: readonly AskPhoto[]; rules: PhotoRules; error?: string }) {
  const { photos, rules, error } = props;
  if (rules.maxPerQuestion === 0) return null;
  const room = Math.max(0, rules.maxPerQuestion - photos.length);
  const described = ['ask-photos-hint', error ? 'ask-photos-error' : ''].filter(Boolean).join(' ');
  return (
    <div class="photo-field" data-photo-field data-room={String(room)} data-max-bytes={String(rules.maxBytes)}>
      <label for="ask-photos">Photos of your homework (optional)</label>
      <span class="hint" id="ask-photos-hint">
        Up to {plural(rules.maxPerQuestion, 'photo or screenshot', 'photos or screenshots')}: JPEG, PNG, WebP or GIF, at most{' '}
        {fileSize(rules.maxBytes)} each. Location and camera details are removed.
        {photos.length > 0 ? ` ${plural(photos.length, 'photo', 'photos')} attached; room for ${room} more.` : ''}
      </span>
      {error ? (
        <span class="field-error" id="ask-photos-error">
          {error}
        </span>
      ) : null}
      {photos.length > 0 ? (
        <ul class="photo-previews" aria-label="Photos attached">
          {photos.map((p, i) => (
            <li key={p.id}>
              <input type="hidden" name="images" value={String(p.id)} />
              <PictureView image={p} alt={`Photo ${i + 1} you attached`} sizes={THUMBNAIL_SIZES} />
              <label class="check">
                <input type="checkbox" name="remove" value={String(p.id)} /> Remove photo {i + 1}
              </label>
            </li>
          ))}
        </ul>
      ) : null}
      <input
        id="ask-photos"
        type="file"
        name="photos"
        // The formats taken, not image/*: an iPhone then hands over JPEG instead of HEIC (decision 0012).
        accept="image/jpeg,image/png,image/webp,image/gif"
        multiple
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={described}
      />
      {/* ask.js lists the files chosen here, before they are sent. */}
      <div class="photo-picked" data-photo-picked aria-live="polite" />
    </div>
  );
}

/** The photos on the confirm step: shown, and sent on as ids with the post. */
function ConfirmPhotos(props: { photos: readonly AskPhoto[] }) {
  const { photos } = props;
  if (photos.length === 0) return null;
  return (
    <>
      <p>With {plural(photos.length, 'photo', 'photos')}:</p>
      <ul class="photo-previews" aria-label="Photos attached">
        {photos.map((p, i) => (
          <li key={p.id}>
            <PictureView image={p} alt={`Photo ${i + 1} you attached`} sizes={THUMBNAIL_SIZES} />
          </li>
        ))}
      </ul>
    </>
  );
}

function SimilarList(props: { similar: Similar[] }) {
  if (props.similar.length === 0) return null;
  return (
    <ul>
      {props.similar.map((s) => (
        <li key={s.path}>
          <a href={s.path}>{s.title}</a> <span class="muted">({s.subjectName})</span>
        </li>
      ))}
    </ul>
  );
}

export function AskPageView(props: {
  site: Site;
  viewer: ViewerInfo | null;
  csrfToken: string;
  /** null: the viewer may not ask (the page says why and how to become a member). */
  allowance: { used: number; perMonth: number; left: number } | null;
  form: AskForm;
  subjects: Array<{ slug: string; name: string }>;
  issues?: FieldIssue[];
  message?: string;
  /** The confirm step: similar answered questions, then post or edit. */
  confirm?: Similar[];
  /** Attached so far, in order. */
  photos: readonly AskPhoto[];
  photoRules: PhotoRules;
  answerTargetHours: number;
  scriptUrl: string;
}) {
  const { allowance } = props;
  return (
    <Layout site={props.site} viewer={props.viewer} title="Ask a question">
      <h1>Ask a question</h1>
      <Notice message={props.message} error={props.issues !== undefined && props.issues.length > 0} />
      {allowance === null ? (
        props.viewer ? (
          <section class="card">
            <p>Asking is for members: verified educators answer each question, usually within {props.answerTargetHours} hours.</p>
            <p>
              <a class="button" href={`${TRIAL_PATH}&back=${encodeURIComponent('/ask')}`}>
                Start your free trial
              </a>{' '}
              and ask your first question today.
            </p>
          </section>
        ) : (
          <section class="card">
            <p>Members ask their own questions and verified educators answer them.</p>
            <p>
              <a href="/login?next=%2Fask">Log in</a> or <a href={trialSignUpPath('/ask')}>create an account</a> to start your free trial.
            </p>
          </section>
        )
      ) : (
        <>
          <p>
            You have asked {allowance.used} of your {allowance.perMonth} questions this month; {allowance.left} left. An educator usually
            answers within {props.answerTargetHours} hours; if not, the question no longer counts against your allowance.
          </p>
          {props.confirm ? (
            <section aria-labelledby="similar-title">
              <h2 id="similar-title">Is it already answered?</h2>
              {props.confirm.length > 0 ? (
                <>
                  <p>These answered questions look similar. If one answers yours, you keep your question for later.</p>
                  <SimilarList similar={props.confirm} />
                </>
              ) : (
                <p>No similar answered question was found.</p>
              )}
              <form method="post" action="/ask" class="stack">
                <HiddenCsrf token={props.csrfToken} />
                <input type="hidden" name="title" value={props.form.title} />
                <input type="hidden" name="details" value={props.form.details} />
                <input type="hidden" name="subject" value={props.form.subject} />
                <input type="hidden" name="topics" value={props.form.topics} />
                {props.photos.map((p) => (
                  <input key={p.id} type="hidden" name="images" value={String(p.id)} />
                ))}
                <ConfirmPhotos photos={props.photos} />
                <div class="answer-tools">
                  <button type="submit" name="step" value="post" class="button">
                    Post my question
                  </button>
                  <button type="submit" name="step" value="edit" class="link-button">
                    Edit it first
                  </button>
                </div>
              </form>
            </section>
          ) : (
            // The token first: the server reads files only after a valid token (platform/uploads.ts).
            <form method="post" action="/ask" enctype="multipart/form-data" class="stack form-page" novalidate data-ask-form>
              <HiddenCsrf token={props.csrfToken} />
              <AskFields
                form={props.form}
                subjects={props.subjects}
                issues={props.issues}
                photos={props.photos}
                photoRules={props.photoRules}
              />
              <section aria-live="polite" aria-label="Similar answered questions" class="ask-similar" data-suggestions />
              <button type="submit" name="step" value="check" class="button" disabled={allowance.left === 0}>
                Continue
              </button>
            </form>
          )}
          <script src={props.scriptUrl} defer />
        </>
      )}
    </Layout>
  );
}

export function statusText(status: QuestionStatus): string {
  return (
    {
      queued: 'Waiting for an educator',
      claimed: 'An educator is answering',
      drafted: 'An educator is answering',
      in_review: 'In editorial review',
      published: 'Answered',
      closed: 'Closed as already answered',
      rejected: 'Not accepted',
      hidden: 'Hidden by a moderator',
    } as const
  )[status];
}

export function MyQuestionsView(props: {
  site: Site;
  viewer: ViewerInfo;
  questions: Array<{
    id: number;
    slug: string;
    title: string;
    status: QuestionStatus;
    dueAt: string | null;
    createdAt: string;
    closeReason: string | null;
    duplicateOf: number | null;
    photos: number;
  }>;
  nowMs: number;
  message?: string;
}) {
  return (
    <Layout site={props.site} viewer={props.viewer} title="My questions">
      <h1>My questions</h1>
      <Notice message={props.message} />
      {props.questions.length === 0 ? (
        <p>
          You have not asked anything yet. <a href="/ask">Ask a question</a>.
        </p>
      ) : (
        <ul class="status-list">
          {props.questions.map((q) => {
            const open = ['queued', 'claimed', 'drafted', 'in_review'].includes(q.status);
            const late = open && q.dueAt !== null && Date.parse(q.dueAt) <= props.nowMs;
            return (
              <li key={q.id} class="card">
                {q.status === 'published' ? <a href={`/q/${q.id}/${q.slug}`}>{q.title}</a> : <strong>{q.title}</strong>}
                {q.photos > 0 ? <span class="muted"> · with {plural(q.photos, 'photo', 'photos')}</span> : null}
                <br />
                <span class="badge">{statusText(q.status)}</span>{' '}
                {open && q.dueAt ? (
                  late ? (
                    <span class="overdue">
                      Taking longer than expected (due {at(q.dueAt, true)}); it no longer counts against your allowance.
                    </span>
                  ) : (
                    <span>Expected by {at(q.dueAt, true)}.</span>
                  )
                ) : null}
                {q.status === 'closed' && q.duplicateOf !== null ? (
                  <span>
                    {' '}
                    <a href={`/q/${q.duplicateOf}`}>Read the answer it duplicates</a>.
                  </span>
                ) : null}
                {q.status === 'rejected' && q.closeReason ? <span> Reason: {q.closeReason}</span> : null}
              </li>
            );
          })}
        </ul>
      )}
    </Layout>
  );
}

export interface QueueRow {
  id: number;
  title: string;
  subjectName: string;
  status: QuestionStatus;
  dueAt: string | null;
  mine: boolean;
  heldByOther: boolean;
  returned: boolean;
}

export function QueueView(props: {
  site: Site;
  viewer: ViewerInfo;
  csrfToken: string;
  rows: QueueRow[];
  nowMs: number;
  message?: string;
  subjects: string[];
}) {
  return (
    <Layout site={props.site} viewer={props.viewer} title="Question queue">
      <h1>Question queue</h1>
      <Notice message={props.message} />
      {props.subjects.length === 0 ? (
        <p>
          You are not verified for any subject yet. <a href="/apply">Apply to answer questions</a>.
        </p>
      ) : (
        <p class="muted">Your subjects: {props.subjects.join(', ')}. Soonest answer target first.</p>
      )}
      {props.rows.length === 0 && props.subjects.length > 0 ? <p>No questions are waiting. Thank you!</p> : null}
      <ul class="status-list">
        {props.rows.map((r) => {
          const late = r.dueAt !== null && Date.parse(r.dueAt) <= props.nowMs;
          return (
            <li key={r.id} class="card">
              <strong>{r.title}</strong> <span class="muted">({r.subjectName})</span>
              <br />
              {r.dueAt ? (
                <span class={late ? 'overdue' : undefined}>
                  {late ? 'Overdue since' : 'Due'} {at(r.dueAt, true)}
                </span>
              ) : null}{' '}
              {r.mine ? (
                <a class="button" href={`/educator/q/${r.id}`}>
                  {r.returned ? 'Revise your answer (returned)' : 'Continue your answer'}
                </a>
              ) : r.heldByOther ? (
                <span class="badge">Another educator is answering</span>
              ) : (
                <form method="post" action={`/educator/q/${r.id}/claim`} class="inline-form">
                  <HiddenCsrf token={props.csrfToken} />
                  <button type="submit" class="button">
                    Claim “{r.title}”
                  </button>
                </form>
              )}
            </li>
          );
        })}
      </ul>
    </Layout>
  );
}

export interface AnswerForm {
  body: string;
  quickAnswer: string;
  sources: string;
}

export interface Analysis {
  words: number;
  grade: number;
  label: string;
  previewHtml: string;
  draftedQuickAnswer: string;
}

function AnswerFields(props: { form: AnswerForm; issues?: FieldIssue[]; analysis: Analysis | null; idPrefix: string }) {
  const { form, issues, analysis, idPrefix } = props;
  const preview = analysis?.previewHtml;
  return (
    <>
      {/* On wide screens the answer and its preview sit side by side (public/app.css, .answer-editor). */}
      <div class={preview ? 'answer-editor has-preview' : 'answer-editor'}>
        <div class="stack answer-write">
          <TextArea
            id={`${idPrefix}-body`}
            name="body"
            label="Expert answer"
            hint="Markdown: **bold**, *italic*, lists, [links](https://…), $x^2$ for math, ```python for code. Several paragraphs that teach, not just tell."
            value={form.body}
            error={issueFor(issues, 'body')}
            rows={16}
            maxLength={ANSWER_LIMITS.body}
          />
          <ImagesHint />
          {analysis ? (
            <p class="muted" aria-live="polite">
              {analysis.words} words · readability: {analysis.label} (Flesch–Kincaid grade {analysis.grade})
            </p>
          ) : null}
        </div>
        {preview ? (
          <section class="editor-preview" aria-label="Preview">
            <h2>Preview</h2>
            <SanitizedHtml html={preview} class="prose" />
          </section>
        ) : null}
      </div>
      <TextArea
        id={`${idPrefix}-quick`}
        name="quickAnswer"
        label="Quick answer"
        hint="Two to four sentences anyone may read. Leave it empty to use the draft made from your answer."
        value={form.quickAnswer}
        error={issueFor(issues, 'quickAnswer')}
        rows={4}
        maxLength={ANSWER_LIMITS.quickAnswer}
      />
      {analysis?.draftedQuickAnswer ? (
        <p class="hint">
          <strong>Drafted from your answer:</strong> {analysis.draftedQuickAnswer}
        </p>
      ) : null}
      <TextArea
        id={`${idPrefix}-sources`}
        name="sources"
        label="Sources (optional)"
        hint="One a line: a title, then | and a web address if it has one."
        value={form.sources}
        error={issueFor(issues, 'sources')}
        rows={4}
        maxLength={ANSWER_LIMITS.sourcesText}
      />
    </>
  );
}

export function AnswerEditorView(props: {
  site: Site;
  viewer: ViewerInfo;
  csrfToken: string;
  question: {
    id: number;
    title: string;
    detailsHtml: string;
    subjectName: string;
    dueAt: string | null;
    reviewComment: string | null;
    images: readonly QuestionImage[];
  };
  form: AnswerForm;
  analysis: Analysis | null;
  issues?: FieldIssue[];
  message?: string;
  claimUntil: string | null;
  revisions: number;
  scriptUrl: string;
  /** The claim was lost: the text is shown to copy, and nothing can be saved. */
  lost?: boolean;
}) {
  const q = props.question;
  if (props.lost)
    return (
      <Layout site={props.site} viewer={props.viewer} title={`Answer: ${q.title}`}>
        <p>
          <a href="/educator">← Back to the queue</a>
        </p>
        <h1>{q.title}</h1>
        <Notice message={props.message} error />
        <p>Your text is below so you can keep a copy.</p>
        <label for="lost-body">Your expert answer</label>
        <textarea id="lost-body" rows={16} readOnly>
          {props.form.body}
        </textarea>
        <label for="lost-quick">Your quick answer</label>
        <textarea id="lost-quick" rows={4} readOnly>
          {props.form.quickAnswer}
        </textarea>
        <label for="lost-sources">Your sources</label>
        <textarea id="lost-sources" rows={4} readOnly>
          {props.form.sources}
        </textarea>
      </Layout>
    );
  return (
    <Layout site={props.site} viewer={props.viewer} title={`Answer: ${q.title}`}>
      <p>
        <a href="/educator">← Back to the queue</a>
      </p>
      <h1>{q.title}</h1>
      <p class="muted">
        {q.subjectName}
        {q.dueAt ? <> · due {at(q.dueAt, true)}</> : ''}
        {props.claimUntil ? <> · yours until {at(props.claimUntil, true)} (saving renews it)</> : ''}
        {props.revisions > 0 ? ` · ${props.revisions} saved versions` : ''}
      </p>
      {q.detailsHtml ? <SanitizedHtml html={q.detailsHtml} class="prose card" /> : null}
      <QuestionPhotos images={q.images} />
      {q.reviewComment ? (
        <section class="card" aria-label="Editor’s comment">
          <h2>Returned by an editor</h2>
          <p>{q.reviewComment}</p>
        </section>
      ) : null}
      <Notice message={props.message} error={props.issues !== undefined && props.issues.length > 0} />
      <form
        method="post"
        action={`/educator/q/${q.id}`}
        class="stack form-page answer-form"
        novalidate
        data-renew={`/educator/q/${q.id}/renew`}
      >
        <HiddenCsrf token={props.csrfToken} />
        <AnswerFields form={props.form} issues={props.issues} analysis={props.analysis} idPrefix="answer" />
        <div class="answer-tools">
          <button type="submit" name="intent" value="preview" class="link-button">
            Preview
          </button>
          <button type="submit" name="intent" value="save" class="button">
            Save draft
          </button>
          <button type="submit" name="intent" value="submit" class="button">
            Submit for review
          </button>
        </div>
      </form>
      <form method="post" action={`/educator/q/${q.id}/release`}>
        <HiddenCsrf token={props.csrfToken} />
        <button type="submit" class="link-button">
          Give the question back to the queue
        </button>
      </form>
      <script src={props.scriptUrl} defer />
    </Layout>
  );
}

export function ReviewQueueView(props: {
  site: Site;
  viewer: ViewerInfo;
  rows: Array<{ id: number; title: string; subjectName: string; educatorName: string | null; dueAt: string | null }>;
  message?: string;
  openReports: number;
}) {
  return (
    <Layout site={props.site} viewer={props.viewer} title="Editorial review">
      <h1>Editorial review</h1>
      <Notice message={props.message} />
      <p>
        <a href="/editor/reports">Reports to moderate ({props.openReports})</a> · <a href="/editor/guides">Study guides</a> ·{' '}
        <a href="/editor/applications">Educator applications</a>
      </p>
      {props.rows.length === 0 ? <p>No answers are waiting for review.</p> : null}
      <ul class="status-list">
        {props.rows.map((r) => (
          <li key={r.id} class="card">
            <a href={`/editor/q/${r.id}`}>{r.title}</a> <span class="muted">({r.subjectName})</span>
            <br />
            Answered by {r.educatorName ?? 'an educator'}
            {r.dueAt ? <> · due {at(r.dueAt, true)}</> : ''}
          </li>
        ))}
      </ul>
    </Layout>
  );
}

export function ReviewView(props: {
  site: Site;
  viewer: ViewerInfo;
  csrfToken: string;
  question: {
    id: number;
    title: string;
    detailsHtml: string;
    subjectName: string;
    status: QuestionStatus;
    images: readonly QuestionImage[];
  };
  educatorName: string;
  form: AnswerForm;
  analysis: Analysis | null;
  issues?: FieldIssue[];
  message?: string;
  revisions: Array<{ id: number; authorName: string | null; createdAt: string; words: number }>;
  events: Array<{ fromStatus: string; toStatus: string; actorName: string | null; note: string | null; createdAt: string }>;
  fields?: { comment?: string; duplicate?: string; reason?: string };
}) {
  const q = props.question;
  const reviewing = q.status === 'in_review';
  return (
    <Layout site={props.site} viewer={props.viewer} title={`Review: ${q.title}`}>
      <p>
        <a href="/editor">← Back to review</a>
      </p>
      <h1>{q.title}</h1>
      <p class="muted">
        {q.subjectName} · answered by {props.educatorName} · {statusText(q.status)}
      </p>
      {q.detailsHtml ? <SanitizedHtml html={q.detailsHtml} class="prose card" /> : null}
      <QuestionPhotos images={q.images} />
      <Notice message={props.message} error={props.issues !== undefined && props.issues.length > 0} />
      {reviewing ? (
        <>
          <form method="post" action={`/editor/q/${q.id}/approve`} class="stack form-page answer-form" novalidate>
            <HiddenCsrf token={props.csrfToken} />
            <AnswerFields form={props.form} issues={props.issues} analysis={props.analysis} idPrefix="review" />
            <div class="answer-tools">
              <button type="submit" name="intent" value="preview" class="link-button">
                Preview my edits
              </button>
              <button type="submit" name="intent" value="approve" class="button">
                Approve and publish
              </button>
            </div>
          </form>
          <form method="post" action={`/editor/q/${q.id}/return`} class="stack">
            <HiddenCsrf token={props.csrfToken} />
            <TextArea
              id="return-comment"
              name="comment"
              label="Return to the educator with a comment"
              value={props.fields?.comment ?? ''}
              error={issueFor(props.issues, 'comment')}
              rows={3}
              maxLength={NOTE_LIMITS.reviewComment}
            />
            <button type="submit" class="button">
              Return with comment
            </button>
          </form>
        </>
      ) : null}
      {['queued', 'claimed', 'drafted', 'in_review'].includes(q.status) ? (
        <>
          <form method="post" action={`/editor/q/${q.id}/close`} class="stack">
            <HiddenCsrf token={props.csrfToken} />
            <Field
              id="close-duplicate"
              name="duplicate"
              label="Close as a duplicate of (the answered question’s address or number)"
              value={props.fields?.duplicate ?? ''}
              error={issueFor(props.issues, 'duplicate')}
              maxLength={NOTE_LIMITS.duplicate}
            />
            <button type="submit" class="button">
              Close as duplicate
            </button>
          </form>
          <form method="post" action={`/editor/q/${q.id}/reject`} class="stack">
            <HiddenCsrf token={props.csrfToken} />
            <Field
              id="reject-reason"
              name="reason"
              label="Reject, with the reason the student will read"
              value={props.fields?.reason ?? ''}
              error={issueFor(props.issues, 'reason')}
              maxLength={NOTE_LIMITS.rejectReason}
            />
            <button type="submit" class="button">
              Reject
            </button>
          </form>
        </>
      ) : null}
      <h2>History</h2>
      <ol>
        {props.events.map((e, i) => (
          <li key={i}>
            {at(e.createdAt)}: {e.fromStatus} → {e.toStatus}
            {e.actorName ? ` by ${e.actorName}` : ''}
            {e.note ? ` (${e.note})` : ''}
          </li>
        ))}
      </ol>
      <h2>Saved versions of the answer</h2>
      <ol>
        {props.revisions.map((r) => (
          <li key={r.id}>
            {at(r.createdAt)} by {r.authorName ?? 'someone'}, {r.words} words
          </li>
        ))}
      </ol>
    </Layout>
  );
}

export function ReportFormView(props: {
  site: Site;
  viewer: ViewerInfo;
  csrfToken: string;
  question: { id: number; title: string; path: string };
  /** The page's images a report may point at (photos of the question, images in its answer). */
  images: ReadonlyArray<{ readonly image: { readonly id: number; readonly variants: readonly ImageVariant[] }; readonly label: string }>;
  form: { target: string; reason: string };
  issues?: FieldIssue[];
  message?: string;
}) {
  const targetError = issueFor(props.issues, 'target');
  const known = ['answer', ...props.images.map((i) => `image-${i.image.id}`)];
  const chosen = known.includes(props.form.target) ? props.form.target : 'question';
  return (
    <Layout site={props.site} viewer={props.viewer} title="Report a problem">
      <h1>Report a problem</h1>
      <p>
        About the question <a href={props.question.path}>{props.question.title}</a>
      </p>
      <Notice message={props.message} error={props.issues !== undefined && props.issues.length > 0} />
      <form method="post" action="/report" class="stack form-page" novalidate>
        <HiddenCsrf token={props.csrfToken} />
        <input type="hidden" name="question" value={String(props.question.id)} />
        <fieldset>
          <legend>What is wrong?</legend>
          {targetError ? <span class="field-error">{targetError}</span> : null}
          <label>
            <input type="radio" name="target" value="question" checked={chosen === 'question'} /> The question
          </label>
          <label>
            <input type="radio" name="target" value="answer" checked={chosen === 'answer'} /> The answer
          </label>
          {props.images.map(({ image, label }) => (
            <label key={image.id} class="report-image">
              <input type="radio" name="target" value={`image-${image.id}`} checked={chosen === `image-${image.id}`} /> {label}
            </label>
          ))}
        </fieldset>
        <TextArea
          id="report-reason"
          name="reason"
          label="Why should a moderator look at it?"
          value={props.form.reason}
          error={issueFor(props.issues, 'reason')}
          rows={4}
          maxLength={NOTE_LIMITS.reportReason}
        />
        <button type="submit" class="button">
          Send report
        </button>
      </form>
    </Layout>
  );
}

export function ReportsView(props: {
  site: Site;
  viewer: ViewerInfo;
  csrfToken: string;
  open: Array<{
    id: number;
    questionId: number;
    questionTitle: string;
    questionSlug: string;
    questionStatus: string;
    target: string;
    reason: string;
    reporterName: string | null;
    createdAt: string;
    askerEmail: string | null;
    /** The image an image report points at (still live, or removed since). */
    image?: { readonly id: number; readonly variants: readonly ImageVariant[]; readonly removedAt: string | null } | undefined;
  }>;
  decided: Array<{ id: number; questionId: number; questionTitle: string; questionStatus: string; status: string }>;
  message?: string;
}) {
  return (
    <Layout site={props.site} viewer={props.viewer} title="Reports">
      <h1>Reports</h1>
      <Notice message={props.message} />
      {props.open.length === 0 ? <p>No open reports.</p> : null}
      <ul class="status-list">
        {props.open.map((r) => (
          <li key={r.id} class="card">
            <a href={`/q/${r.questionId}/${r.questionSlug}`}>{r.questionTitle}</a> ({r.target}) · reported by {r.reporterName ?? 'someone'}{' '}
            on {at(r.createdAt)}
            <blockquote>{r.reason}</blockquote>
            {r.image && r.image.removedAt === null && r.image.variants.length > 0 ? (
              <a href={largestPath(r.image)} class="report-image-preview">
                <PictureView image={r.image} alt={`The reported image (number ${r.image.id})`} sizes="16rem" />
              </a>
            ) : null}
            <div class="answer-tools">
              {r.image && r.image.removedAt === null ? (
                <form method="post" action={`/editor/reports/${r.id}/remove-image`} class="inline-form">
                  <HiddenCsrf token={props.csrfToken} />
                  <button type="submit" class="button">
                    Remove the image
                  </button>
                </form>
              ) : null}
              {r.questionStatus === 'published' ? (
                <form method="post" action={`/editor/reports/${r.id}/hide`} class="inline-form">
                  <HiddenCsrf token={props.csrfToken} />
                  <button type="submit" class="button">
                    Hide the page
                  </button>
                </form>
              ) : null}
              <form method="post" action={`/editor/reports/${r.id}/dismiss`} class="inline-form">
                <HiddenCsrf token={props.csrfToken} />
                <button type="submit" class="link-button">
                  Dismiss
                </button>
              </form>
              {r.askerEmail ? <a href={`/admin/users?q=${encodeURIComponent(r.askerEmail)}`}>Suspend the asker…</a> : null}
            </div>
          </li>
        ))}
      </ul>
      <h2>Decided</h2>
      <ul>
        {props.decided.map((r) => (
          <li key={r.id}>
            {r.questionTitle}: {r.status}
            {r.questionStatus === 'hidden' ? (
              <form method="post" action={`/editor/reports/${r.id}/restore`} class="inline-form">
                <HiddenCsrf token={props.csrfToken} />
                <button type="submit" class="link-button">
                  Restore “{r.questionTitle.slice(0, 40)}”
                </button>
              </form>
            ) : null}
          </li>
        ))}
      </ul>
    </Layout>
  );
}
