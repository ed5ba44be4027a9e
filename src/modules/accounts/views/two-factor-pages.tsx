import { Field, HiddenCsrf } from '../../../views/forms.tsx';
import { Layout, type Site, type ViewerInfo } from '../../../views/layout.tsx';
import { ACCOUNT_LIMITS, ROLES } from '../user.ts';

function Alert(props: { message?: string }) {
  return props.message ? (
    <p class="form-error" role="alert">
      {props.message}
    </p>
  ) : null;
}

export function SecondFactorView(props: { site: Site; csrfToken: string; next: string; error?: string }) {
  return (
    <Layout site={props.site} title="Two-factor sign-in">
      <div class="form-page">
        <h1>Enter your authentication code</h1>
        <Alert message={props.error} />
        <p>Open your authenticator app and type the 6-digit code for Scholia, or one of your recovery codes.</p>
        <form method="post" action="/login/2fa" class="stack" novalidate>
          <HiddenCsrf token={props.csrfToken} />
          <input type="hidden" name="next" value={props.next} />
          <Field id="second-factor-code" name="code" label="Code" autocomplete="one-time-code" maxLength={ACCOUNT_LIMITS.code} />
          <button type="submit" class="button">
            Log in
          </button>
        </form>
      </div>
    </Layout>
  );
}

export function EnrolStartView(props: { site: Site; viewer: ViewerInfo; csrfToken: string; required: boolean }) {
  return (
    <Layout site={props.site} viewer={props.viewer} title="Turn on two-factor sign-in">
      <div class="form-page">
        <h1>Turn on two-factor sign-in</h1>
        {props.required ? <p class="form-error">This site requires two-factor sign-in for your role. Set it up to continue.</p> : null}
        <p>
          You will need an authenticator app on your phone (for example FreeOTP, Aegis or 1Password). Signing in will then ask for the
          6-digit code it shows.
        </p>
        <form method="post" action="/account/2fa/setup">
          <HiddenCsrf token={props.csrfToken} />
          <button type="submit" class="button">
            Show my setup code
          </button>
        </form>
        <p class="form-links">
          <a href="/logout">Log out</a>
        </p>
      </div>
    </Layout>
  );
}

export function EnrolView(props: {
  site: Site;
  viewer: ViewerInfo;
  csrfToken: string;
  secret: string;
  qrDataUri: string;
  required: boolean;
  error?: string;
}) {
  return (
    <Layout site={props.site} viewer={props.viewer} title="Turn on two-factor sign-in">
      <div class="form-page">
        <h1>Turn on two-factor sign-in</h1>
        {props.required ? <p class="form-error">This site requires two-factor sign-in for your role. Set it up to continue.</p> : null}
        <Alert message={props.error} />
        <ol>
          <li>Scan this code with an authenticator app (for example FreeOTP, Aegis or 1Password).</li>
          <li>Enter the 6-digit code the app shows.</li>
        </ol>
        <p>
          <img
            src={props.qrDataUri}
            width={220}
            height={220}
            alt="QR code for your authenticator app; the key below holds the same secret"
          />
        </p>
        <p>
          Or type this key into the app: <code class="secret">{props.secret}</code>
        </p>
        <form method="post" action="/account/2fa/enable" class="stack" novalidate>
          <HiddenCsrf token={props.csrfToken} />
          <Field
            id="enrol-code"
            name="code"
            label="Code from the app"
            autocomplete="one-time-code"
            maxLength={6}
            inputMode="numeric"
            pattern="[0-9]{6}"
          />
          <button type="submit" class="button">
            Turn on
          </button>
        </form>
        <p class="form-links">
          <a href="/logout">Log out</a>
        </p>
      </div>
    </Layout>
  );
}

export function RecoveryCodesView(props: { site: Site; viewer: ViewerInfo; codes: string[] }) {
  return (
    <Layout site={props.site} viewer={props.viewer} title="Your recovery codes">
      <div class="form-page">
        <h1>Save your recovery codes</h1>
        <p>Each code signs you in once if you lose your phone. Keep them somewhere safe: this is the only time they are shown.</p>
        <ul class="recovery-codes">
          {props.codes.map((c) => (
            <li key={c}>
              <code>{c}</code>
            </li>
          ))}
        </ul>
        <p>
          <a href="/account" class="button">
            I have saved them
          </a>
        </p>
      </div>
    </Layout>
  );
}

export function TwoFactorSettingsView(props: { site: Site; viewer: ViewerInfo; csrfToken: string; required: string[]; saved?: boolean }) {
  return (
    <Layout site={props.site} viewer={props.viewer} title="Site settings">
      <h1>Site settings</h1>
      {props.saved ? (
        <p class="form-ok" role="status">
          Saved.
        </p>
      ) : null}
      <form method="post" action="/admin/settings" class="stack">
        <HiddenCsrf token={props.csrfToken} />
        <fieldset>
          <legend>Roles that must use two-factor sign-in</legend>
          {ROLES.map((r) => (
            <div key={r}>
              <input type="checkbox" id={`require-${r}`} name="require" value={r} checked={props.required.includes(r)} />{' '}
              <label for={`require-${r}`}>{r}</label>
            </div>
          ))}
        </fieldset>
        <button type="submit" class="button">
          Save
        </button>
      </form>
    </Layout>
  );
}
