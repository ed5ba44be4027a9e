import type { Kysely } from 'kysely';
import { compileOnce } from '../../db/compiled.ts';
import type { Database } from '../../db/database.ts';
import type { AdSnippet, HouseAd } from './ads.ts';

type Db = Kysely<Database>;

// Read on every question page, so compiled once and run on the read connection (db/compiled.ts).
const activeAds = compileOnce((db: Db, placement: string) =>
  db
    .selectFrom('ad_slots')
    .select(['id', 'placement', 'headline', 'body', 'link_url as linkUrl'])
    .where('placement', '=', placement)
    .where('active', '=', 1)
    .orderBy('id'),
);

export function listActiveAds(db: Db, placement: string): Promise<HouseAd[]> {
  return activeAds(db, placement);
}

export async function listAllAds(db: Db): Promise<Array<HouseAd & { active: boolean }>> {
  const rows = await db
    .selectFrom('ad_slots')
    .select(['id', 'placement', 'headline', 'body', 'link_url as linkUrl', 'active'])
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ ...r, active: r.active === 1 }));
}

export async function insertAd(db: Db, ad: Omit<HouseAd, 'id'>, at: string): Promise<void> {
  await db
    .insertInto('ad_slots')
    .values({ placement: ad.placement, headline: ad.headline, body: ad.body, link_url: ad.linkUrl, active: 1, created_at: at })
    .execute();
}

export async function setAdActive(db: Db, id: number, active: boolean): Promise<void> {
  await db
    .updateTable('ad_slots')
    .set({ active: active ? 1 : 0 })
    .where('id', '=', id)
    .execute();
}

// Newest first: the first one whose origins are still allowed fills the slot (ads.service.ts).
const activeSnippets = compileOnce((db: Db, placement: string) =>
  db
    .selectFrom('ad_snippets')
    .select(['id', 'placement', 'name', 'html', 'origins'])
    .where('placement', '=', placement)
    .where('active', '=', 1)
    .orderBy('id', 'desc'),
);

const splitOrigins = (origins: string) => origins.split(' ').filter((o) => o !== '');

export async function listActiveSnippets(db: Db, placement: string): Promise<AdSnippet[]> {
  const rows = await activeSnippets(db, placement);
  return rows.map((r) => ({ ...r, origins: splitOrigins(r.origins) }));
}

export async function listAllSnippets(db: Db): Promise<Array<AdSnippet & { active: boolean }>> {
  const rows = await db
    .selectFrom('ad_snippets')
    .select(['id', 'placement', 'name', 'html', 'origins', 'active'])
    .orderBy('id', 'desc')
    .execute();
  return rows.map((r) => ({ ...r, origins: splitOrigins(r.origins), active: r.active === 1 }));
}

export async function insertSnippet(db: Db, snippet: Omit<AdSnippet, 'id'>, at: string): Promise<void> {
  await db
    .insertInto('ad_snippets')
    .values({
      placement: snippet.placement,
      name: snippet.name,
      html: snippet.html,
      origins: snippet.origins.join(' '),
      active: 1,
      created_at: at,
    })
    .execute();
}

export async function setSnippetActive(db: Db, id: number, active: boolean): Promise<void> {
  await db
    .updateTable('ad_snippets')
    .set({ active: active ? 1 : 0 })
    .where('id', '=', id)
    .execute();
}
