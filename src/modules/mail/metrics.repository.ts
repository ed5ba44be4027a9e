import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';

type Db = Kysely<Database>;

/**
 * The outbox's backlog, site-wide (/metrics): messages waiting to be sent (due now or waiting for a retry), and
 * messages given up after their last retry. Both read outbox_pending_idx (sent_at, next_attempt_at).
 */
export async function countOutboxBacklog(db: Db): Promise<{ queued: number; undeliverable: number }> {
  const queued = await db
    .selectFrom('outbox')
    .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
    .where('sent_at', 'is', null)
    .where('next_attempt_at', 'is not', null)
    .executeTakeFirst();
  const undeliverable = await db
    .selectFrom('outbox')
    .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
    .where('sent_at', 'is', null)
    .where('next_attempt_at', 'is', null)
    .where('attempts', '>', 0)
    .executeTakeFirst();
  return { queued: Number(queued?.n ?? 0), undeliverable: Number(undeliverable?.n ?? 0) };
}
