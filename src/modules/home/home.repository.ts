import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';

type Db = Kysely<Database>;

// The home page's figures, read from other modules' tables as the admin dashboard's are: counts over the site,
// the same SQL on both engines, each bounded (an index range or a LIMIT).

/** Educators who can answer now: the role, neither suspended nor deleted. */
export async function countEducators(db: Db): Promise<number> {
  const r = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .where('role', '=', 'educator')
    .where('suspended_at', 'is', null)
    .where('deleted_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/**
 * When the newest `limit` questions asked on the site (imported and generated ones have no asker) and now
 * published were asked and published. Questions a moderator hid since are left out with the rest of what is not
 * published.
 */
export async function listAskedAndPublished(db: Db, limit: number): Promise<Array<{ askedAt: string; publishedAt: string }>> {
  const rows = await db
    .selectFrom('questions')
    .select(['created_at as askedAt', 'published_at as publishedAt'])
    .where('asker_id', 'is not', null)
    .where('status', '=', 'published')
    .where('published_at', 'is not', null)
    .orderBy('published_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ askedAt: r.askedAt, publishedAt: r.publishedAt as string }));
}
