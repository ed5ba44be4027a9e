import type { Kysely } from 'kysely';
import { compileOnce } from '../../db/compiled.ts';
import type { Database } from '../../db/database.ts';

type Db = Kysely<Database>;

export interface NotificationRow {
  id: number;
  kind: string;
  text: string;
  link: string;
  createdAt: string;
  readAt: string | null;
}

export async function insertNotification(
  db: Db,
  n: { userId: number; questionId: number | null; kind: string; text: string; link: string; at: string },
): Promise<void> {
  await db
    .insertInto('notifications')
    .values({ user_id: n.userId, question_id: n.questionId, kind: n.kind, text: n.text, link: n.link, created_at: n.at })
    .execute();
}

// The bell's count is on every signed-in page: compiled once.
const unreadQuery = compileOnce((db: Db, userId: number) =>
  db
    .selectFrom('notifications')
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .where('user_id', '=', userId)
    .where('read_at', 'is', null),
);

export async function countUnread(db: Db, userId: number): Promise<number> {
  const [r] = await unreadQuery(db, userId);
  return Number(r?.n ?? 0);
}

export async function listNotifications(db: Db, userId: number, limit: number): Promise<NotificationRow[]> {
  return db
    .selectFrom('notifications')
    .select(['id', 'kind', 'text', 'link', 'created_at as createdAt', 'read_at as readAt'])
    .where('user_id', '=', userId)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

export async function markAllRead(db: Db, userId: number, at: string): Promise<void> {
  await db.updateTable('notifications').set({ read_at: at }).where('user_id', '=', userId).where('read_at', 'is', null).execute();
}

export async function findRecipient(
  db: Db,
  userId: number,
): Promise<{ email: string; name: string; notifyEmail: boolean; deleted: boolean } | undefined> {
  const row = await db
    .selectFrom('users')
    .select(['email', 'name', 'notify_email', 'deleted_at'])
    .where('id', '=', userId)
    .executeTakeFirst();
  return row ? { email: row.email, name: row.name, notifyEmail: row.notify_email === 1, deleted: row.deleted_at !== null } : undefined;
}

export async function setNotifyEmail(db: Db, userId: number, on: boolean): Promise<void> {
  await db
    .updateTable('users')
    .set({ notify_email: on ? 1 : 0 })
    .where('id', '=', userId)
    .execute();
}
