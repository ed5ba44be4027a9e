import { w3cDatetime, xmlText } from './xml.ts';

// Sitemaps (https://www.sitemaps.org/protocol.html) as pure functions of their entries. Entries carry absolute
// URLs and stored timestamps; nothing here knows where they came from.

/** The protocol's limit of URLs in one sitemap file (and of sitemaps in one index). */
export const SITEMAP_MAX_URLS = 50_000;

export interface SitemapEntry {
  /** Absolute URL. */
  loc: string;
  /** Stored ISO-8601 timestamp of the last change that matters to a reader; omitted when unknown. */
  lastmod?: string | null;
}

const HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n';
const NS = 'http://www.sitemaps.org/schemas/sitemap/0.9';

function entryXml(tag: 'url' | 'sitemap', e: SitemapEntry): string {
  const lastmod = w3cDatetime(e.lastmod);
  return `<${tag}><loc>${xmlText(e.loc)}</loc>${lastmod ? `<lastmod>${lastmod}</lastmod>` : ''}</${tag}>\n`;
}

/** A `<urlset>`: the pages themselves. */
export function buildUrlset(entries: readonly SitemapEntry[]): string {
  // Built as one array joined once: a full questions sitemap is 50,000 entries (several megabytes).
  const parts = [HEAD, `<urlset xmlns="${NS}">\n`];
  for (const e of entries) parts.push(entryXml('url', e));
  parts.push('</urlset>\n');
  return parts.join('');
}

/** A `<sitemapindex>`: where the sitemaps are. */
export function buildSitemapIndex(sitemaps: readonly SitemapEntry[]): string {
  const parts = [HEAD, `<sitemapindex xmlns="${NS}">\n`];
  for (const s of sitemaps) parts.push(entryXml('sitemap', s));
  parts.push('</sitemapindex>\n');
  return parts.join('');
}

/**
 * Questions are split into sitemaps by id range: sitemap n holds the published questions with ids in
 * ((n - 1) * size, n * size]. A question therefore stays in the same file for good (crawlers re-read only the files
 * that change), a file never holds more than `size` URLs, and reading one is a primary-key range scan whatever the
 * size of the site. The price is that files are not all full when ids were spent on questions never published.
 */
export function questionIdRange(n: number, size: number): { afterId: number; lastId: number } {
  return { afterId: (n - 1) * size, lastId: n * size };
}

/** The sitemap number holding a question id. */
export function sitemapNumberOf(id: number, size: number): number {
  return Math.floor((id - 1) / size) + 1;
}

/** `questions-12.xml` -> 12; anything else (zero, leading zeros, too many digits) -> null. */
export function parseQuestionSitemapName(file: string): number | null {
  const m = /^questions-([1-9]\d{0,8})\.xml$/.exec(file);
  return m ? Number(m[1]) : null;
}

export function questionSitemapPath(n: number): string {
  return `/sitemaps/questions-${n}.xml`;
}

export const PAGES_SITEMAP_PATH = '/sitemaps/pages.xml';
