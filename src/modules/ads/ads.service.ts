import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { FieldIssue } from '../../lib/errors.ts';
import { type Clock, isoNow } from '../../lib/time.ts';
import * as repo from './ads.repository.ts';
import { type HouseAd, isAdLink, PLACEMENTS } from './ads.ts';

type Db = Kysely<Database>;

export { listAllAds, setAdActive } from './ads.repository.ts';

/** The ad for a placement, chosen by the page (so a cached page and its ad stay together), or undefined. */
export async function adFor(db: Db, placement: string, pageId: number): Promise<HouseAd | undefined> {
  const ads = await repo.listActiveAds(db, placement);
  return ads.length === 0 ? undefined : ads[pageId % ads.length];
}

export async function addHouseAd(
  db: Db,
  input: { placement: string; headline: string; body: string; linkUrl: string },
  clock: Clock,
): Promise<FieldIssue[]> {
  const issues: FieldIssue[] = [];
  const headline = input.headline.trim();
  const body = input.body.trim();
  const linkUrl = input.linkUrl.trim();
  if (!(PLACEMENTS as readonly string[]).includes(input.placement))
    issues.push({ field: 'placement', message: 'Choose where the ad goes.' });
  if (headline.length < 1 || headline.length > 80) issues.push({ field: 'headline', message: 'Write a headline of up to 80 characters.' });
  if (body.length > 300) issues.push({ field: 'body', message: 'Keep the text under 300 characters.' });
  if (!isAdLink(linkUrl)) issues.push({ field: 'linkUrl', message: 'Link to a page of this site (/membership) or an http(s) address.' });
  if (issues.length > 0) return issues;
  await repo.insertAd(db, { placement: input.placement, headline, body, linkUrl }, isoNow(clock));
  return [];
}
