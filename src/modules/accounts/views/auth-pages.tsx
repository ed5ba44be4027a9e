import { Layout, type Site, type ViewerInfo } from '../../../views/layout.tsx';
import { LocalTime } from '../../../views/local-time.tsx';
import { ACCOUNT_LIMITS } from '../user.ts';

export interface LoginPageProps {
  site: Site;
  csrfToken: string;
  email: string;
  next: string;
  error?: string;
}

export function LoginPageView(props: LoginPageProps) {
  return (
    <Layout site={props.site} title="Log in" description="Log in to Scholia.">
      <div class="form-page">
        <h1>Log in</h1>
        {props.error ? (
          <p class="form-error" role="alert" id="login-error">
            {props.error}
          </p>
        ) : null}
        <form method="post" action="/login" class="stack" novalidate>
          <input type="hidden" name="_csrf" value={props.csrfToken} />
          <input type="hidden" name="next" value={props.next} />
          <label for="login-email">Email</label>
          <input
            id="login-email"
            type="email"
            name="email"
            value={props.email}
            autocomplete="username"
            required
            maxLength={ACCOUNT_LIMITS.email}
            aria-describedby={props.error ? 'login-error' : undefined}
          />
          <label for="login-password">Password</label>
          <input
            id="login-password"
            type="password"
            name="password"
            autocomplete="current-password"
            required
            maxLength={ACCOUNT_LIMITS.passwordTyped}
          />
          <button type="submit" class="button">
            Log in
          </button>
        </form>
        <p class="form-links">
          <a href="/login/code">Email me a code instead</a>
          <a href="/reset">Forgot your password?</a>
          <a href="/signup">Create an account</a>
        </p>
      </div>
    </Layout>
  );
}

export function LogoutPageView(props: { site: Site; viewer: ViewerInfo; csrfToken: string }) {
  return (
    <Layout site={props.site} viewer={props.viewer} title="Log out">
      <div class="form-page">
        <h1>Log out of Scholia?</h1>
        <p>You are signed in as {props.viewer.name}.</p>
        <form method="post" action="/logout">
          <input type="hidden" name="_csrf" value={props.csrfToken} />
          <button type="submit" class="button">
            Log out
          </button>
        </form>
      </div>
    </Layout>
  );
}

export function TooManyAttemptsView(props: { site: Site; retryAt: Date; now: Date; reason?: string }) {
  const minutes = Math.max(1, Math.ceil((props.retryAt.getTime() - props.now.getTime()) / 60_000));
  return (
    <Layout site={props.site} title="Too many attempts">
      <div class="form-page">
        <h1>Too many attempts</h1>
        <p>
          {props.reason ?? 'To protect accounts, logging in is paused after several failed tries.'} Try again in {minutes}{' '}
          {minutes === 1 ? 'minute' : 'minutes'} (at <LocalTime iso={props.retryAt.toISOString()} show="time" />
          ).
        </p>
        <p>
          <a href="/">Back to the home page</a>
        </p>
      </div>
    </Layout>
  );
}
