import { LRUCache } from 'lru-cache';

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
 * Least recently used pages leave first once the byte budget is spent.
 */
interface Entry {
  version: string;
  body: Buffer;
  expires: number;
  /** The database's change stamp when the version was last confirmed, if it has one. */
  stamp: number | undefined;
  /** What the caller needs to serve the entry without its query (the question page: its canonical slug). */
  tag: string;
  /** The page holds math, so it is sent with the policy that lets KaTeX's inline styles apply (platform/html.ts). */
  math: boolean;
}

export class PageCache {
  // lru-cache keeps the recency order and the byte budget; expiry is checked against the caller's clock (tests
  // move time by hand), so entries carry their own deadline instead of using the library's TTL timer.
  private readonly entries: LRUCache<string, Entry> | null;

  constructor(
    maxBytes: number,
    private readonly ttlMs: number,
  ) {
    this.entries =
      maxBytes > 0 ? new LRUCache<string, Entry>({ maxSize: maxBytes, sizeCalculation: (e) => Math.max(1, e.body.length) }) : null;
  }

  get enabled(): boolean {
    return this.entries !== null;
  }

  /** The page, when its version is still `version`; it is then confirmed at `stamp`. */
  get(key: string, version: string, now: number, stamp?: number): { body: Buffer; math: boolean } | undefined {
    const e = this.entries?.get(key);
    if (!e || e.version !== version || e.expires <= now) return undefined;
    e.stamp = stamp;
    return e;
  }

  /** The page and its tag, when it was confirmed at this very change stamp (so nothing has been committed since). */
  getUnchanged(key: string, stamp: number, now: number): { body: Buffer; tag: string; math: boolean } | undefined {
    const e = this.entries?.get(key);
    if (!e || e.stamp !== stamp || e.expires <= now) return undefined;
    return e;
  }

  set(key: string, version: string, body: Buffer, now: number, stamp?: number, tag = '', math = false): void {
    // A page larger than the whole budget is refused by lru-cache itself (set is a no-op for it).
    this.entries?.set(key, { version, body, expires: now + this.ttlMs, stamp, tag, math });
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
