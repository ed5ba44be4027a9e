import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';
import { type Clock, isoNow, systemClock } from '../../lib/time.ts';
import { assertBlobKey, type BlobStore, isBlobKey } from './blob-store.ts';

/*
 * Blobs in the `blobs` table (bytea on PostgreSQL, blob on SQLite): for several app servers sharing one PostgreSQL
 * and no disk. A variant is tens to hundreds of kilobytes, which both engines keep well (PostgreSQL moves large
 * values out of line by itself); the serving route should let a CDN or the browser cache them, since every key is
 * immutable. A row is written in one statement, so it is whole or absent.
 */
export function databaseBlobStore(db: Kysely<Database>, clock: Clock = systemClock): BlobStore {
  return {
    kind: 'database',

    async put(key, bytes, contentType) {
      assertBlobKey(key);
      const now = isoNow(clock);
      await db
        .insertInto('blobs')
        .values({
          key,
          content_type: contentType,
          bytes: bytes.length,
          stored_at: now,
          data: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length),
        })
        // Same key, same bytes: only the stored time moves (see BlobStore.delete).
        .onConflict((oc) => oc.column('key').doUpdateSet({ stored_at: now }))
        .execute();
    },

    async get(key) {
      if (!isBlobKey(key)) return undefined;
      const row = await db.selectFrom('blobs').select(['content_type', 'data']).where('key', '=', key).executeTakeFirst();
      return row ? { bytes: row.data, contentType: row.content_type } : undefined;
    },

    async delete(key, options = {}) {
      assertBlobKey(key);
      let q = db.deleteFrom('blobs').where('key', '=', key);
      // One statement: a put of the same key waits on the row and either comes first (and the row is kept) or
      // after (and writes it again).
      if (options.storedBefore !== undefined) q = q.where('stored_at', '<', options.storedBefore);
      const result = await q.executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    async list({ after = '', limit }) {
      const rows = await db
        .selectFrom('blobs')
        .select(['key', 'bytes', 'stored_at'])
        .where('key', '>', after)
        .orderBy('key')
        .limit(limit)
        .execute();
      return rows.map((r) => ({ key: r.key, bytes: Number(r.bytes), storedAt: r.stored_at }));
    },
  };
}
