import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { etagMatches } from '../lib/conditional-get.ts';
import type { ContentCoding } from '../lib/page-cache.ts';
import { BROTLI_STATIC, COMPRESS_MIN_BYTES, compressBody, isCompressible, preferredCoding, varyOnEncoding } from './compression.ts';
import { contentHash, type GeneratedAsset, hashedName } from './math-assets.ts';

/** Static files, read once at start and served from memory under a content-hashed name (cached for a year). */
export interface Asset {
  readonly body: Buffer;
  readonly contentType: string;
  /** The identity bytes' ETag; a compressed copy's adds its coding (see sendAsset). */
  readonly etag: string;
  readonly hash: string;
  /** Text of at least COMPRESS_MIN_BYTES, sent compressed to a browser that takes it. */
  readonly compressible: boolean;
  /** Compressed copies, made the first time each is asked for; null where the copy came out no smaller. */
  readonly encoded: Partial<Record<ContentCoding, Buffer | null>>;
}

const publicDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../public');
const types: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.woff2': 'font/woff2',
  '.png': 'image/png',
  '.webp': 'image/webp',
};

/** The typeface's upright Latin file (every weight from regular to black in one variable font): preloaded by every page. */
export const MAIN_FONT = 'fonts/figtree-latin-wght-normal.woff2';
/** The logo as a 180 px square for phones' home screens (the favicon drawn full-bleed: the phone rounds the corners). */
export const APPLE_TOUCH_ICON = 'apple-touch-icon.png';

/**
 * A relative `url(...)` in a stylesheet of public/ (`url(fonts/x.woff2)`): the file is served under a hashed name, so
 * the reference is rewritten to that name (and the file served) when the stylesheet is read. Absolute, data: and
 * remote URLs are left alone.
 */
const RELATIVE_CSS_URL = /url\((["']?)((?:\.\/)?[\w-]+(?:\/[\w.-]+)*\.(?:woff2|svg|png|webp))\1\)/g;

export class AssetStore {
  private readonly byUrl = new Map<string, Asset>();
  private readonly urls = new Map<string, string>();

  constructor(files: readonly string[] = ['app.css', 'favicon.svg'], generated: readonly GeneratedAsset[] = []) {
    for (const file of files) this.add(file, this.read(file));
    for (const g of generated) this.add(g.name, g.body);
  }

  /** A file of public/; a stylesheet's relative URLs are pointed at the hashed names of the files they name. */
  private read(file: string): Buffer {
    const body = readFileSync(path.join(publicDir, file));
    if (path.extname(file) !== '.css') return body;
    const css = body.toString('utf8').replace(RELATIVE_CSS_URL, (_match, _quote, ref: string) => {
      const named = path.posix.join(path.posix.dirname(file), ref);
      if (!this.urls.has(named)) this.add(named, readFileSync(path.join(publicDir, named)));
      return `url(${this.url(named)})`;
    });
    return Buffer.from(css);
  }

  private add(file: string, body: Buffer): void {
    const hash = contentHash(body);
    const url = `/static/${hashedName(file, body, hash)}`;
    const contentType = types[path.extname(file)] ?? 'application/octet-stream';
    this.byUrl.set(url, {
      body,
      contentType,
      etag: `"${hash}"`,
      hash,
      compressible: isCompressible(contentType) && body.length >= COMPRESS_MIN_BYTES,
      encoded: {},
    });
    this.urls.set(file, url);
  }

  /** The public URL of a file in public/. */
  url(file: string): string {
    const url = this.urls.get(file);
    if (!url) throw new Error(`unknown asset ${file}`);
    return url;
  }

  get(url: string): Asset | undefined {
    return this.byUrl.get(url);
  }
}

const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * A static file, compressed when `compression` is on and the browser takes brotli or gzip. The copies are made at
 * brotli's best quality the first time they are asked for and kept: a file never changes under its hashed name, so
 * that is once per process (about 20 ms for the stylesheet), rather than at every start, which every test pays too.
 * Each coding has its own strong ETag (the identity one with `-br` or `-gzip` added): a strong ETag names the bytes
 * sent (RFC 9110, 8.8.3.3). Any of them gets a 304, since all three are the same file.
 */
export function sendAsset(request: FastifyRequest, reply: FastifyReply, asset: Asset, compression: boolean): FastifyReply {
  const negotiable = compression && asset.compressible;
  const coding = negotiable ? preferredCoding(request) : null;
  const bytes = coding === null ? null : encodedCopy(asset, coding);
  const etag = bytes === null ? asset.etag : `"${asset.hash}-${coding}"`;
  reply.header('content-type', asset.contentType).header('cache-control', IMMUTABLE).header('etag', etag);
  if (negotiable) varyOnEncoding(reply);
  const held = request.headers['if-none-match'];
  if (etagMatches(held, asset.etag) || etagMatches(held, `"${asset.hash}-br"`) || etagMatches(held, `"${asset.hash}-gzip"`)) {
    return reply.code(304).send();
  }
  if (bytes === null) return reply.send(asset.body);
  return reply.header('content-encoding', coding).send(bytes);
}

function encodedCopy(asset: Asset, coding: ContentCoding): Buffer | null {
  let copy = asset.encoded[coding];
  if (copy === undefined) {
    const made = compressBody(asset.body, coding, BROTLI_STATIC);
    copy = made.length < asset.body.length ? made : null;
    asset.encoded[coding] = copy;
  }
  return copy;
}
