import { formatDate } from '../../../lib/time.ts';
import { Layout, type Site, type ViewerInfo } from '../../../views/layout.tsx';
import { formatPrice, type PlanRow } from '../membership.ts';

export function MembershipPageView(props: {
  site: Site;
  viewer: ViewerInfo | null;
  csrfToken: string;
  trialHours: number;
  plans: PlanRow[];
  status: string;
  periodEnd: string | null;
  message?: string;
  /** The message says why something was refused: shown in the error style, not as a success. */
  refused?: boolean;
  /** This person has had their one free trial: no button to start another. */
  trialUsed: boolean;
  /** Stripe mode: the trial collects a card and turns into the chosen plan. */
  stripe: boolean;
  reminderHours: number;
}) {
  const member = ['trialing', 'active', 'past_due', 'canceled'].includes(props.status);
  return (
    <Layout
      site={props.site}
      viewer={props.viewer}
      title="Membership"
      description={`Members read every expert answer and study guide without ads. Start with a ${props.trialHours}-hour free trial.`}
      canonicalPath="/membership"
    >
      <h1>Membership</h1>
      {props.message ? (
        <p class={props.refused ? 'form-error' : 'form-ok'} role={props.refused ? 'alert' : 'status'}>
          {props.message}
        </p>
      ) : null}
      {member && props.periodEnd ? (
        <p>
          You are a member ({props.status}) until {formatDate(props.periodEnd)}, {props.periodEnd.slice(11, 16)} UTC.
        </p>
      ) : null}
      <table class="compare">
        <caption class="visually-hidden">What free readers and members get</caption>
        <thead>
          <tr>
            <th scope="col">You get</th>
            <th scope="col">Free</th>
            <th scope="col">Member</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <th scope="row">Student questions and quick answers</th>
            <td>Yes</td>
            <td>Yes</td>
          </tr>
          <tr>
            <th scope="row">Full expert answers</th>
            <td>The opening</td>
            <td>Yes</td>
          </tr>
          <tr>
            <th scope="row">Study guides</th>
            <td>Free sections</td>
            <td>Every section</td>
          </tr>
          <tr>
            <th scope="row">Ads</th>
            <td>Yes</td>
            <td>None</td>
          </tr>
        </tbody>
      </table>
      {/* Prices only where they can be paid: in local mode the site takes no payment. */}
      {props.stripe && props.plans.length > 0 ? (
        <>
          <h2>Plans</h2>
          <ul class={props.stripe ? 'plan-list' : undefined}>
            {props.plans.map((p) => (
              <li key={p.id}>
                {p.name}: {formatPrice(p)}
                {props.stripe && props.viewer && !member ? (
                  <form method="post" action="/membership/trial" class="inline-form">
                    <input type="hidden" name="_csrf" value={props.csrfToken} />
                    <input type="hidden" name="plan" value={String(p.id)} />
                    <button type="submit" class="link-button">
                      Start with {p.name}
                    </button>
                  </form>
                ) : null}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <h2>Free trial</h2>
      {props.stripe ? (
        <p>
          Try everything free for {props.trialHours} hours. A card is needed; unless you cancel before the trial ends, it turns into the
          plan you chose and the card is charged. We email you {props.reminderHours} hours before that, and you can cancel in one click from
          any page. One trial per person and per card.
        </p>
      ) : (
        <p>
          Try everything free for {props.trialHours} hours. This site takes no payment: no card is needed, and the trial simply ends. One
          trial per person.
        </p>
      )}
      {member ? null : props.viewer && props.trialUsed ? (
        <p>
          You have had your free trial.{' '}
          {props.stripe
            ? 'Choose a plan above to become a member.'
            : 'This site takes no payment, so further membership is given by its editors and admins: ask them for a complimentary membership.'}
        </p>
      ) : props.viewer ? (
        <form method="post" action="/membership/trial">
          <input type="hidden" name="_csrf" value={props.csrfToken} />
          <input type="hidden" name="next" value="/membership" />
          <button type="submit" class="button">
            Start your {props.trialHours}-hour free trial
          </button>
        </form>
      ) : (
        <p>
          <a class="button" href="/signup?next=%2Fmembership">
            Start your {props.trialHours}-hour free trial
          </a>{' '}
          Already a member? <a href="/login?next=%2Fmembership">Log in</a>
        </p>
      )}
    </Layout>
  );
}
