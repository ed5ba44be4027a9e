import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface CaughtMail {
  to: string;
  subject: string;
  text: string;
}

/** A real SMTP server on loopback that keeps every message it receives. */
export class MailCatcher {
  readonly mails: CaughtMail[] = [];
  private readonly server: SMTPServer;
  private waiters: Array<() => void> = [];

  constructor() {
    this.server = new SMTPServer({
      authOptional: true,
      // Plain SMTP on loopback; nodemailer would otherwise try STARTTLS against a self-signed certificate.
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, session, callback) => {
        simpleParser(stream)
          .then((parsed) => {
            for (const rcpt of session.envelope.rcptTo)
              this.mails.push({ to: rcpt.address, subject: parsed.subject ?? '', text: parsed.text ?? '' });
            for (const w of this.waiters.splice(0)) w();
            callback();
          })
          .catch(callback);
      },
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `smtp://127.0.0.1:${(this.server.server.address() as AddressInfo).port}`;
  }

  /** The next mail to this address (and matching `match`) that arrives after `after` messages were counted. */
  async waitFor(to: string, after = 0, match: (m: CaughtMail) => boolean = () => true, ms = 10_000): Promise<CaughtMail> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.mails.slice(after).find((m) => m.to === to && match(m));
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no mail to ${to} within ${ms} ms`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
