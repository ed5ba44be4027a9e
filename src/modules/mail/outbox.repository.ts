import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { MailMessage } from './mail.ts';

type Db = Kysely<Database>;

export interface OutboxEntry extends MailMessage {
  id: number;
  createdAt: string;
  sentAt: string | null;
  attempts: number;
  lastError: string | null;
}

/** Stores a message; `sendFrom` set queues it for sending from then on, null only keeps it (no mail server). */
export async function insertOutbox(db: Db, m: MailMessage, createdAt: string, sendFrom: string | null): Promise<void> {
  await db
    .insertInto('outbox')
    .values({
      to_address: m.to,
      subject: m.subject,
      text_body: m.text,
      html_body: m.html,
      created_at: createdAt,
      next_attempt_at: sendFrom,
    })
    .execute();
}

export async function listOutbox(db: Db, opts: { to?: string; limit: number }): Promise<OutboxEntry[]> {
  let q = db
    .selectFrom('outbox')
    .select([
      'id',
      'to_address as to',
      'subject',
      'text_body as text',
      'html_body as html',
      'created_at as createdAt',
      'sent_at as sentAt',
      'attempts',
      'last_error as lastError',
    ])
    .orderBy('id', 'desc')
    .limit(opts.limit);
  if (opts.to) q = q.where('to_address', '=', opts.to);
  return q.execute();
}

/** Unsent messages whose next attempt is due, oldest first. */
export async function listDue(db: Db, now: string, limit: number): Promise<number[]> {
  const rows = await db
    .selectFrom('outbox')
    .select('id')
    .where('sent_at', 'is', null)
    .where('next_attempt_at', 'is not', null)
    .where('next_attempt_at', '<=', now)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

/**
 * Takes a message for sending, unless another process holds it (a claim older than `staleBefore` is considered
 * abandoned, e.g. by a process that died mid-send). One conditional UPDATE, so only one process wins.
 */
export async function claim(db: Db, id: number, now: string, staleBefore: string): Promise<MailMessage | undefined> {
  const r = await db
    .updateTable('outbox')
    .set({ claimed_at: now })
    .where('id', '=', id)
    .where('sent_at', 'is', null)
    .where((eb) => eb.or([eb('claimed_at', 'is', null), eb('claimed_at', '<', staleBefore)]))
    .returning(['to_address', 'subject', 'text_body', 'html_body'])
    .executeTakeFirst();
  return r ? { to: r.to_address, subject: r.subject, text: r.text_body, html: r.html_body } : undefined;
}

export async function markSent(db: Db, id: number, at: string): Promise<void> {
  await db
    .updateTable('outbox')
    .set({ sent_at: at, claimed_at: null, next_attempt_at: null, last_error: null })
    .where('id', '=', id)
    .execute();
}

export async function markFailed(db: Db, id: number, error: string, nextAttemptAt: string | null): Promise<void> {
  await db
    .updateTable('outbox')
    .set((eb) => ({ attempts: eb('attempts', '+', 1), claimed_at: null, last_error: error.slice(0, 500), next_attempt_at: nextAttemptAt }))
    .where('id', '=', id)
    .execute();
}

export async function attemptsOf(db: Db, id: number): Promise<number> {
  return (await db.selectFrom('outbox').select('attempts').where('id', '=', id).executeTakeFirst())?.attempts ?? 0;
}
