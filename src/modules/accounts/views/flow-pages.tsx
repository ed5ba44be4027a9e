import type { FieldIssue } from '../../../lib/errors.ts';
import { Field, HiddenCsrf, issueFor } from '../../../views/forms.tsx';
import { Layout, type Site, TRIAL_PATH } from '../../../views/layout.tsx';
import { ACCOUNT_LIMITS } from '../user.ts';

interface Base {
  site: Site;
  csrfToken: string;
}

function Page(props: { site: Site; title: string; children: preact.ComponentChildren }) {
  return (
    <Layout site={props.site} title={props.title}>
      <div class="form-page">
        <h1>{props.title}</h1>
        {props.children}
      </div>
    </Layout>
  );
}

function Alert(props: { message?: string }) {
  return props.message ? (
    <p class="form-error" role="alert">
      {props.message}
    </p>
  ) : null;
}

export function SignUpPageView(
  props: Base & {
    name: string;
    email: string;
    issues?: FieldIssue[];
    error?: string /** Where the confirmed account lands. */;
    next?: string;
  },
) {
  return (
    <Page site={props.site} title="Create your account">
      <Alert message={props.error ?? (props.issues?.length ? 'Please fix the fields marked below.' : undefined)} />
      {props.next?.startsWith(TRIAL_PATH) ? (
        <p>
          Your free trial is two steps away: create your account here, then open the link we email you. It signs you in on the page that
          starts the trial with one button.
        </p>
      ) : null}
      <form method="post" action="/signup" class="stack" novalidate>
        <HiddenCsrf token={props.csrfToken} />
        {props.next && props.next !== '/' ? <input type="hidden" name="next" value={props.next} /> : null}
        <Field
          id="signup-name"
          name="name"
          label="Name"
          value={props.name}
          error={issueFor(props.issues, 'name')}
          autocomplete="name"
          maxLength={ACCOUNT_LIMITS.name}
        />
        <Field
          id="signup-email"
          name="email"
          label="Email"
          type="email"
          value={props.email}
          error={issueFor(props.issues, 'email')}
          autocomplete="email"
          maxLength={ACCOUNT_LIMITS.email}
        />
        <Field
          id="signup-password"
          name="password"
          label="Password"
          type="password"
          hint="At least 8 characters. A few unrelated words make a strong one."
          error={issueFor(props.issues, 'password')}
          autocomplete="new-password"
          maxLength={ACCOUNT_LIMITS.password}
        />
        <button type="submit" class="button">
          Create account
        </button>
      </form>
      <p class="form-links">
        <a href={props.next && props.next !== '/' ? `/login?next=${encodeURIComponent(props.next)}` : '/login'}>
          I already have an account
        </a>
      </p>
    </Page>
  );
}

/** `email` is the address just typed, when the page still knows it (it rides once to this page, not in its address). */
export function CheckEmailView(props: { site: Site; email?: string; what: 'verify' | 'code' | 'reset' }) {
  const lines = {
    verify: 'we sent a link to finish signing up. It works once and expires in 10 minutes.',
    code: 'we sent a 6-digit code and a link to log in. They work once and expire in 10 minutes.',
    reset: 'we sent a link to choose a new password. It works once and expires in 10 minutes.',
  };
  return (
    <Page site={props.site} title="Check your email">
      <p>
        If {props.email ? <strong>{props.email}</strong> : 'the address you gave'} can use this, {lines[props.what]}
      </p>
      <p class="muted">Nothing arrived? Look in your spam folder, or try again in a few minutes.</p>
    </Page>
  );
}

export function CodeRequestView(props: Base & { email: string; error?: string }) {
  return (
    <Page site={props.site} title="Log in with a code">
      <Alert message={props.error} />
      <p>We will email you a 6-digit code and a link. No password needed.</p>
      <form method="post" action="/login/code" class="stack" novalidate>
        <HiddenCsrf token={props.csrfToken} />
        <Field
          id="code-email"
          name="email"
          label="Email"
          type="email"
          value={props.email}
          autocomplete="email"
          maxLength={ACCOUNT_LIMITS.email}
        />
        <button type="submit" class="button">
          Email me a code
        </button>
      </form>
    </Page>
  );
}

/** Without `email` (the page reloaded after the address rode to it once) the form asks for the address again. */
export function CodeEnterView(props: Base & { email?: string; error?: string }) {
  return (
    <Page site={props.site} title="Enter your code">
      <Alert message={props.error} />
      <p>
        If {props.email ? <strong>{props.email}</strong> : 'the address you gave'} has an account, we sent it a 6-digit code. It expires in
        10 minutes.
      </p>
      <form method="post" action="/login/code/verify" class="stack" novalidate>
        <HiddenCsrf token={props.csrfToken} />
        {props.email ? (
          <input type="hidden" name="email" value={props.email} />
        ) : (
          <Field id="code-email" name="email" label="Email" type="email" value="" autocomplete="email" maxLength={ACCOUNT_LIMITS.email} />
        )}
        <Field
          id="code-code"
          name="code"
          label="Code"
          value=""
          autocomplete="one-time-code"
          maxLength={6}
          inputMode="numeric"
          pattern="[0-9]{6}"
        />
        <button type="submit" class="button">
          Log in
        </button>
      </form>
      <p class="form-links">
        <a href="/login/code">Send a new code</a>
      </p>
    </Page>
  );
}

/** A GET of an emailed link shows this; only the button's POST spends the link (mail scanners open links). */
export function ConfirmLinkView(props: Base & { title: string; text: string; action: string; token: string; button: string }) {
  return (
    <Page site={props.site} title={props.title}>
      <p>{props.text}</p>
      <form method="post" action={props.action}>
        <HiddenCsrf token={props.csrfToken} />
        <input type="hidden" name="token" value={props.token} />
        <button type="submit" class="button">
          {props.button}
        </button>
      </form>
    </Page>
  );
}

export function LinkExpiredView(props: { site: Site; again: { href: string; label: string } }) {
  return (
    <Page site={props.site} title="That link has expired">
      <p>Links we email work once and for 10 minutes. This one has been used or has run out.</p>
      <p>
        <a href={props.again.href}>{props.again.label}</a>
      </p>
    </Page>
  );
}

export function ResetRequestView(props: Base & { email: string; error?: string }) {
  return (
    <Page site={props.site} title="Reset your password">
      <Alert message={props.error} />
      <form method="post" action="/reset" class="stack" novalidate>
        <HiddenCsrf token={props.csrfToken} />
        <Field
          id="reset-email"
          name="email"
          label="Email"
          type="email"
          value={props.email}
          autocomplete="email"
          maxLength={ACCOUNT_LIMITS.email}
        />
        <button type="submit" class="button">
          Email me a link
        </button>
      </form>
    </Page>
  );
}

export function ResetConfirmView(props: Base & { token: string; issues?: FieldIssue[]; error?: string }) {
  return (
    <Page site={props.site} title="Choose a new password">
      <Alert message={props.error} />
      <form method="post" action="/reset/confirm" class="stack" novalidate>
        <HiddenCsrf token={props.csrfToken} />
        <input type="hidden" name="token" value={props.token} />
        <Field
          id="reset-password"
          name="password"
          label="New password"
          type="password"
          hint="At least 8 characters. Signing in with it ends every other session."
          error={issueFor(props.issues, 'password')}
          autocomplete="new-password"
          maxLength={ACCOUNT_LIMITS.password}
        />
        <button type="submit" class="button">
          Save and log in
        </button>
      </form>
    </Page>
  );
}
