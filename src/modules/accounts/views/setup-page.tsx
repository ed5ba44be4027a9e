import type { FieldIssue } from '../../../lib/errors.ts';
import { Field, HiddenCsrf, issueFor } from '../../../views/forms.tsx';
import { Layout, type Site } from '../../../views/layout.tsx';
import { ACCOUNT_LIMITS } from '../user.ts';

export interface SetupPageProps {
  site: Site;
  csrfToken: string;
  /** The setup link's token, sent back with the form. */
  token: string;
  name: string;
  email: string;
  issues?: FieldIssue[];
  error?: string;
}

/** /setup: the form that makes the first admin of a site that has none. */
export function SetupPageView(props: SetupPageProps) {
  const { issues } = props;
  return (
    <Layout site={props.site} title="Create the first admin">
      <div class="form-page">
        <h1>Create the first admin</h1>
        {props.error || issues?.length ? (
          <p class="form-error" role="alert">
            {props.error ?? 'Please fix the fields marked below.'}
          </p>
        ) : null}
        <p>This site has no admin yet. The account you create here can manage users, roles and settings.</p>
        <form method="post" action="/setup" class="stack" novalidate>
          <HiddenCsrf token={props.csrfToken} />
          <input type="hidden" name="token" value={props.token} />
          <Field
            id="setup-name"
            name="name"
            label="Name"
            value={props.name}
            error={issueFor(issues, 'name')}
            autocomplete="name"
            maxLength={ACCOUNT_LIMITS.name}
          />
          <Field
            id="setup-email"
            name="email"
            label="Email"
            type="email"
            value={props.email}
            error={issueFor(issues, 'email')}
            autocomplete="email"
            maxLength={ACCOUNT_LIMITS.email}
          />
          <Field
            id="setup-password"
            name="password"
            label="Password"
            type="password"
            error={issueFor(issues, 'password')}
            autocomplete="new-password"
            maxLength={ACCOUNT_LIMITS.password}
          />
          <button type="submit" class="button">
            Create admin
          </button>
        </form>
      </div>
    </Layout>
  );
}
