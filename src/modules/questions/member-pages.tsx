import type { LRUCache } from 'lru-cache';
import { renderToString } from 'preact-render-to-string';
import { type GzipParts, gzipParts, spliceGzip } from '../../lib/gzip-splice.ts';
import type { CachedPage, ContentCoding, PageCache } from '../../lib/page-cache.ts';
import { BROTLI_PER_RESPONSE, compressBody } from '../../platform/compression.ts';
import { type Site, ViewerChrome, type ViewerInfo } from '../../views/layout.tsx';

/**
 * Members' question pages, kept in the page cache as one page per question that every member shares, with the part
 * that shows who is reading (the trial banner and the header: Layout's ViewerChrome) filled in per request.
 *
 * A member's page differs from another member's only there: the whole expert answer, the related questions and
 * the rest come from the question alone (no paywall, no ad slot for members). So the page is rendered once for a
 * stand-in member, kept under the question's version like a visitor's page (an edit shows at once), and each
 * request renders the chrome for its own reader in place of the stand-in's.
 */

/** The stand-in reader the shared page is rendered for: its chrome is found in the page and replaced. */
export const STAND_IN_MEMBER: ViewerInfo = Object.freeze({
  name: 'Scholia member placeholder',
  member: true,
  csrfToken: 'scholia-member-placeholder',
  unread: 0,
});

/** Where the stand-in's chrome sits in a kept page, and the parts around it compressed for gzip (gzip-splice.ts). */
interface Parts {
  before: Buffer;
  after: Buffer;
  gzip: GzipParts;
}

/** The chrome of one reader, as Layout renders it on a question page (the header's search box shown, empty). */
function chrome(site: Site, viewer: ViewerInfo): string {
  return renderToString(<ViewerChrome site={site} viewer={viewer} search={true} />);
}

function partsOf(site: Site, pages: PageCache, key: string, page: CachedPage): Parts | null {
  return pages.derived(
    key,
    page,
    'member-parts',
    (body) => {
      const mark = Buffer.from(chrome(site, STAND_IN_MEMBER));
      const at = body.indexOf(mark);
      // Exactly once, or the page is not one this can fill (it is then rendered per request).
      if (at < 0 || body.indexOf(mark, at + 1) >= 0) return null;
      const before = body.subarray(0, at);
      const after = body.subarray(at + mark.length);
      return { before, after, gzip: gzipParts(before, after) };
    },
    // The halves are views of the page's own bytes; their compressed copies are what is added.
    (parts) => (parts ? parts.gzip.headDeflated.length + parts.gzip.tailDeflated.length : 0),
  );
}

/** A reader's chrome, split where its form tokens go, by everything it shows but those (see chromeOf). */
export type ChromeCache = LRUCache<string, string[]>;

const TOKEN_SLOT = 'scholia-form-token-slot';

/**
 * `viewer`'s chrome: rendered once for what it shows (name, role, unread count, the trial's time left, ...) with a
 * stand-in for the form tokens, kept, and filled with this request's token. Every token the chrome holds is made
 * from the reader's one CSRF secret, so one per request serves all its forms. The key is the viewer's fields as they
 * are, less the tokens, so a field added to the chrome later is part of it without anyone remembering to add it.
 */
function chromeOf(site: Site, chromes: ChromeCache, viewer: ViewerInfo): string {
  const token = viewer.csrfToken;
  if (token === undefined) return chrome(site, viewer);
  const key = JSON.stringify(viewer, (name, value) => (name === 'csrfToken' ? undefined : value));
  let parts = chromes.get(key);
  if (parts === undefined) {
    const slotted: ViewerInfo = {
      ...viewer,
      csrfToken: TOKEN_SLOT,
      ...(viewer.trial ? { trial: { ...viewer.trial, csrfToken: TOKEN_SLOT } } : {}),
    };
    parts = chrome(site, slotted).split(TOKEN_SLOT);
    chromes.set(key, parts);
  }
  return parts.join(token);
}

/**
 * The kept page with `viewer`'s chrome in place of the stand-in's, in `coding`: gzip spliced around the chrome
 * without compressing the page again, brotli compressed whole, or none. Null when the page has no single place for
 * the chrome (the caller renders it instead).
 */
export function fillMemberPage(
  site: Site,
  pages: PageCache,
  chromes: ChromeCache,
  key: string,
  page: CachedPage,
  viewer: ViewerInfo,
  coding: ContentCoding | null,
): { body: Buffer; coding: ContentCoding | null } | null {
  const parts = partsOf(site, pages, key, page);
  if (parts === null) return null;
  const middle = Buffer.from(chromeOf(site, chromes, viewer));
  if (coding === 'gzip') return { body: spliceGzip(parts.gzip, middle), coding };
  const body = Buffer.concat([parts.before, middle, parts.after]);
  return coding === 'br' ? { body: compressBody(body, 'br', BROTLI_PER_RESPONSE), coding } : { body, coding: null };
}
