import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { MailMessage } from './mail.ts';

type Db = Kysely<Database>;

export interface OutboxEntry extends MailMessage {
  id: number;
  createdAt: string;
}

export async function insertOutbox(db: Db, m: MailMessage, createdAt: string): Promise<void> {
  await db
    .insertInto('outbox')
    .values({ to_address: m.to, subject: m.subject, text_body: m.text, html_body: m.html, created_at: createdAt })
    .execute();
}

export async function listOutbox(db: Db, opts: { to?: string; limit: number }): Promise<OutboxEntry[]> {
  let q = db
    .selectFrom('outbox')
    .select(['id', 'to_address as to', 'subject', 'text_body as text', 'html_body as html', 'created_at as createdAt'])
    .orderBy('id', 'desc')
    .limit(opts.limit);
  if (opts.to) q = q.where('to_address', '=', opts.to);
  return q.execute();
}
