import { buildCaches, type Caches } from '../../src/platform/caches.ts';

/** The caches an app would build, for tests that call services directly (the page cache off). */
export function testCaches(): Caches {
  return buildCaches({ pageCacheBytes: 0, pageCacheTtlMs: 60_000 });
}
