import type { Kysely } from 'kysely';
import nodemailer from 'nodemailer';
import type { Database } from '../../db/database.ts';
import { type Clock, isoNow } from '../../lib/time.ts';
import type { Mailer, MailMessage } from './mail.ts';
import { insertOutbox, listOutbox, type OutboxEntry } from './outbox.repository.ts';

/** Real SMTP through nodemailer (STARTTLS when the server offers it; smtps:// for TLS from the start). */
export function smtpMailer(url: string, from: string): Mailer {
  const transport = nodemailer.createTransport(url);
  return {
    kind: 'smtp',
    async send(m: MailMessage) {
      await transport.sendMail({ from, to: m.to, subject: m.subject, text: m.text, html: m.html });
    },
  };
}

/** No mail server: messages are stored for admins to read at /admin/outbox. */
export function outboxMailer(db: Kysely<Database>, clock: Clock): Mailer {
  return {
    kind: 'outbox',
    async send(m: MailMessage) {
      await insertOutbox(db, m, isoNow(clock));
    },
  };
}

export function createMailer(config: { smtpUrl: string | null; mailFrom: string }, db: Kysely<Database>, clock: Clock): Mailer {
  return config.smtpUrl ? smtpMailer(config.smtpUrl, config.mailFrom) : outboxMailer(db, clock);
}

/** The newest messages of the outbox (for admins), optionally for one address. */
export function readOutbox(db: Kysely<Database>, opts: { to?: string; limit: number }): Promise<OutboxEntry[]> {
  return listOutbox(db, opts);
}
