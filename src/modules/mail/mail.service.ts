import type { Kysely } from 'kysely';
import nodemailer from 'nodemailer';
import type { Database } from '../../db/database.ts';
import { type Clock, isoNow } from '../../lib/time.ts';
import type { Mailer, MailMessage } from './mail.ts';
import * as outbox from './outbox.repository.ts';

type Db = Kysely<Database>;

/** Hands a message to a mail server. */
export interface MailTransport {
  send(message: MailMessage): Promise<void>;
}

/** Real SMTP through nodemailer (STARTTLS when the server offers it; smtps:// for TLS from the start). */
export function smtpTransport(url: string, from: string): MailTransport & { close(): void } {
  const transport = nodemailer.createTransport(url);
  return {
    async send(m: MailMessage) {
      await transport.sendMail({ from, to: m.to, subject: m.subject, text: m.text, html: m.html });
    },
    close: () => transport.close(),
  };
}

/**
 * A message as a block of plain text for the terminal: who, what, and every link in it, so someone trying the site
 * without a mail server can finish signing up, signing in by code or resetting a password from the server's output.
 */
export function mailBlock(m: MailMessage): string {
  const links = [...new Set(m.text.match(/https?:\/\/[^\s<>"')]+/g) ?? [])];
  const codes = [...new Set(m.text.match(/\b\d{6}\b/g) ?? [])];
  const lines = [
    '--- Mail not sent (SMTP_URL is not set); kept at /admin/outbox ---',
    `To:      ${m.to}`,
    `Subject: ${m.subject}`,
    ...(links.length > 0 ? ['Links:', ...links.map((l) => `  ${l}`)] : []),
    ...(codes.length > 0 ? [`Codes:   ${codes.join(', ')}`] : []),
    '---',
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * No mail server: messages are kept for admins to read at /admin/outbox, and never sent. With `print`, each is
 * also written out as a block of plain text (mailBlock), for whoever runs the server.
 */
export function outboxMailer(db: Db, clock: Clock, print?: (text: string) => void): Mailer {
  return {
    kind: 'outbox',
    async send(m: MailMessage) {
      await outbox.insertOutbox(db, m, isoNow(clock), null);
      print?.(mailBlock(m));
    },
  };
}

// Retry after 1 minute, 5, 30 and 120; then give up (the message stays in the outbox with its last error).
const RETRY_MINUTES = [1, 5, 30, 120];
/** A claim older than this was abandoned (its process died mid-send) and may be taken again. */
const STALE_CLAIM_MS = 5 * 60_000;

export interface DispatcherLog {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/**
 * Sends queued mail. A request only writes the message to the outbox (so answering takes the same time whether or
 * not a mail goes out, and nothing is lost if the process dies); this sends it moments later, and retries. Several
 * processes may run one each: a message is claimed by one conditional UPDATE before it is sent.
 */
export class MailDispatcher {
  private running: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  /** What this dispatcher did since it was made, for /metrics: messages sent, attempts that failed, messages given up. */
  sent = 0;
  failedAttempts = 0;
  gaveUp = 0;

  constructor(
    private readonly db: Db,
    private readonly transport: MailTransport,
    private readonly clock: Clock,
    private readonly log: DispatcherLog,
  ) {}

  /** Looks for due mail now (after a message was queued). */
  poke(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.runUntilIdle().finally(() => {
      this.running = null;
    });
  }

  /** Also looks every `intervalMs`, for retries and for mail another process queued. */
  start(intervalMs = 5_000): void {
    this.timer = setInterval(() => this.poke(), intervalMs);
    this.timer.unref();
    this.poke();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** Sends everything due; resolves when done (tests await it). */
  async runOnce(): Promise<void> {
    const now = this.clock.now();
    const ids = await outbox.listDue(this.db, now.toISOString(), 50);
    for (const id of ids) {
      const claimedAt = this.clock.now();
      const message = await outbox.claim(
        this.db,
        id,
        claimedAt.toISOString(),
        new Date(claimedAt.getTime() - STALE_CLAIM_MS).toISOString(),
      );
      if (!message) continue;
      try {
        await this.transport.send(message);
        await outbox.markSent(this.db, id, isoNow(this.clock));
        this.sent++;
      } catch (err) {
        const attempts = (await outbox.attemptsOf(this.db, id)) + 1;
        const wait = RETRY_MINUTES[attempts - 1];
        const next = wait === undefined ? null : new Date(this.clock.now().getTime() + wait * 60_000).toISOString();
        const reason = err instanceof Error ? err.message : String(err);
        await outbox.markFailed(this.db, id, reason, next);
        this.failedAttempts++;
        if (!next) this.gaveUp++;
        if (next) this.log.warn({ outboxId: id, attempts, reason }, 'mail not sent; will retry');
        else this.log.error({ outboxId: id, attempts, reason }, 'mail not sent; giving up');
      }
    }
  }

  private async runUntilIdle(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.runOnce();
      } catch (err) {
        this.log.error({ err }, 'mail dispatcher failed');
      }
    } while (this.again && !this.stopped);
  }
}

/**
 * For commands run beside the site (`scholia billing reconcile`): mail is queued in the outbox, due at once when
 * SMTP is set up, and the app processes' dispatchers send it within seconds.
 */
export function handOffMailer(db: Db, clock: Clock, smtp: boolean): Mailer {
  return {
    kind: smtp ? 'smtp' : 'outbox',
    async send(m: MailMessage) {
      const now = isoNow(clock);
      await outbox.insertOutbox(db, m, now, smtp ? now : null);
    },
  };
}

/** With SMTP: a message is queued in the outbox and the dispatcher is told. */
export function queuedMailer(db: Db, clock: Clock, dispatcher: MailDispatcher): Mailer {
  return {
    kind: 'smtp',
    async send(m: MailMessage) {
      const now = isoNow(clock);
      await outbox.insertOutbox(db, m, now, now);
      dispatcher.poke();
    },
  };
}

/** The newest messages of the outbox (for admins), optionally for one address. */
export function readOutbox(db: Db, opts: { to?: string; limit: number }): Promise<outbox.OutboxEntry[]> {
  return outbox.listOutbox(db, opts);
}
