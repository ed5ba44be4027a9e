import { renderToString } from 'preact-render-to-string';
import type { MailMessage } from '../mail/index.ts';

/** "Your free trial ends in N hours": plain text and simple, escaped HTML. */
export function trialEndingMail(site: { name: string; url: string }, to: string, name: string, periodEnd: string, now: Date): MailMessage {
  const hours = Math.max(1, Math.round((Date.parse(periodEnd) - now.getTime()) / 3600_000));
  const when = `${periodEnd.slice(0, 10)} ${periodEnd.slice(11, 16)} UTC`;
  const subject = `Your ${site.name} free trial ends in ${hours} ${hours === 1 ? 'hour' : 'hours'}`;
  const lines = [
    `Hello ${name},`,
    `Your free trial ends at ${when}. Until then you can read every expert answer and study guide, without ads.`,
    'It will simply end: this site takes no payment, so nothing will be charged.',
    `See what members get: ${site.url}/membership`,
  ];
  return {
    to,
    subject,
    text: `${lines.join('\n\n')}\n`,
    html: `<!doctype html>${renderToString(
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <title>{subject}</title>
        </head>
        <body style="font-family: system-ui, sans-serif; line-height: 1.5; max-width: 36rem;">
          {lines.slice(0, 3).map((l) => (
            <p key={l}>{l}</p>
          ))}
          <p>
            <a href={`${site.url}/membership`}>See what members get</a>
          </p>
        </body>
      </html>,
    )}`,
  };
}
