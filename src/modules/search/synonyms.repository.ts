import type { Kysely } from 'kysely';
import { compileOnce } from '../../db/compiled.ts';
import type { Database } from '../../db/database.ts';

type Db = Kysely<Database>;

// search_synonyms: one row a group, its phrases comma-separated (migrations/20261204T1200_search_synonyms.ts).

const allGroups = compileOnce((db: Db) => db.selectFrom('search_synonyms').select('phrases').orderBy('position'));

export async function listSynonymGroups(db: Db): Promise<string[][]> {
  return (await allGroups(db)).map((r) => r.phrases.split(',').map((p) => p.trim()));
}

/** Replaces the whole table in one transaction: a search sees the old groups or the new, never half of them. */
export async function replaceSynonymGroups(db: Db, groups: readonly (readonly string[])[]): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('search_synonyms').execute();
    if (groups.length > 0)
      await trx
        .insertInto('search_synonyms')
        .values(groups.map((g, i) => ({ position: i + 1, phrases: g.join(', ') })))
        .execute();
  });
}
