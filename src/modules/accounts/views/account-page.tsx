import type { FieldIssue } from '../../../lib/errors.ts';
import { Field, HiddenCsrf, issueFor } from '../../../views/forms.tsx';
import { Layout, type Site, type ViewerInfo } from '../../../views/layout.tsx';
import { LocalTime } from '../../../views/local-time.tsx';
import { ACCOUNT_LIMITS } from '../user.ts';

export interface AccountPageProps {
  site: Site;
  viewer: ViewerInfo & { email: string; role: string };
  csrfToken: string;
  sessions: Array<{ idHash: string; createdAt: string; lastSeenAt: string; ip: string; userAgent: string; current: boolean }>;
  /** Which form the last submission came from, with its problems or its success. */
  notice?: { form: 'profile' | 'email' | 'password' | 'sessions' | 'delete'; issues?: FieldIssue[]; error?: string; ok?: string };
  name?: string;
  newEmail?: string;
  twoFactor: { enabled: boolean; unusedCodes: number; required: boolean; message?: 'wrong' | 'off' };
  /** Whether notifications about the person's questions also come by email. */
  notifyEmail: boolean;
  /** Where the person changes the photo on their educator profile; absent for a role that has no profile. */
  photoPath?: string | undefined;
}

function Notice(props: { form: string; notice?: AccountPageProps['notice'] }) {
  const n = props.notice;
  if (!n || n.form !== props.form) return null;
  if (n.ok)
    return (
      <p class="form-ok" role="status">
        {n.ok}
      </p>
    );
  const message = n.error ?? (n.issues?.length ? 'Please fix the fields marked below.' : undefined);
  return message ? (
    <p class="form-error" role="alert">
      {message}
    </p>
  ) : null;
}

const when = (iso: string) => <LocalTime iso={iso} />;

export function AccountPageView(props: AccountPageProps) {
  const { notice } = props;
  const issues = notice?.issues;
  return (
    <Layout site={props.site} viewer={props.viewer} title="Your account">
      <h1>Your account</h1>
      <p class="muted">
        Signed in as {props.viewer.email} ({props.viewer.role}).
      </p>
      {props.viewer.role === 'student' || props.viewer.role === 'educator' ? (
        <p>
          <a href="/apply">{props.viewer.role === 'student' ? 'Apply to become an educator' : 'Apply to answer in more subjects'}</a>
        </p>
      ) : null}
      {props.viewer.role === 'admin' || props.viewer.role === 'editor' ? (
        <nav aria-label="Administration">
          <p>
            <a href="/editor/applications">Educator applications</a>
            {' · '}
            <a href="/admin/users">Manage users</a>
            {props.viewer.role === 'admin' ? (
              <>
                {' · '}
                <a href="/admin/plans">Plans</a>
                {' · '}
                <a href="/admin/ads">Ads</a>
                {' · '}
                <a href="/admin/outbox">Outbox</a>
                {' · '}
                <a href="/admin/settings">Site settings</a>
                {' · '}
                <a href="/admin/search">Search synonyms</a>
              </>
            ) : null}
          </p>
        </nav>
      ) : null}

      <p>
        <a href="/account/billing">Membership and billing</a> · <a href="/account/questions">My questions</a> ·{' '}
        <a href="/notifications">Notifications</a>
      </p>

      <section class="card" aria-labelledby="notifications-title" id="notifications">
        <h2 id="notifications-title">Notifications</h2>
        <p>
          You are told in the site when an educator takes your question, when it is answered or closed. Email about it is{' '}
          <strong>{props.notifyEmail ? 'on' : 'off'}</strong>.
        </p>
        <form method="post" action="/account/notifications">
          <HiddenCsrf token={props.csrfToken} />
          <input type="hidden" name="email" value={props.notifyEmail ? 'off' : 'on'} />
          <button type="submit" class="button">
            {props.notifyEmail ? 'Turn email off' : 'Turn email on'}
          </button>
        </form>
      </section>

      <section class="card" aria-labelledby="profile-title">
        <h2 id="profile-title">Profile</h2>
        <Notice form="profile" notice={notice} />
        <form method="post" action="/account/profile" class="stack">
          <HiddenCsrf token={props.csrfToken} />
          <Field
            id="profile-name"
            name="name"
            label="Name"
            value={props.name ?? props.viewer.name}
            error={issueFor(issues, 'name')}
            autocomplete="name"
            maxLength={ACCOUNT_LIMITS.name}
          />
          <button type="submit" class="button">
            Save
          </button>
        </form>
        {props.photoPath ? (
          <p>
            <a href={props.photoPath}>Profile photo</a>: the picture beside your name on your educator profile.
          </p>
        ) : null}
      </section>

      <section class="card" aria-labelledby="email-title">
        <h2 id="email-title">Email</h2>
        <Notice form="email" notice={notice} />
        <p>
          Your address is <strong>{props.viewer.email}</strong>. A new one takes effect when you confirm it from the link we send there.
        </p>
        <form method="post" action="/account/email" class="stack">
          <HiddenCsrf token={props.csrfToken} />
          <Field
            id="email-new"
            name="email"
            label="New email"
            type="email"
            value={props.newEmail ?? ''}
            error={issueFor(issues, 'email')}
            autocomplete="email"
            maxLength={ACCOUNT_LIMITS.email}
          />
          <Field
            id="email-password"
            name="password"
            label="Your password"
            type="password"
            error={issueFor(issues, 'password')}
            autocomplete="current-password"
            maxLength={ACCOUNT_LIMITS.passwordTyped}
          />
          <button type="submit" class="button">
            Change email
          </button>
        </form>
      </section>

      <section class="card" aria-labelledby="password-title">
        <h2 id="password-title">Password</h2>
        <Notice form="password" notice={notice} />
        <form method="post" action="/account/password" class="stack">
          <HiddenCsrf token={props.csrfToken} />
          <Field
            id="password-current"
            name="current"
            label="Current password"
            type="password"
            error={issueFor(issues, 'current')}
            autocomplete="current-password"
            maxLength={ACCOUNT_LIMITS.passwordTyped}
          />
          <Field
            id="password-next"
            name="newPassword"
            label="New password"
            type="password"
            hint="At least 8 characters. Changing it signs you out everywhere else."
            error={issueFor(issues, 'newPassword')}
            autocomplete="new-password"
            maxLength={ACCOUNT_LIMITS.password}
          />
          <button type="submit" class="button">
            Change password
          </button>
        </form>
      </section>

      <section class="card" aria-labelledby="two-factor-title">
        <h2 id="two-factor-title">Two-factor sign-in</h2>
        {props.twoFactor.message === 'wrong' ? (
          <p class="form-error" role="alert">
            That password or code was not right, so nothing changed.
          </p>
        ) : null}
        {props.twoFactor.message === 'off' ? (
          <p class="form-ok" role="status">
            Two-factor sign-in is off.
          </p>
        ) : null}
        {props.twoFactor.enabled ? (
          <>
            <p>
              On. Signing in asks for a code from your authenticator app. {props.twoFactor.unusedCodes} unused recovery{' '}
              {props.twoFactor.unusedCodes === 1 ? 'code' : 'codes'} left.
            </p>
            <form method="post" action="/account/2fa/recovery" class="stack">
              <HiddenCsrf token={props.csrfToken} />
              <Field
                id="recovery-code"
                name="code"
                label="Code from your app, to make new recovery codes"
                autocomplete="one-time-code"
                maxLength={ACCOUNT_LIMITS.code}
              />
              <button type="submit" class="button">
                New recovery codes
              </button>
            </form>
            {props.twoFactor.required ? (
              <p class="muted">This site requires two-factor sign-in for your role.</p>
            ) : (
              <form method="post" action="/account/2fa/disable" class="stack">
                <HiddenCsrf token={props.csrfToken} />
                <Field
                  id="disable-password"
                  name="password"
                  label="Password"
                  type="password"
                  autocomplete="current-password"
                  maxLength={ACCOUNT_LIMITS.passwordTyped}
                />
                <Field
                  id="disable-code"
                  name="code"
                  label="Code from your app"
                  autocomplete="one-time-code"
                  maxLength={ACCOUNT_LIMITS.code}
                />
                <button type="submit" class="button">
                  Turn off
                </button>
              </form>
            )}
          </>
        ) : (
          <>
            <p>Off. With it on, signing in also asks for a code from an app on your phone.</p>
            <p>
              <a href="/account/2fa/setup" class="button">
                Turn on two-factor sign-in
              </a>
            </p>
          </>
        )}
      </section>

      <section class="card" aria-labelledby="sessions-title">
        <h2 id="sessions-title">Where you are signed in</h2>
        <Notice form="sessions" notice={notice} />
        <ul class="session-list">
          {props.sessions.map((s) => (
            <li key={s.idHash}>
              <strong>{s.current ? 'This device' : s.userAgent.slice(0, 80) || 'Unknown device'}</strong>
              <span class="meta">
                {' '}
                · signed in {when(s.createdAt)} · last seen {when(s.lastSeenAt)}
                {s.ip ? ` · ${s.ip}` : ''}
              </span>
              {s.current ? null : (
                <form method="post" action="/account/sessions/revoke" class="inline-form">
                  <HiddenCsrf token={props.csrfToken} />
                  <input type="hidden" name="session" value={s.idHash} />
                  <button type="submit" class="link-button">
                    Sign out this device
                  </button>
                </form>
              )}
            </li>
          ))}
        </ul>
        <form method="post" action="/account/sessions/revoke-others">
          <HiddenCsrf token={props.csrfToken} />
          <button type="submit" class="button">
            Sign out everywhere else
          </button>
        </form>
      </section>

      <section class="card" aria-labelledby="data-title">
        <h2 id="data-title">Your data</h2>
        <p>Everything Scholia keeps about you, as a JSON file.</p>
        <p>
          <a href="/account/export.json" download="scholia-my-data.json">
            Download my data
          </a>
        </p>
      </section>

      <section class="card" aria-labelledby="delete-title">
        <h2 id="delete-title">Delete your account</h2>
        <Notice form="delete" notice={notice} />
        <p>
          This removes your name, email, password and sessions. Questions you asked stay on the site, shown as asked by “Deleted user”. It
          cannot be undone.
        </p>
        <form method="post" action="/account/delete" class="stack">
          <HiddenCsrf token={props.csrfToken} />
          <Field
            id="delete-password"
            name="password"
            label="Your password, to confirm"
            type="password"
            autocomplete="current-password"
            maxLength={ACCOUNT_LIMITS.passwordTyped}
          />
          <button type="submit" class="button danger">
            Delete my account
          </button>
        </form>
      </section>
    </Layout>
  );
}
