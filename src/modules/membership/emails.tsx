import { renderToString } from 'preact-render-to-string';
import type { MailMessage } from '../mail/index.ts';
import { formatPrice, type PlanRow } from './membership.ts';

type SiteInfo = { name: string; url: string };

const at = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

/** Plain text and simple, escaped HTML from the same lines; the last line is the link. */
function mail(site: SiteInfo, to: string, subject: string, lines: string[], link: { text: string; path: string }): MailMessage {
  return {
    to,
    subject,
    text: `${[...lines, `${link.text}: ${site.url}${link.path}`].join('\n\n')}\n`,
    html: `<!doctype html>${renderToString(
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <title>{subject}</title>
        </head>
        <body style="font-family: system-ui, sans-serif; line-height: 1.5; max-width: 36rem;">
          {lines.map((l) => (
            <p key={l}>{l}</p>
          ))}
          <p>
            <a href={`${site.url}${link.path}`}>{link.text}</a>
          </p>
        </body>
      </html>,
    )}`,
  };
}

/**
 * "Your free trial ends in N hours". In local mode the trial simply ends; with a card on file it says what will be
 * charged and how to stop it, which is the point of the reminder.
 */
export function trialEndingMail(site: SiteInfo, to: string, name: string, periodEnd: string, now: Date, plan: PlanRow | null): MailMessage {
  const hours = Math.max(1, Math.round((Date.parse(periodEnd) - now.getTime()) / 3600_000));
  const subject = `Your ${site.name} free trial ends in ${hours} ${hours === 1 ? 'hour' : 'hours'}`;
  const lines = [
    `Hello ${name},`,
    `Your free trial ends at ${at(periodEnd)}. Until then you can read every expert answer and study guide, without ads.`,
    plan
      ? `Then your membership continues on the ${plan.name} plan and your card is charged ${formatPrice(plan)}. To pay nothing, cancel before ${at(periodEnd)} on your billing page: one click, and you keep access until the trial ends.`
      : 'It will simply end: this site takes no payment, so nothing will be charged.',
  ];
  return mail(
    site,
    to,
    subject,
    lines,
    plan ? { text: 'Your billing page', path: '/account/billing' } : { text: 'See what members get', path: '/membership' },
  );
}

/** Sent once when a card-collected trial starts: its end, what follows, and the way out. */
export function trialStartedMail(
  site: SiteInfo,
  to: string,
  name: string,
  periodEnd: string,
  plan: PlanRow | null,
  reminderHours: number,
): MailMessage {
  const subject = `Your ${site.name} free trial has started`;
  const lines = [
    `Hello ${name},`,
    `Your free trial runs until ${at(periodEnd)}: every expert answer and study guide, without ads.`,
    plan
      ? `Unless you cancel before then, it turns into the ${plan.name} plan at ${formatPrice(plan)}. We will remind you ${reminderHours} hours before the trial ends.`
      : `We will remind you ${reminderHours} hours before it ends.`,
    'Cancel any time from the banner at the top of every page or from your billing page; you keep access until the trial ends.',
  ];
  return mail(site, to, subject, lines, { text: 'Your billing page', path: '/account/billing' });
}
