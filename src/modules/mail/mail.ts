export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Where the site's mail goes: an SMTP server, or the outbox table when none is configured. */
export interface Mailer {
  readonly kind: 'smtp' | 'outbox';
  send(message: MailMessage): Promise<void>;
}
