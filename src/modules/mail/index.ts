export { createMailer, outboxMailer, readOutbox, smtpMailer } from './mail.service.ts';
export type { Mailer, MailMessage } from './mail.ts';
export type { OutboxEntry } from './outbox.repository.ts';
