import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';
import { mathToText } from '../../lib/math.ts';
import { latestIso } from '../../lib/time.ts';
import { educatorPath, listEducatorsWithProfiles } from '../educators/index.ts';
import { listGuidesForSitemap } from '../guides/index.ts';
import { questionPath } from '../questions/index.ts';
import { findSubjectBySlug, listSubjects, topicPath } from '../subjects/index.ts';
import type { Feed, FeedEntry } from './feed.ts';
import * as repo from './reach.repository.ts';
import {
  PAGES_SITEMAP_PATH,
  questionIdRange,
  questionSitemapPath,
  SITEMAP_MAX_URLS,
  type SitemapEntry,
  sitemapNumberOf,
} from './sitemap.ts';
import { latest } from './xml.ts';

type Db = Kysely<Database>;

/** What the feeds and sitemaps need to know about the site. */
export interface ReachSite {
  name: string;
  /** Absolute, without a trailing slash. */
  url: string;
}

export const FEED_SIZE = 50;
const SITEMAP_READ_SLICE = 5_000;

/**
 * The numbers of the question sitemaps that have at least one published question, found by hopping: from the
 * first published id, to the first published id past that sitemap's range, and so on. One primary-key seek per
 * sitemap, so the index costs about 20 seeks at a million questions rather than a scan of them. Sitemaps whose
 * range holds no published question are left out (an empty <urlset> is not a valid sitemap).
 */
export async function listQuestionSitemaps(db: Db, size: number): Promise<number[]> {
  const found: number[] = [];
  let afterId = 0;
  // An index may list at most 50,000 sitemaps; one slot is the pages sitemap.
  while (found.length < SITEMAP_MAX_URLS - 1) {
    const id = await repo.findNextPublishedId(db, afterId);
    if (id === undefined) break;
    const n = sitemapNumberOf(id, size);
    found.push(n);
    afterId = questionIdRange(n, size).lastId;
  }
  return found;
}

export async function sitemapIndexEntries(db: Db, site: ReachSite, size: number): Promise<SitemapEntry[]> {
  const numbers = await listQuestionSitemaps(db, size);
  // No <lastmod> per questions sitemap: it would take the newest change among up to `size` rows of each.
  return [{ loc: site.url + PAGES_SITEMAP_PATH }, ...numbers.map((n) => ({ loc: site.url + questionSitemapPath(n) }))];
}

/**
 * The home page, the subject list, every subject page (each last changed when its newest question appeared), the study
 * guides and the educators' profiles.
 */
export async function pagesSitemapEntries(db: Db, site: ReachSite): Promise<SitemapEntry[]> {
  const subjects = await listSubjects(db);
  const newest = await repo.findNewestPublication(db);
  const entries: SitemapEntry[] = [
    { loc: `${site.url}/`, lastmod: newest },
    { loc: `${site.url}/subjects`, lastmod: newest },
  ];
  for (const s of subjects) {
    entries.push({ loc: `${site.url}/subjects/${s.slug}`, lastmod: await repo.findNewestPublication(db, s.id) });
  }
  for (const t of await repo.listTopicsWithQuestions(db)) entries.push({ loc: site.url + topicPath(t.subjectSlug, t.topicSlug) });
  // Study guides: the guide page and each section page (members-only sections list only their free opening).
  const guides = await listGuidesForSitemap(db);
  if (guides.length > 0) entries.push({ loc: `${site.url}/guides`, lastmod: latestIso(guides.map((g) => g.updatedAt)) });
  for (const g of guides) {
    entries.push({ loc: `${site.url}/guides/${g.slug}`, lastmod: g.updatedAt });
    for (const s of g.sections) entries.push({ loc: `${site.url}/guides/${g.slug}/${s.slug}`, lastmod: s.updatedAt });
  }
  // Educators' profiles, without a lastmod: their newest answer would cost a look through each one's answers.
  for (const e of await listEducatorsWithProfiles(db)) entries.push({ loc: site.url + educatorPath(e) });
  return entries;
}

/** Questions sitemap `n` (see questionIdRange), or undefined when its range holds no published question. */
export async function questionSitemapEntries(db: Db, site: ReachSite, n: number, size: number): Promise<SitemapEntry[] | undefined> {
  const { afterId, lastId } = questionIdRange(n, size);
  // Ids are 32-bit integers: a range wholly above them is empty, and asking would overflow PostgreSQL's integer.
  if (afterId >= 2_147_483_647) return undefined;
  const end = Math.min(lastId, 2_147_483_647);
  const entries: SitemapEntry[] = [];
  // Read in slices, letting other requests run between them: on SQLite a read holds the event loop, and a whole
  // 50,000-row range takes a few hundred milliseconds when the rows are not in the page cache.
  for (let from = afterId; from < end; from += SITEMAP_READ_SLICE) {
    if (from > afterId) await new Promise<void>((resolve) => setImmediate(resolve));
    const rows = await repo.listSitemapQuestions(db, from, Math.min(from + SITEMAP_READ_SLICE, end));
    for (const r of rows) entries.push({ loc: site.url + questionPath(r), lastmod: latest(r.updatedAt, r.answerUpdatedAt) });
  }
  return entries.length > 0 ? entries : undefined;
}

function toEntry(site: ReachSite, r: repo.FeedQuestionRow): FeedEntry {
  return {
    url: site.url + questionPath(r),
    id: `${site.url}/q/${r.id}`,
    title: r.title,
    updated: latest(r.updatedAt, r.answerUpdatedAt) ?? r.updatedAt,
    published: r.publishedAt,
    summary: r.quickAnswer === null ? null : mathToText(r.quickAnswer),
    category: { term: r.subjectSlug, label: r.subjectName },
  };
}

/** The site's feed: the newest published questions with their quick answers. */
export async function siteFeed(db: Db, site: ReachSite, now: string): Promise<Feed> {
  const rows = await repo.listFeedQuestions(db, { limit: FEED_SIZE });
  return {
    title: `${site.name}: recently answered questions`,
    subtitle: 'Homework questions answered by verified educators, with a free quick answer.',
    selfUrl: `${site.url}/feed.xml`,
    pageUrl: `${site.url}/`,
    author: site.name,
    emptyUpdated: now,
    entries: rows.map((r) => toEntry(site, r)),
  };
}

/** A subject's feed, or undefined when there is no such subject. */
export async function subjectFeed(db: Db, site: ReachSite, slug: string, now: string): Promise<Feed | undefined> {
  const subject = await findSubjectBySlug(db, slug);
  if (!subject) return undefined;
  const rows = await repo.listFeedQuestions(db, { subjectId: subject.id, limit: FEED_SIZE });
  const page = `${site.url}/subjects/${subject.slug}`;
  return {
    title: `${site.name}: ${subject.name} questions`,
    ...(subject.description ? { subtitle: subject.description } : {}),
    selfUrl: `${page}/feed.xml`,
    pageUrl: page,
    author: site.name,
    emptyUpdated: now,
    entries: rows.map((r) => toEntry(site, r)),
  };
}
