import type { ComponentChildren } from 'preact';
import { Layout, type Site, trialSignUpPath, type ViewerInfo } from '../../../views/layout.tsx';
import { LocalTime } from '../../../views/local-time.tsx';
import { formatPrice, type PlanRow } from '../membership.ts';

export interface MembershipPageProps {
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
  /** A member's monthly allowance of questions (QUESTIONS_PER_MONTH); 0 leaves asking out of what members get. */
  questionsPerMonth: number;
  /**
   * They asked for the trial (`?start=trial`, where sign-up and verification lead): the page opens with the one
   * button that starts it, and `next` is where they go once it runs (the page they came from).
   */
  offer?: { next: string };
}

/** What membership adds, the same on every plan: the card lists it, so a reader knows what they are starting. */
function MemberIncludes(props: { questionsPerMonth: number }) {
  return (
    <ul class="plan-includes">
      <li>Every expert answer, in full</li>
      <li>Every section of every study guide, and the guides as PDFs</li>
      <li>No ads</li>
      {props.questionsPerMonth > 0 ? (
        <li>
          Ask {props.questionsPerMonth} {props.questionsPerMonth === 1 ? 'question' : 'questions'} a month of our verified educators
        </li>
      ) : null}
    </ul>
  );
}

function PlanCard(props: { title: string; id: string; price?: ComponentChildren; featured?: boolean; children: ComponentChildren }) {
  return (
    <li class={props.featured ? 'plan-card featured' : 'plan-card'}>
      <section aria-labelledby={props.id}>
        <h3 id={props.id}>{props.title}</h3>
        {props.price ? <p class="plan-price">{props.price}</p> : null}
        {props.children}
      </section>
    </li>
  );
}

function TrialButton(props: { csrfToken: string; next: string; plan?: number; label: string; secondary?: boolean }) {
  return (
    <form method="post" action="/membership/trial" class="plan-action">
      <input type="hidden" name="_csrf" value={props.csrfToken} />
      {props.plan !== undefined ? <input type="hidden" name="plan" value={String(props.plan)} /> : null}
      <input type="hidden" name="next" value={props.next} />
      <button type="submit" class={props.secondary ? 'button secondary' : 'button'}>
        {props.label}
      </button>
    </form>
  );
}

/** Stripe mode's price, "$9.99" and "a month" apart so the card can set the amount large. */
function Price(props: { plan: PlanRow }) {
  const [amount, ...per] = formatPrice(props.plan).split(' ');
  return (
    <>
      <strong>{amount}</strong> {per.join(' ')}
    </>
  );
}

export function MembershipPageView(props: MembershipPageProps) {
  const member = ['trialing', 'active', 'past_due', 'canceled'].includes(props.status);
  const mayStart = props.viewer !== null && !member && !props.trialUsed;
  // Asked for by the sign-up they just finished: this page is that one step.
  const offer = mayStart && props.offer ? props.offer : undefined;
  const trialLabel = `Start your ${props.trialHours}-hour free trial`;
  const terms = props.stripe
    ? `Free for ${props.trialHours} hours, then the plan you choose unless you cancel before the trial ends. A card is needed; we email you ${props.reminderHours} hours before the first charge, and you can cancel in one click from any page. One trial per person and per card.`
    : `Free for ${props.trialHours} hours. This site takes no payment: no card is needed, and the trial simply ends. One trial per person.`;
  return (
    <Layout
      site={props.site}
      viewer={props.viewer}
      title="Membership"
      description={`Members read every expert answer and study guide without ads. Start with a ${props.trialHours}-hour free trial.`}
      canonicalPath="/membership"
    >
      <h1>{offer ? 'Start your free trial' : 'Membership'}</h1>
      {props.message ? (
        <p class={props.refused ? 'form-error' : 'form-ok'} role={props.refused ? 'alert' : 'status'}>
          {props.message}
        </p>
      ) : null}
      {offer ? (
        <section class="card trial-offer" aria-labelledby="trial-offer-title">
          <h2 id="trial-offer-title">Your account is ready</h2>
          <p>One step left: start your {props.trialHours}-hour free trial to read every expert answer and study guide, without ads.</p>
          <p class="terms">{terms}</p>
          {props.stripe && props.plans.length === 0 ? null : (
            <TrialButton csrfToken={props.csrfToken} next={offer.next} label="Start my free trial" />
          )}
        </section>
      ) : null}
      {member && props.periodEnd ? (
        <p>
          You are a member ({props.status}) until <LocalTime iso={props.periodEnd} />.
        </p>
      ) : null}
      <h2 id="plans-title">{offer ? 'What you get' : 'Plans'}</h2>
      <ul class="plan-cards" aria-labelledby="plans-title">
        <PlanCard title="Free" id="plan-free">
          <ul class="plan-includes">
            <li>Every question and its quick answer</li>
            <li>The opening of each expert answer</li>
            <li>The free sections of study guides</li>
            <li>With ads</li>
          </ul>
        </PlanCard>
        {/* Prices only where they can be paid: in local mode the site takes no payment, so the trial is the offer. */}
        {props.stripe ? (
          props.plans.map((p) => (
            <PlanCard key={p.id} title={p.name} id={`plan-${p.id}`} price={<Price plan={p} />} featured>
              <p class="plan-note">After a {props.trialHours}-hour free trial</p>
              <MemberIncludes questionsPerMonth={props.questionsPerMonth} />
              {props.viewer === null ? (
                <p class="plan-action">
                  <a class="button" href={trialSignUpPath()}>
                    Start with {p.name}
                  </a>
                </p>
              ) : member ? null : (
                // Checkout decides whether a trial comes first (one per person and per card).
                <TrialButton
                  csrfToken={props.csrfToken}
                  next={offer?.next ?? '/membership'}
                  plan={p.id}
                  label={`Start with ${p.name}`}
                  secondary={offer !== undefined}
                />
              )}
            </PlanCard>
          ))
        ) : (
          <PlanCard title="Free trial" id="plan-trial" price={<strong>{props.trialHours} hours</strong>} featured>
            <p class="plan-note">No card needed</p>
            <MemberIncludes questionsPerMonth={props.questionsPerMonth} />
            {props.viewer === null ? (
              <p class="plan-action">
                <a class="button" href={trialSignUpPath()}>
                  {trialLabel}
                </a>
              </p>
            ) : mayStart && !offer ? (
              <TrialButton csrfToken={props.csrfToken} next="/membership" label={trialLabel} />
            ) : null}
          </PlanCard>
        )}
      </ul>
      <h2>Free trial</h2>
      <p>{terms}</p>
      {member ? null : props.viewer === null ? (
        <p>
          Already a member? <a href="/login?next=%2Fmembership">Log in</a>
        </p>
      ) : props.trialUsed ? (
        <p>
          You have had your free trial.{' '}
          {props.stripe
            ? 'Choose a plan above to become a member.'
            : 'This site takes no payment, so further membership is given by its editors and admins: ask them for a complimentary membership.'}
        </p>
      ) : null}
    </Layout>
  );
}
