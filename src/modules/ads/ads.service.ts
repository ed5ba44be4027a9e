import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { FieldIssue } from '../../lib/errors.ts';
import { type Clock, isoNow } from '../../lib/time.ts';
import * as repo from './ads.repository.ts';
import { AD_LIMITS, type Ad, isAdLink, PLACEMENTS, snippetAllowed } from './ads.ts';
import { checkAdSnippet } from './snippet.ts';

type Db = Kysely<Database>;

export { listAllAds, listAllSnippets, setAdActive, setSnippetActive } from './ads.repository.ts';

/**
 * The ad for a placement, or undefined. The newest active network snippet whose origins are all still allowed
 * wins: an admin who adds one means it to run (the network pays for the slot), and house ads fill in while every
 * snippet is paused. Among house ads the page picks one, so a cached page and its ad stay together. Either way
 * the choice depends only on the page and the ads, never on the viewer, as visitors' pages are cached as bytes.
 */
export async function adFor(db: Db, placement: string, pageId: number, snippetOrigins: readonly string[] = []): Promise<Ad | undefined> {
  if (snippetOrigins.length > 0) {
    const snippet = (await repo.listActiveSnippets(db, placement)).find((s) => snippetAllowed(s, snippetOrigins));
    if (snippet) return { kind: 'snippet', ...snippet };
  }
  const ads = await repo.listActiveAds(db, placement);
  const ad = ads[pageId % Math.max(ads.length, 1)];
  return ad ? { kind: 'house', ...ad } : undefined;
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
  if (headline.length < 1 || headline.length > AD_LIMITS.headline)
    issues.push({ field: 'headline', message: `Write a headline of up to ${AD_LIMITS.headline} characters.` });
  if (body.length > AD_LIMITS.body) issues.push({ field: 'body', message: `Keep the text under ${AD_LIMITS.body} characters.` });
  if (!isAdLink(linkUrl)) issues.push({ field: 'linkUrl', message: 'Link to a page of this site (/membership) or an http(s) address.' });
  if (issues.length > 0) return issues;
  await repo.insertAd(db, { placement: input.placement, headline, body, linkUrl }, isoNow(clock));
  return [];
}

/** Checks a network snippet (snippet.ts) and stores it re-written; the issues name the field to fix. */
export async function addAdSnippet(
  db: Db,
  input: { placement: string; name: string; snippet: string },
  allowedOrigins: readonly string[],
  clock: Clock,
): Promise<FieldIssue[]> {
  const issues: FieldIssue[] = [];
  const name = input.name.trim();
  if (!(PLACEMENTS as readonly string[]).includes(input.placement))
    issues.push({ field: 'placement', message: 'Choose where the ad goes.' });
  if (name.length < 1 || name.length > AD_LIMITS.snippetName)
    issues.push({ field: 'name', message: `Name the snippet in up to ${AD_LIMITS.snippetName} characters.` });
  const checked = checkAdSnippet(input.snippet, allowedOrigins);
  if (!checked.ok) issues.push({ field: 'snippet', message: checked.message });
  if (issues.length > 0 || !checked.ok) return issues;
  await repo.insertSnippet(db, { placement: input.placement, name, html: checked.html, origins: checked.origins }, isoNow(clock));
  return [];
}
