/**
 * Rendered pages kept in memory, each under a version string that the caller reads from the database on every
 * request. A changed version (an edit) misses at once, in every process, so the cache never serves an edited
 * page; the TTL bounds how stale the parts outside the version (related questions, names) may get.
 * Least recently used pages leave first once the byte budget is spent.
 */
export class PageCache {
  private readonly entries = new Map<string, { version: string; body: Buffer; expires: number }>();
  private bytes = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly ttlMs: number,
  ) {}

  get enabled(): boolean {
    return this.maxBytes > 0;
  }

  get(key: string, version: string, now: number): Buffer | undefined {
    const e = this.entries.get(key);
    if (!e || e.version !== version || e.expires <= now) return undefined;
    this.entries.delete(key);
    this.entries.set(key, e);
    return e.body;
  }

  set(key: string, version: string, body: Buffer, now: number): void {
    if (body.length > this.maxBytes) return;
    this.delete(key);
    this.entries.set(key, { version, body, expires: now + this.ttlMs });
    this.bytes += body.length;
    while (this.bytes > this.maxBytes) {
      const oldest = this.entries.keys().next().value as string;
      this.delete(oldest);
    }
  }

  delete(key: string): void {
    const e = this.entries.get(key);
    if (e) {
      this.bytes -= e.body.length;
      this.entries.delete(key);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  get usedBytes(): number {
    return this.bytes;
  }
}
