import { describe, expect, it } from 'vitest';
import { etagMatches, httpDate, notModified, weakEtag } from './conditional-get.ts';

describe('conditional GET', () => {
  const etag = weakEtag('a page');

  it('compares ETags weakly, in a list or as *', () => {
    expect(etagMatches(etag, etag)).toBe(true);
    expect(etagMatches(etag.slice(2), etag)).toBe(true);
    expect(etagMatches(`"x", ${etag}`, etag)).toBe(true);
    expect(etagMatches('*', etag)).toBe(true);
    expect(etagMatches(weakEtag('another page'), etag)).toBe(false);
    expect(etagMatches(undefined, etag)).toBe(false);
  });

  it('reads If-Modified-Since to the second, and only without If-None-Match', () => {
    const lastModified = Date.UTC(2026, 10, 26, 12, 0, 0, 750);
    const since = httpDate(lastModified);
    expect(notModified({ 'if-modified-since': since }, { etag, lastModified })).toBe(true);
    expect(notModified({ 'if-modified-since': httpDate(lastModified - 1000) }, { etag, lastModified })).toBe(false);
    expect(notModified({ 'if-modified-since': 'yesterday' }, { etag, lastModified })).toBe(false);
    // No date to compare with: only the ETag can tell.
    expect(notModified({ 'if-modified-since': since }, { etag })).toBe(false);
    expect(notModified({ 'if-modified-since': since, 'if-none-match': '"stale"' }, { etag, lastModified })).toBe(false);
    expect(notModified({}, { etag, lastModified })).toBe(false);
  });
});
