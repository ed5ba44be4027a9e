import { crc32 } from 'node:zlib';
import sharp from 'sharp';

/**
 * A PNG of its signature and a valid IHDR chunk (correct CRC) declaring this size, then IEND: a decompression bomb's
 * calling card, a few dozen bytes that any decoder believing it would set out to fill with width × height pixels.
 */
export function pngHeader(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 6, 0, 0, 0], 8); // 8 bits a sample, RGBA, deflate, standard filters, not interlaced
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A picture of one colour; `alpha` below 1 makes every pixel partly transparent. */
export function solid(width: number, height: number, opts: { alpha?: number; colour?: { r: number; g: number; b: number } } = {}) {
  const { r, g, b } = opts.colour ?? { r: 40, g: 120, b: 200 };
  const channels = opts.alpha === undefined ? 3 : 4;
  return sharp({ create: { width, height, channels, background: { r, g, b, alpha: opts.alpha ?? 1 } } });
}
