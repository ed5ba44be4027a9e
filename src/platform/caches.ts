import { LRUCache } from 'lru-cache';
import type { Config } from '../config.ts';
import type { DatabaseHandle } from '../db/connect.ts';
import { PageCache } from '../lib/page-cache.ts';

// Every cache the web process keeps, built once by buildApp and handed to the routes in the RouteContext, so what
// the process holds in memory, how much of it and how it is invalidated can be read in one place. Nothing here is
// needed by another process: each entry is checked against the database (a version, a change stamp) or expires
// within minutes, so several app processes stay correct side by side.
//
// Kept per database handle rather than here (they belong to a connection, not to the app): compiled statements
// (db/connect.ts), the search index adapters (search.service) and the in-memory rate-limit stores (limits.service).

/** A question's related questions, as worked out from its title, subject and topics. */
export interface RelatedList {
  /** What the list was worked out from: a new title, subject or topic works it out again. */
  basis: string;
  ids: number[];
  /** Deadline by the app's clock: questions published meanwhile get their chance. */
  expires: number;
}

/** The rendered opening of a gated text, for readers without membership. */
export interface RenderedPreview {
  html: string;
  /** Whether anything was left out. */
  cut: boolean;
}

/** The published guides' titles and topics, which every question page links from. */
export interface GuideLinks {
  /** The count of guide writes (caches.guideLinks.writes) when this was read: a guide saved here reads it again. */
  generation: number;
  expires: number;
  guides: Array<{ id: number; slug: string; title: string; subjectId: number }>;
  /** Guide ids of each topic, newest guide first. */
  byTopic: Map<number, number[]>;
}

/**
 * Rows read on every signed-in request (a session, a membership, the unread count, a question page's rows), kept
 * while the database's change stamp has not moved: on SQLite its data_version, which any commit by any connection of
 * any process moves, so a kept value is exactly what the query would return now. Where the database has no such
 * stamp (PostgreSQL) every read goes to the database. Values are what the query returned: anything that depends on
 * the time (a session's idle limit, a membership's end) is still decided per request.
 */
export class SteadyReads {
  private readonly kept: LRUCache<string, { stamp: number; value: unknown }>;

  constructor(
    private readonly stamp: (() => number) | undefined,
    max: number,
  ) {
    this.kept = new LRUCache({ max });
  }

  /** The value of `load()`, read again only when something was committed since it was kept. */
  async read<V>(key: string, load: () => Promise<V>): Promise<V> {
    if (this.stamp === undefined) return load();
    // Read before the query: a commit after this point moves the stamp, so what is kept is never older than it.
    const stamp = this.stamp();
    const e = this.kept.get(key);
    if (e !== undefined && e.stamp === stamp) return e.value as V;
    const value = await load();
    this.kept.set(key, { stamp, value });
    return value;
  }
}

/** Reads that always go to the database (a caller with no app, such as a command). */
export const passThrough = new SteadyReads(undefined, 1);

export interface Caches {
  /** Visitors' question pages, as bytes, under the question's version (PAGE_CACHE_MB, PAGE_CACHE_TTL_SECONDS). */
  pages: PageCache;
  /** Related-question lists by question id: a few hundred bytes each. */
  related: LRUCache<number, RelatedList>;
  /** Answer previews by text version and length: rendering one (Markdown, sanitizer) costs more than a page view. */
  previews: LRUCache<string, RenderedPreview>;
  /** One snapshot of the guide links (there are few guides). */
  guideLinks: {
    current: GuideLinks | undefined;
    /** Guides saved through this process's pages (guideLinksChanged), so its next question page reads them again. */
    writes: number;
  };
  /** Rows every signed-in page reads, kept while nothing is committed (SQLite). */
  reads: SteadyReads;
  /**
   * Social cards (modules/social) as PNG bytes, by a hash of what they show (title, subject, site name): never stale,
   * since a changed title is another key. About 30-60 KB each, SOCIAL_IMAGES_BYTES in all.
   */
  socialImages: LRUCache<string, Buffer>;
  /**
   * Figures every visitor's page shows and may show a minute late (the home page's counts and median answer time),
   * by name, each with a deadline by the app's clock: counting over the whole site on every view would cost more
   * than the page, and on PostgreSQL `reads` keeps nothing.
   */
  briefly: LRUCache<string, { expires: number; value: unknown }>;
  /**
   * Signed-in readers' headers (modules/questions/member-pages.tsx), rendered once for what they show and split where
   * the per-request form token goes: a few kilobytes each, for the readers of the last minutes.
   */
  chromes: LRUCache<string, string[]>;
  /**
   * Which placed images the opening of an expert answer that non-members read keeps, by answer version (question id
   * and update time), for GET /images/:key (modules/images/image.routes.ts): cutting the preview is the costly part
   * of such a request, and every reader of a page asks for the same images. Never stale: an edit is a new key.
   */
  freeInPreview: LRUCache<string, ReadonlySet<string>>;
}

export const RELATED_KEPT = 10_000;
export const PREVIEWS_KEPT = 20_000;
/** Rows kept by `reads`: a question's rows are a few kilobytes, a session's or a count a few hundred bytes. */
export const READS_KEPT = 20_000;
/** Bytes of social card PNGs kept: a few hundred cards, those of the pages being shared now. */
/** Readers' headers kept (about 3 KB each). */
export const CHROMES_KEPT = 5_000;
export const SOCIAL_IMAGES_BYTES = 16 * 1024 * 1024;

export function buildCaches(
  config: Pick<Config, 'pageCacheBytes' | 'pageCacheTtlMs'>,
  database?: Pick<DatabaseHandle, 'changeStamp'>,
): Caches {
  const stamp = database?.changeStamp?.bind(database);
  return {
    pages: new PageCache(config.pageCacheBytes, config.pageCacheTtlMs),
    related: new LRUCache<number, RelatedList>({ max: RELATED_KEPT }),
    previews: new LRUCache<string, RenderedPreview>({ max: PREVIEWS_KEPT }),
    guideLinks: { current: undefined, writes: 0 },
    reads: new SteadyReads(stamp, READS_KEPT),
    socialImages: new LRUCache<string, Buffer>({ maxSize: SOCIAL_IMAGES_BYTES, sizeCalculation: (png) => png.length }),
    briefly: new LRUCache<string, { expires: number; value: unknown }>({ max: 100 }),
    chromes: new LRUCache<string, string[]>({ max: CHROMES_KEPT }),
    freeInPreview: new LRUCache<string, ReadonlySet<string>>({ max: PREVIEWS_KEPT }),
  };
}
