import type { SourceFormat } from './image.ts';

/**
 * What the first bytes of an upload say it is. Read by hand, before any decoder runs, for two reasons: the format is
 * known from the content, whatever the file's name or the Content-Type a browser sent; and the dimensions are known
 * without decoding, so a small file that would unpack into billions of pixels is refused before it costs anything.
 */
export type Sniffed =
  | { readonly kind: 'image'; readonly format: SourceFormat; readonly width: number; readonly height: number }
  /** The signature of a format we take, but no dimensions where they must be: cut short or damaged. */
  | { readonly kind: 'damaged'; readonly format: SourceFormat }
  | { readonly kind: 'unknown' };

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function startsWith(b: Uint8Array, at: number, expected: readonly number[] | string): boolean {
  const want = typeof expected === 'string' ? [...expected].map((c) => c.charCodeAt(0)) : expected;
  if (b.length < at + want.length) return false;
  return want.every((v, i) => b[at + i] === v);
}

const u16be = (b: Uint8Array, at: number) => (b[at]! << 8) | b[at + 1]!;
const u16le = (b: Uint8Array, at: number) => b[at]! | (b[at + 1]! << 8);
const u24le = (b: Uint8Array, at: number) => b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16);
const u32be = (b: Uint8Array, at: number) => ((b[at]! << 24) >>> 0) + ((b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!);
const u32le = (b: Uint8Array, at: number) => ((b[at + 3]! << 24) >>> 0) + ((b[at + 2]! << 16) | (b[at + 1]! << 8) | b[at]!);

function sized(format: SourceFormat, width: number, height: number): Sniffed {
  return width > 0 && height > 0 ? { kind: 'image', format, width, height } : { kind: 'damaged', format };
}

function png(b: Uint8Array): Sniffed {
  // The IHDR chunk must come first: length 13, then the width and height as 32-bit big-endian numbers.
  if (b.length < 24 || u32be(b, 8) !== 13 || !startsWith(b, 12, 'IHDR')) return { kind: 'damaged', format: 'png' };
  const width = u32be(b, 16);
  const height = u32be(b, 20);
  // The PNG specification caps each side at 2^31 - 1; anything above is not a PNG a decoder will take.
  if (width > 0x7fffffff || height > 0x7fffffff) return { kind: 'damaged', format: 'png' };
  return sized('png', width, height);
}

function gif(b: Uint8Array): Sniffed {
  // The logical screen holds every frame, so it bounds the first frame too.
  if (b.length < 10) return { kind: 'damaged', format: 'gif' };
  return sized('gif', u16le(b, 6), u16le(b, 8));
}

// Start-of-frame markers (baseline, extended, progressive, lossless; Huffman or arithmetic); C4, C8 and CC are not frames.
const JPEG_FRAMES = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

function jpeg(b: Uint8Array): Sniffed {
  // Walk the marker segments (EXIF, ICC, comments, tables) up to the frame header, which holds the dimensions.
  let i = 2;
  while (i + 1 < b.length) {
    if (b[i] !== 0xff) return { kind: 'damaged', format: 'jpeg' };
    const marker = b[i + 1]!;
    if (marker === 0xff) {
      i += 1; // fill byte
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      i += 2; // markers without a length
      continue;
    }
    // Image data or the end before any frame header: no dimensions to be had.
    if (marker === 0xda || marker === 0xd9 || i + 3 >= b.length) return { kind: 'damaged', format: 'jpeg' };
    const length = u16be(b, i + 2);
    if (length < 2) return { kind: 'damaged', format: 'jpeg' };
    if (JPEG_FRAMES.has(marker)) {
      if (i + 9 > b.length) return { kind: 'damaged', format: 'jpeg' };
      // Segment: length (2), sample precision (1), height (2), width (2). A height of 0 defers it to a later
      // marker, which no camera or phone writes; it is refused as damaged rather than read further.
      return sized('jpeg', u16be(b, i + 7), u16be(b, i + 5));
    }
    i += 2 + length;
  }
  return { kind: 'damaged', format: 'jpeg' };
}

function webp(b: Uint8Array): Sniffed {
  // RIFF container: "RIFF", size, "WEBP", then the first chunk's FourCC and size, its data from byte 20.
  if (b.length < 30) return { kind: 'damaged', format: 'webp' };
  if (startsWith(b, 12, 'VP8 ')) {
    // Lossy: a 3-byte frame tag, the start code 9d 01 2a, then 14-bit width and height (2 bits of scaling above).
    if (!startsWith(b, 23, [0x9d, 0x01, 0x2a])) return { kind: 'damaged', format: 'webp' };
    return sized('webp', u16le(b, 26) & 0x3fff, u16le(b, 28) & 0x3fff);
  }
  if (startsWith(b, 12, 'VP8L')) {
    // Lossless: the signature byte 0x2f, then width - 1 and height - 1 in 14 bits each.
    if (b[20] !== 0x2f) return { kind: 'damaged', format: 'webp' };
    const bits = u32le(b, 21);
    return sized('webp', (bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1);
  }
  if (startsWith(b, 12, 'VP8X')) {
    // Extended (alpha, animation, metadata): flags and reserved bytes, then the canvas' width - 1 and height - 1 in 24 bits.
    return sized('webp', u24le(b, 24) + 1, u24le(b, 27) + 1);
  }
  return { kind: 'damaged', format: 'webp' };
}

/** The format and dimensions (as stored, before any EXIF rotation) an upload's own bytes declare. */
export function sniffImage(bytes: Uint8Array): Sniffed {
  if (startsWith(bytes, 0, PNG_SIGNATURE)) return png(bytes);
  if (startsWith(bytes, 0, [0xff, 0xd8, 0xff])) return jpeg(bytes);
  if (startsWith(bytes, 0, 'RIFF') && startsWith(bytes, 8, 'WEBP')) return webp(bytes);
  if (startsWith(bytes, 0, 'GIF87a') || startsWith(bytes, 0, 'GIF89a')) return gif(bytes);
  return { kind: 'unknown' };
}
