import { trialSignUpPath } from './layout.tsx';

/**
 * The call to start the free trial, for readers without membership, with its terms in plain words: on question
 * pages (under the expert answer's preview) and study guides (under a members-only section's opening).
 */
export interface PaywallTerms {
  trialHours: number;
  /** Stripe mode: the trial collects a card and turns into a plan unless canceled. */
  cardTrial: boolean;
  reminderHours: number;
  /** Signed in (so the trial starts with a button) or a visitor (who signs up or logs in first). */
  signedIn: boolean;
  csrfToken?: string;
  /** Where the reader comes back to once the trial has started (a same-site path). */
  returnPath: string;
}

export function Paywall(props: { terms: PaywallTerms; id: string; heading: string; level?: 2 | 3 }) {
  const { terms } = props;
  const Heading = props.level === 2 ? 'h2' : 'h3';
  return (
    <section class="paywall" aria-labelledby={props.id}>
      <Heading id={props.id}>{props.heading}</Heading>
      <p>Start your {terms.trialHours}-hour free trial to read every expert answer and study guide, without ads.</p>
      {terms.cardTrial ? (
        <p class="terms">
          Free for {terms.trialHours} hours, then the membership plan you choose unless you cancel before the trial ends. A card is needed;
          we email you {terms.reminderHours} hours before the first charge, and you can cancel in one click from the banner at the top of
          every page. One trial per person.
        </p>
      ) : (
        <p class="terms">
          Free for {terms.trialHours} hours; no card is needed and no payment is taken on this site. One trial per person. Cancel any time
          from the banner at the top of every page.
        </p>
      )}
      {terms.signedIn ? (
        <form method="post" action="/membership/trial">
          <input type="hidden" name="_csrf" value={terms.csrfToken ?? ''} />
          <input type="hidden" name="next" value={terms.returnPath} />
          <button type="submit" class="button">
            Start your {terms.trialHours}-hour free trial
          </button>
        </form>
      ) : (
        <>
          <p>
            <a class="button" href={trialSignUpPath(terms.returnPath)}>
              Start your {terms.trialHours}-hour free trial
            </a>
          </p>
          <p>
            Already a member? <a href={`/login?next=${encodeURIComponent(terms.returnPath)}`}>Log in</a>
          </p>
        </>
      )}
    </section>
  );
}
