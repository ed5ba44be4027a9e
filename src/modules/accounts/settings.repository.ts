import type { Kysely } from 'kysely';
import { compileOnce } from '../../db/compiled.ts';
import type { Database } from '../../db/database.ts';

type Db = Kysely<Database>;

// Site settings: small values admins set (which roles need two-factor sign-in, the first-admin setup link).

// Read on signed-in pages (the two-factor requirement): compiled once.
const settingQuery = compileOnce((db: Db, key: string) => db.selectFrom('site_settings').select('value').where('key', '=', key));

export async function findSetting(db: Db, key: string): Promise<string | undefined> {
  return (await settingQuery(db, key))[0]?.value;
}

export async function saveSetting(db: Db, key: string, value: string): Promise<void> {
  await db
    .insertInto('site_settings')
    .values({ key, value })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
    .execute();
}
