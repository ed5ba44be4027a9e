import { LRUCache } from 'lru-cache';
import { weakEtag } from './conditional-get.ts';

/**
 * Rendered pages kept in memory, each under a version string that the caller reads from the database. A changed
 * version (an edit) misses at once, in every process, so the cache never serves an edited page; the TTL bounds how
 * stale the parts outside the version (related questions, names) may get.
 *
 * The version read is a query per request. Where the database offers a change stamp (a number that moves with
 * every commit anywhere, see DatabaseHandle.changeStamp), an entry also keeps the stamp at which its version was
 * last confirmed: while the stamp has not moved, nothing can have changed, and `getUnchanged` serves the page
 * without asking the database.
 *
 * An entry also keeps the page's ETag, worked out once when it is stored (so answering 304 costs no render and no
 * hashing), and its compressed copies, each made the first time a browser asks for that content-coding (so a page
 * read many times is compressed once). The copies count in the byte budget.
 *
 * Least recently used pages leave first once the byte budget is spent.
 */

/** A content-coding a page may be kept in beside its identity bytes. */
export type ContentCoding = 'br' | 'gzip';

/** A kept page, as `get`, `getUnchanged` and `set` return it. */
export interface CachedPage {
  /** The identity bytes (no content-coding). */
  readonly body: Buffer;
  /** A weak ETag of `body`, the same for each of its content-codings (lib/conditional-get.ts). */
  readonly etag: string;
  readonly tag: string;
  readonly math: boolean;
}

interface Entry extends CachedPage {
  version: string;
  expires: number;
  /** The database's change stamp when the version was last confirmed, if it has one. */
  stamp: number | undefined;
  /** What the caller needs to serve the entry without its query (the question page: its canonical slug). */
  tag: string;
  /** The page holds math, so it is sent with the policy that lets KaTeX's inline styles apply (platform/html.ts). */
  math: boolean;
  /** Compressed copies of `body`, made on demand by `encoded`. */
  encoded: Partial<Record<ContentCoding, Buffer>>;
  /** What callers worked out from `body` and keep with it (`derived`), with its size in bytes. */
  derived: Map<string, { value: unknown; bytes: number }> | undefined;
}

function entrySize(e: Entry): number {
  let bytes = e.body.length + (e.encoded.br?.length ?? 0) + (e.encoded.gzip?.length ?? 0);
  if (e.derived) for (const d of e.derived.values()) bytes += d.bytes;
  return Math.max(1, bytes);
}

export class PageCache {
  // lru-cache keeps the recency order and the byte budget; expiry is checked against the caller's clock (tests
  // move time by hand), so entries carry their own deadline instead of using the library's TTL timer.
  private readonly entries: LRUCache<string, Entry> | null;

  constructor(
    maxBytes: number,
    private readonly ttlMs: number,
  ) {
    this.entries = maxBytes > 0 ? new LRUCache<string, Entry>({ maxSize: maxBytes, sizeCalculation: entrySize }) : null;
  }

  /**
   * Lookups that found the page (either method) and `get` lookups that did not, for /metrics. A `getUnchanged` that
   * finds nothing is not a miss: the caller goes on to `get`, which counts the outcome.
   */
  hits = 0;
  misses = 0;
  /** Compressed copies made by `encoded`: a page served again in a coding it was already sent in adds none. */
  encodings = 0;

  get enabled(): boolean {
    return this.entries !== null;
  }

  /** The page, when its version is still `version`; it is then confirmed at `stamp`. */
  get(key: string, version: string, now: number, stamp?: number): CachedPage | undefined {
    const e = this.entries?.get(key);
    if (!e || e.version !== version || e.expires <= now) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    e.stamp = stamp;
    return e;
  }

  /** The page and its tag, when it was confirmed at this very change stamp (so nothing has been committed since). */
  getUnchanged(key: string, stamp: number, now: number): CachedPage | undefined {
    const e = this.entries?.get(key);
    if (!e || e.stamp !== stamp || e.expires <= now) return undefined;
    this.hits++;
    return e;
  }

  /** Keeps the page and returns it as kept (to be served at once, whether or not the budget could take it). */
  set(key: string, version: string, body: Buffer, now: number, stamp?: number, tag = '', math = false): CachedPage {
    const entry: Entry = {
      version,
      body,
      etag: weakEtag(body),
      expires: now + this.ttlMs,
      stamp,
      tag,
      math,
      encoded: {},
      derived: undefined,
    };
    // A page larger than the whole budget is refused by lru-cache itself (set is a no-op for it).
    this.entries?.set(key, entry);
    return entry;
  }

  /**
   * The page's bytes in `coding`: made by `encode` the first time that coding is asked for, then kept with the entry.
   * `page` is what get, getUnchanged or set returned for `key`.
   */
  encoded(key: string, page: CachedPage, coding: ContentCoding, encode: (body: Buffer) => Buffer): Buffer {
    const e = page as Entry;
    const kept = e.encoded[coding];
    if (kept) return kept;
    const bytes = encode(e.body);
    this.encodings++;
    e.encoded[coding] = bytes;
    this.remeasure(key, e);
    return bytes;
  }

  /**
   * Something worked out from the page's bytes (`make`, the first time `name` is asked for), kept with the entry and
   * counted in the byte budget as `size` says. `page` is what get, getUnchanged or set returned for `key`.
   */
  derived<T>(key: string, page: CachedPage, name: string, make: (body: Buffer) => T, size: (value: T) => number): T {
    const e = page as Entry;
    const kept = e.derived?.get(name);
    if (kept) return kept.value as T;
    const value = make(e.body);
    e.derived ??= new Map();
    e.derived.set(name, { value, bytes: size(value) });
    this.remeasure(key, e);
    return value;
  }

  // lru-cache measures an entry when it is set, so it is set again to count what was added in the budget; unless the
  // key was meanwhile given a newer page, which this older one must not replace.
  private remeasure(key: string, e: Entry): void {
    if (this.entries?.peek(key) === e) this.entries.set(key, e);
  }

  delete(key: string): void {
    this.entries?.delete(key);
  }

  get size(): number {
    return this.entries?.size ?? 0;
  }

  get usedBytes(): number {
    return this.entries?.calculatedSize ?? 0;
  }
}
