import type { IncomingHttpHeaders } from 'node:http';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { Negotiator } from '@fastify/accept-negotiator';
import fastifyCompress from '@fastify/compress';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ContentCoding } from '../lib/page-cache.ts';

/**
 * Responses compressed by what the browser accepts (Accept-Encoding): brotli, else gzip, else as they are.
 *
 * Most responses go through @fastify/compress, which compresses each one as it is sent. Two kinds bring their own
 * compressed bytes and set Content-Encoding themselves, which the plugin takes as "already compressed" and leaves
 * alone: visitors' cached question pages (lib/page-cache.ts keeps a copy per coding, made once) and the static files
 * (platform/assets.ts, made once per process). COMPRESSION=off registers nothing: every response goes out as it is,
 * for a proxy in front that compresses.
 */

/** Bodies smaller than this go out as they are: the framing and the decoder cost more than the bytes saved. */
export const COMPRESS_MIN_BYTES = 1024;

// Brotli's quality (0 to 11) trades CPU for bytes. On a 32 KB page here: quality 2 takes about 0.4 ms, quality 4
// about 0.8 ms for 2% fewer bytes, quality 5 about 1.1 ms for 7% fewer; 11 takes tens of milliseconds, which no
// request can wait for. Quality 2 for what is compressed on every response (signed-in pages, uncached ones; at
// quality 4 the compression was a fifth of a rendered page's cost); 5 for a cached page, compressed once and sent
// many times; 11 for the static files, compressed once per process. (Members' question pages go out as gzip spliced
// around their header, compressed once: modules/questions/member-pages.tsx.)
export const BROTLI_PER_RESPONSE = 2;
/** Larger bodies (a long CSV, a big feed) go through a stream, so one response never holds the process long. */
const SYNC_COMPRESS_MAX_BYTES = 256 * 1024;
export const BROTLI_CACHED_PAGE = 5;
export const BROTLI_STATIC = 11;
// gzip's default level: level 9 is hardly smaller on HTML. Only clients without brotli get gzip.
const GZIP_LEVEL = 6;

/**
 * Text the site sends: HTML, CSS, JavaScript, JSON, XML (feeds, sitemaps), plain text and SVG. Raster images and
 * fonts are compressed formats already; the plugin also consults mime-db, which marks none of them compressible.
 */
const COMPRESSIBLE = /^(?:text\/(?!event-stream)|application\/(?:[\w.-]+\+)?(?:json|xml|javascript)\b|image\/svg\+xml\b)/;

export function isCompressible(contentType: string): boolean {
  return COMPRESSIBLE.test(contentType);
}

export async function registerCompression(app: FastifyInstance, enabled: boolean): Promise<void> {
  if (!enabled) return;
  await app.register(fastifyCompress, {
    encodings: ['br', 'gzip'],
    threshold: COMPRESS_MIN_BYTES,
    brotliOptions: { params: { [constants.BROTLI_PARAM_QUALITY]: BROTLI_PER_RESPONSE } },
    zlibOptions: { level: GZIP_LEVEL },
    customTypes: COMPRESSIBLE,
    // A page held whole in memory (nearly every response) is compressed in one call up to this size, rather than
    // through a zlib stream: on a 12 KB page the stream's setup and scheduling cost more than the compressing (pages
    // rendered per request: about a fifth more a second in the bench). The default on a 2-core machine is 4 KB.
    syncThreshold: SYNC_COMPRESS_MAX_BYTES,
    // Request bodies are taken as sent: no form of the site's is compressed, and inflating uploads would only open
    // a way around the body limit.
    globalDecompression: false,
  });
  // The plugin names Accept-Encoding in Vary only when it compresses. A response sent as it is because the request
  // accepted no coding varies by that header just the same, and a shared cache that kept it without Vary would hand
  // the uncompressed copy to everyone.
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (isCompressible(String(reply.getHeader('content-type') ?? ''))) varyOnEncoding(reply);
    done(null, payload);
  });
}

/** Adds Accept-Encoding to the reply's Vary (lower case, as @fastify/compress looks for it, so it is named once). */
export function varyOnEncoding(reply: FastifyReply): void {
  const vary = reply.getHeader('vary');
  if (vary === undefined) {
    reply.header('vary', 'accept-encoding');
    return;
  }
  const value = Array.isArray(vary) ? vary.join(', ') : String(vary);
  if (!/(^|,)\s*(accept-encoding|\*)\s*(,|$)/i.test(value)) reply.header('vary', `${value}, accept-encoding`);
}

const negotiator = new Negotiator<ContentCoding>({ supportedValues: ['br', 'gzip'] });

/**
 * The coding to send a body that carries its own compressed copies in, read as @fastify/compress reads it (q-values;
 * `*` and x-gzip stand for gzip; X-No-Compression turns it off), so both ways of sending agree. Null: as it is.
 */
export function preferredCoding(request: FastifyRequest): ContentCoding | null {
  return preferredCodingOf(request.headers);
}

/** preferredCoding, from the request's headers alone (platform/front-door.ts has no Fastify request). */
export function preferredCodingOf(headers: IncomingHttpHeaders): ContentCoding | null {
  return acceptedCodings(headers)?.preferred ?? null;
}

/** Whether the request takes gzip (whatever else it prefers); X-No-Compression says no, as in preferredCoding. */
export function acceptsGzip(headers: IncomingHttpHeaders): boolean {
  return acceptedCodings(headers)?.gzip ?? false;
}

const gzipNegotiator = new Negotiator<'gzip'>({ supportedValues: ['gzip'] });

/** What an Accept-Encoding value allows: the coding it prefers, and whether it takes gzip at all. */
interface Accepted {
  preferred: ContentCoding | null;
  gzip: boolean;
}

/**
 * The request's Accept-Encoding read as @fastify/compress reads it (`*` and x-gzip stand for gzip), or null when it
 * sends none or says X-No-Compression. Browsers send one of a few values; negotiating each anew costs more than the
 * rest of a cached page, so each value's answer is kept (a bounded number: a client may send any text there).
 */
function acceptedCodings(headers: IncomingHttpHeaders): Accepted | null {
  const header = headers['accept-encoding'];
  if (header === undefined || headers['x-no-compression'] !== undefined) return null;
  let known = negotiated.get(header);
  if (known === undefined) {
    const value = header.toLowerCase().replace(/\*|x-gzip/g, 'gzip');
    known = { preferred: negotiator.negotiate(value), gzip: gzipNegotiator.negotiate(value) === 'gzip' };
    if (negotiated.size < NEGOTIATED_KEPT) negotiated.set(header, known);
  }
  return known;
}

const negotiated = new Map<string, Accepted>();
const NEGOTIATED_KEPT = 64;

/** `body` compressed in `coding`; brotli at `brotliQuality`. */
export function compressBody(body: Buffer, coding: ContentCoding, brotliQuality: number): Buffer {
  if (coding === 'gzip') return gzipSync(body, { level: GZIP_LEVEL });
  return brotliCompressSync(body, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: brotliQuality,
      [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
    },
  });
}
