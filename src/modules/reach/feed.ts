import { w3cDatetime, xmlText } from './xml.ts';

// Atom feeds (RFC 4287) as a pure function of their entries.
//
// A feed goes to anyone, member or not, and feed readers keep what they fetch: only free text may go in it. The
// entry type below has no field for the expert answer on purpose, so no caller can put gated text in a feed.

export interface FeedEntry {
  /** Absolute canonical URL of the question page. */
  url: string;
  /** Permanent id of the entry (an IRI); unlike the canonical URL it does not change when the slug does. */
  id: string;
  title: string;
  /** Stored ISO-8601 timestamps. */
  updated: string;
  published: string | null;
  /** The quick answer (free for everyone), plain text. */
  summary: string | null;
  category?: { term: string; label: string };
}

export interface Feed {
  title: string;
  subtitle?: string;
  /** Absolute URL of the feed itself; also its id. */
  selfUrl: string;
  /** Absolute URL of the page the feed mirrors. */
  pageUrl: string;
  author: string;
  /** Used when there is no entry to take the feed's `updated` from. */
  emptyUpdated: string;
  entries: readonly FeedEntry[];
}

const fallbackDate = '1970-01-01T00:00:00Z';

export function buildAtomFeed(feed: Feed): string {
  const newest = feed.entries.reduce<string | null>((max, e) => (max === null || e.updated > max ? e.updated : max), null);
  const parts = [
    '<?xml version="1.0" encoding="UTF-8"?>\n',
    '<feed xmlns="http://www.w3.org/2005/Atom">\n',
    `<title type="text">${xmlText(feed.title)}</title>\n`,
    feed.subtitle ? `<subtitle type="text">${xmlText(feed.subtitle)}</subtitle>\n` : '',
    `<link rel="self" type="application/atom+xml" href="${xmlText(feed.selfUrl)}"/>\n`,
    `<link rel="alternate" type="text/html" href="${xmlText(feed.pageUrl)}"/>\n`,
    `<id>${xmlText(feed.selfUrl)}</id>\n`,
    `<updated>${w3cDatetime(newest ?? feed.emptyUpdated) ?? fallbackDate}</updated>\n`,
    `<author><name>${xmlText(feed.author)}</name></author>\n`,
  ];
  for (const e of feed.entries) parts.push(entryXml(e));
  parts.push('</feed>\n');
  return parts.join('');
}

function entryXml(e: FeedEntry): string {
  const published = w3cDatetime(e.published);
  const summary = e.summary?.trim();
  return [
    '<entry>\n',
    `<title type="text">${xmlText(e.title)}</title>\n`,
    `<link rel="alternate" type="text/html" href="${xmlText(e.url)}"/>\n`,
    `<id>${xmlText(e.id)}</id>\n`,
    `<updated>${w3cDatetime(e.updated) ?? fallbackDate}</updated>\n`,
    published ? `<published>${published}</published>\n` : '',
    e.category ? `<category term="${xmlText(e.category.term)}" label="${xmlText(e.category.label)}"/>\n` : '',
    summary ? `<summary type="text">${xmlText(summary)}</summary>\n` : '',
    '</entry>\n',
  ].join('');
}
