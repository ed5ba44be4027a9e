import type { FieldIssue } from '../../../lib/errors.ts';
import { Field, HiddenCsrf, issueFor } from '../../../views/forms.tsx';
import { Layout, type Site, type ViewerInfo } from '../../../views/layout.tsx';
import { LocalTime } from '../../../views/local-time.tsx';
import { formatPrice, type PlanRow } from '../membership.ts';

export function PlansAdminView(props: {
  site: Site;
  viewer: ViewerInfo;
  csrfToken: string;
  plans: Array<PlanRow & { active: boolean; stripePriceId: string | null }>;
  form: { name: string; interval: string; price: string; currency: string; stripePriceId: string };
  issues?: FieldIssue[];
  saved?: boolean;
}) {
  return (
    <Layout site={props.site} viewer={props.viewer} title="Plans">
      <h1>Plans</h1>
      {props.saved ? (
        <p class="form-ok" role="status">
          Saved.
        </p>
      ) : null}
      {props.plans.length === 0 ? <p>No plans yet.</p> : null}
      <ul class="user-list">
        {props.plans.map((p) => (
          <li key={p.id} class="card">
            <strong>{p.name}</strong> · {formatPrice(p)} · {p.active ? 'offered' : 'withdrawn'}
            {p.stripePriceId ? ` · Stripe ${p.stripePriceId}` : ''}
            <form method="post" action={`/admin/plans/${p.id}/${p.active ? 'withdraw' : 'offer'}`} class="inline-form">
              <HiddenCsrf token={props.csrfToken} />
              <button type="submit" class="link-button">
                {p.active ? `Withdraw ${p.name}` : `Offer ${p.name} again`}
              </button>
            </form>
          </li>
        ))}
      </ul>
      <h2>Add a plan</h2>
      {props.issues?.length ? (
        <p class="form-error" role="alert">
          Please fix the fields marked below.
        </p>
      ) : null}
      <form method="post" action="/admin/plans" class="stack form-page" novalidate>
        <HiddenCsrf token={props.csrfToken} />
        <Field id="plan-name" name="name" label="Name" value={props.form.name} error={issueFor(props.issues, 'name')} maxLength={60} />
        <label for="plan-interval">Billed</label>
        {issueFor(props.issues, 'interval') ? <span class="field-error">{issueFor(props.issues, 'interval')}</span> : null}
        <select id="plan-interval" name="interval">
          <option value="month" selected={props.form.interval !== 'year'}>
            Monthly
          </option>
          <option value="year" selected={props.form.interval === 'year'}>
            Yearly
          </option>
        </select>
        <Field
          id="plan-price"
          name="price"
          label="Price"
          hint="For example 9.99"
          value={props.form.price}
          error={issueFor(props.issues, 'price')}
          maxLength={12}
        />
        <Field
          id="plan-currency"
          name="currency"
          label="Currency"
          hint="Three letters, such as USD"
          value={props.form.currency}
          error={issueFor(props.issues, 'currency')}
          maxLength={3}
        />
        <Field
          id="plan-stripe"
          name="stripePriceId"
          label="Stripe price id (optional)"
          value={props.form.stripePriceId}
          error={issueFor(props.issues, 'stripePriceId')}
          maxLength={100}
        />
        <button type="submit" class="button">
          Add plan
        </button>
      </form>
    </Layout>
  );
}

export function BillingView(props: {
  site: Site;
  viewer: ViewerInfo;
  csrfToken: string;
  status: string;
  source: string | null;
  periodEnd: string | null;
  canceled: boolean;
  inTrial: boolean;
  plan: PlanRow | null;
  notice: string | null;
  stripe: boolean;
  message?: string;
}) {
  const until = props.periodEnd ? <LocalTime iso={props.periodEnd} /> : '';
  const paid = props.source === 'stripe';
  return (
    <Layout site={props.site} viewer={props.viewer} title="Billing">
      <h1>Billing</h1>
      {props.message ? (
        <p class="form-ok" role="status">
          {props.message}
        </p>
      ) : null}
      {props.stripe ? null : <p>No payment is taken on this site: memberships are free trials or given by the site’s admins.</p>}
      {props.notice === 'trial_refused' ? (
        <p class="form-error" role="alert">
          Your last checkout did not start a trial: the card or email address had a free trial before. Nothing was charged.{' '}
          <a href="/membership">Choose a plan</a> to become a member without a trial.
        </p>
      ) : null}
      {props.status === 'none' ? (
        <p>
          You are not a member. <a href="/membership">See what members get and start your free trial</a>.
        </p>
      ) : props.status === 'expired' ? (
        <p>Your membership ended on {until}.</p>
      ) : (
        <>
          <p>
            Status: <strong>{props.status === 'past_due' ? 'payment due' : props.status}</strong>
            {props.inTrial ? ' (free trial)' : props.source === 'complimentary' ? ' (given by the site)' : ''}
            {props.plan ? `, ${props.plan.name} plan at ${formatPrice(props.plan)}` : ''}.
          </p>
          {paid && !props.canceled ? (
            <p>
              {props.inTrial ? 'The trial ends and the first charge is made on' : 'Next charge on'} {until}.
              {props.status === 'past_due'
                ? ' Your last payment failed; Stripe will try again. Update your card to keep your membership.'
                : ''}
            </p>
          ) : (
            <p>Access until {until}.</p>
          )}
          {props.inTrial || paid ? (
            <form method="post" action={props.canceled ? '/membership/resume' : '/membership/cancel'}>
              <HiddenCsrf token={props.csrfToken} />
              <button type="submit" class="button">
                {props.canceled
                  ? props.inTrial
                    ? 'Resume the trial'
                    : 'Resume the membership'
                  : props.inTrial
                    ? 'Cancel the trial'
                    : 'Cancel the membership'}
              </button>
            </form>
          ) : null}
        </>
      )}
      {props.stripe && (paid || props.notice) ? (
        <form method="post" action="/account/billing/portal">
          <HiddenCsrf token={props.csrfToken} />
          <button type="submit" class="link-button">
            Cards and invoices (Stripe billing portal)
          </button>
        </form>
      ) : null}
    </Layout>
  );
}
