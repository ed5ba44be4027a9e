import { describe, expect, it } from 'vitest';
import { type CachedPage, PageCache } from './page-cache.ts';

const page = (n: number) => Buffer.alloc(n, 'x');

describe('PageCache', () => {
  it('serves a page only under the version it was stored with', () => {
    const c = new PageCache(1000, 60_000);
    c.set('1', 'v1', page(10), 0);
    expect(c.get('1', 'v1', 1)?.body.length).toBe(10);
    expect(c.get('1', 'v2', 1)).toBeUndefined();
  });

  it('forgets pages after the TTL', () => {
    const c = new PageCache(1000, 100);
    c.set('1', 'v', page(10), 0);
    expect(c.get('1', 'v', 99)).toBeDefined();
    expect(c.get('1', 'v', 100)).toBeUndefined();
  });

  it('keeps within its byte budget, dropping the least recently used first', () => {
    const c = new PageCache(300, 60_000);
    c.set('a', 'v', page(100), 0);
    c.set('b', 'v', page(100), 0);
    c.set('c', 'v', page(100), 0);
    c.get('a', 'v', 1); // a is now the most recently used
    c.set('d', 'v', page(100), 1);
    expect(c.usedBytes).toBe(300);
    expect(c.get('b', 'v', 2)).toBeUndefined();
    expect(c.get('a', 'v', 2)).toBeDefined();
    expect(c.get('d', 'v', 2)).toBeDefined();
    c.set('huge', 'v', page(301), 2);
    expect(c.get('huge', 'v', 3)).toBeUndefined();
  });

  it('replaces an entry without counting it twice', () => {
    const c = new PageCache(1000, 60_000);
    c.set('a', 'v1', page(100), 0);
    c.set('a', 'v2', page(50), 0);
    expect(c.usedBytes).toBe(50);
    expect(c.size).toBe(1);
  });

  it('is off with a zero budget', () => {
    expect(new PageCache(0, 1).enabled).toBe(false);
  });

  it('serves a page without its version only while the change stamp it was confirmed at stands', () => {
    const c = new PageCache(1000, 60_000);
    c.set('1', 'v1', page(10), 0, 7, 'slug-a');
    expect(c.getUnchanged('1', 7, 1)).toMatchObject({ tag: 'slug-a' });
    // Something was committed somewhere: the version must be read again.
    expect(c.getUnchanged('1', 8, 1)).toBeUndefined();
    // Confirmed under the same version at the new stamp, it is served without a query again.
    expect(c.get('1', 'v1', 2, 8)).toBeDefined();
    expect(c.getUnchanged('1', 8, 3)).toBeDefined();
    // A page stored where there is no stamp is never served unchanged.
    c.set('2', 'v1', page(10), 0);
    expect(c.getUnchanged('2', 8, 1)).toBeUndefined();
    // The TTL still holds.
    expect(c.getUnchanged('1', 8, 60_001)).toBeUndefined();
  });

  it('makes each compressed copy once, keeps it with the page and counts it in the byte budget', () => {
    const c = new PageCache(1000, 60_000);
    const kept = c.set('a', 'v', page(300), 0);
    const half = (b: Buffer) => b.subarray(0, b.length / 2);
    expect(c.encoded('a', kept, 'br', half).length).toBe(150);
    expect(c.encoded('a', c.get('a', 'v', 1) as CachedPage, 'br', () => Buffer.alloc(0)).length).toBe(150);
    expect(c.encodings).toBe(1);
    expect(c.usedBytes).toBe(450);
    c.set('b', 'v', page(600), 2);
    // 1050 bytes do not fit: the least recently used page goes, copies and all.
    expect(c.get('a', 'v', 3)).toBeUndefined();
    expect(c.usedBytes).toBe(600);
  });

  it('gives a page a weak ETag of its bytes, and a new one when they change', () => {
    const c = new PageCache(1000, 60_000);
    const first = c.set('a', 'v1', Buffer.from('one'), 0).etag;
    expect(first).toMatch(/^W\/"[\w-]+"$/);
    expect(c.set('a', 'v2', Buffer.from('one'), 0).etag).toBe(first);
    expect(c.set('a', 'v3', Buffer.from('two'), 0).etag).not.toBe(first);
  });

  it('does not put back a page replaced while its copy was being made', () => {
    const c = new PageCache(1000, 60_000);
    const old = c.set('a', 'v1', page(100), 0);
    c.set('a', 'v2', page(10), 0);
    c.encoded('a', old, 'gzip', (b) => b);
    expect(c.get('a', 'v2', 1)?.body.length).toBe(10);
    expect(c.usedBytes).toBe(10);
  });
});
