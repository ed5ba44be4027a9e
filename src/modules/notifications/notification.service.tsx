import type { Kysely } from 'kysely';
import { renderToString } from 'preact-render-to-string';
import type { Database } from '../../db/database.ts';
import { type Clock, isoNow } from '../../lib/time.ts';
import type { Mailer, MailMessage } from '../mail/index.ts';
import * as repo from './notification.repository.ts';

type Db = Kysely<Database>;

export interface Notice {
  userId: number;
  questionId: number | null;
  kind: 'claimed' | 'published' | 'returned' | 'closed' | 'rejected' | 'allowance_returned';
  /** One plain sentence; it says what happened without quoting any answer. */
  text: string;
  /** Same-site path to open. */
  link: string;
}

/** Writes the notice in the site; call in the transaction of the change it reports. */
export function recordNotice(db: Db, n: Notice, clock: Clock): Promise<void> {
  return repo.insertNotification(db, { ...n, at: isoNow(clock) });
}

function noticeMail(site: { name: string; url: string }, to: string, name: string, n: Notice): MailMessage {
  const subject = `${site.name}: ${n.text}`.slice(0, 180);
  const lines = [`Hello ${name},`, n.text];
  const url = `${site.url}${n.link}`;
  return {
    to,
    subject,
    text: `${lines.join('\n\n')}\n\n${url}\n\nTurn these emails off in your account: ${site.url}/account\n`,
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
            <a href={url}>Open it on {site.name}</a>
          </p>
          <p style="color: #555; font-size: 0.9em;">
            <a href={`${site.url}/account`}>Turn these emails off</a>
          </p>
        </body>
      </html>,
    )}`,
  };
}

/** The email side of a notice, after the change committed; nothing if the person turned such mail off. */
export async function mailNotice(db: Db, mailer: Mailer, site: { name: string; url: string }, n: Notice): Promise<void> {
  const who = await repo.findRecipient(db, n.userId);
  if (!who || who.deleted || !who.notifyEmail) return;
  await mailer.send(noticeMail(site, who.email, who.name, n));
}

export { countUnread, findRecipient, listNotifications, markAllRead, setNotifyEmail } from './notification.repository.ts';
