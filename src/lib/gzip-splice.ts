import { constants, crc32, deflateRawSync } from 'node:zlib';

/**
 * A gzip body made of a kept page with a few per-request bytes in the middle, without compressing the page again.
 *
 * A deflate stream is a sequence of blocks, and one compressed on its own refers only to its own bytes. So the parts
 * of a page that never change are compressed once, each ending on a byte boundary (a sync flush) so more blocks can
 * follow, and per request only the middle is added: as a stored block (deflate's uncompressed kind), which costs a
 * copy. The gzip frame around them needs the CRC-32 and the length of the whole text, which cost microseconds.
 *
 * The middle (a member's header: name, unread count, a form token) is a few kilobytes; sending it uncompressed costs
 * those bytes and saves compressing the whole page on every request. Since the middle is compressed with nothing,
 * a secret in it cannot be guessed from how well it compresses against text an attacker put in the page (BREACH).
 */

export interface GzipParts {
  readonly head: Buffer;
  readonly tail: Buffer;
  /** `head` as deflate blocks, ending on a byte boundary, not the last block. */
  readonly headDeflated: Buffer;
  /** `tail` as deflate blocks, the last of the stream. */
  readonly tailDeflated: Buffer;
  readonly headCrc: number;
}

/** Compresses the two fixed parts once (gzip's default level; made once per kept page). */
export function gzipParts(head: Buffer, tail: Buffer, level = 6): GzipParts {
  return {
    head,
    tail,
    headDeflated: deflateRawSync(head, { level, finishFlush: constants.Z_SYNC_FLUSH }),
    tailDeflated: deflateRawSync(tail, { level, finishFlush: constants.Z_FINISH }),
    headCrc: crcOn(head, 0),
  };
}

// gzip's header: magic, deflate, no flags, no time, no extra flags, OS unknown (RFC 1952, 2.3).
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff]);
const STORED_MAX = 0xffff;

/** The gzip body of head + middle + tail. */
export function spliceGzip(parts: GzipParts, middle: Buffer): Buffer {
  const blocks = Math.max(1, Math.ceil(middle.length / STORED_MAX));
  const length = parts.head.length + middle.length + parts.tail.length;
  const out = Buffer.allocUnsafe(
    GZIP_HEADER.length + parts.headDeflated.length + blocks * 5 + middle.length + parts.tailDeflated.length + 8,
  );
  let at = GZIP_HEADER.copy(out, 0);
  at += parts.headDeflated.copy(out, at);
  // Stored blocks (RFC 1951, 3.2.4): a header byte (not last, type 00, padded to the byte), LEN and its complement.
  for (let i = 0; i < blocks; i++) {
    const chunk = middle.subarray(i * STORED_MAX, (i + 1) * STORED_MAX);
    out[at++] = 0;
    out.writeUInt16LE(chunk.length, at);
    out.writeUInt16LE(~chunk.length & 0xffff, at + 2);
    at += 4;
    at += chunk.copy(out, at);
  }
  at += parts.tailDeflated.copy(out, at);
  out.writeUInt32LE(crcOn(parts.tail, crcOn(middle, parts.headCrc)) >>> 0, at);
  // ISIZE: the length modulo 2^32.
  out.writeUInt32LE(length % 0x1_0000_0000, at + 4);
  return out;
}

/** The CRC-32 of `bytes` continued from `crc` (node's crc32 gives 0 for no bytes, whatever it continues from). */
function crcOn(bytes: Buffer, crc: number): number {
  return bytes.length === 0 ? crc : crc32(bytes, crc);
}
