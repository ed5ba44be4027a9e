import { createHash } from 'node:crypto';

/**
 * Conditional GET (RFC 9110, section 13): the validators a response carries, and whether a request's preconditions
 * let it be answered 304 Not Modified with no body.
 *
 * The ETags made here are weak (`W/"…"`). One is made from the identity bytes and sent with every content-coding of
 * them (brotli, gzip, none). A strong ETag promises the very bytes on the wire, so it would have to differ between a
 * gzip and a brotli copy (RFC 9110, 8.8.3.3); a weak one promises the same content, which is exactly what those copies
 * share. If-None-Match is compared weakly in any case (13.1.2), so a browser holding the gzip copy and a cache holding
 * the brotli one both get their 304.
 */
export function weakEtag(body: string | Buffer): string {
  // 144 bits of SHA-256: a content fingerprint, not a secret; long enough that two versions never share one.
  return `W/"${createHash('sha256').update(body).digest('base64url').slice(0, 24)}"`;
}

const opaque = (tag: string) => (tag.startsWith('W/') ? tag.slice(2) : tag);

/** Whether an If-None-Match value names `etag` (weak comparison: a `W/` on either side is ignored) or is `*`. */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  const wanted = opaque(etag);
  for (const raw of ifNoneMatch.split(',')) {
    const tag = raw.trim();
    if (tag === '*' || opaque(tag) === wanted) return true;
  }
  return false;
}

/** An HTTP date (IMF-fixdate), which has whole seconds only. */
export function httpDate(ms: number): string {
  return new Date(ms).toUTCString();
}

export interface Validators {
  etag: string;
  /** When the representation last changed, in ms since the epoch; only where the response sends Last-Modified. */
  lastModified?: number | undefined;
}

/**
 * Whether a GET may be answered 304 (RFC 9110, 13.2.2): by If-None-Match when the request sends it (it is exact, and
 * then If-Modified-Since must be ignored), else by If-Modified-Since against the last change, to the second.
 */
export function notModified(
  headers: { 'if-none-match'?: string | undefined; 'if-modified-since'?: string | undefined },
  v: Validators,
): boolean {
  const ifNoneMatch = headers['if-none-match'];
  if (ifNoneMatch !== undefined) return etagMatches(ifNoneMatch, v.etag);
  const ifModifiedSince = headers['if-modified-since'];
  if (ifModifiedSince === undefined || v.lastModified === undefined) return false;
  const since = Date.parse(ifModifiedSince);
  return Number.isFinite(since) && Math.floor(v.lastModified / 1000) * 1000 <= since;
}
