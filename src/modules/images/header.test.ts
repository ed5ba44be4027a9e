import type sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { pngHeader, solid } from '../../../test/helpers/images.ts';
import { sniffImage } from './header.ts';

describe('reading an upload header', () => {
  it('reads the size a PNG declares without decoding it, however large', () => {
    expect(sniffImage(pngHeader(50_000, 50_000))).toEqual({ kind: 'image', format: 'png', width: 50_000, height: 50_000 });
  });

  it.each([
    ['jpeg', (s: sharp.Sharp) => s.jpeg()],
    ['progressive jpeg with EXIF first', (s: sharp.Sharp) => s.jpeg({ progressive: true }).withExif({ IFD0: { Artist: 'Someone' } })],
    ['png', (s: sharp.Sharp) => s.png()],
    ['lossy webp', (s: sharp.Sharp) => s.webp()],
    ['lossless webp', (s: sharp.Sharp) => s.webp({ lossless: true })],
    ['gif', (s: sharp.Sharp) => s.gif()],
  ])('reads the format and size of a %s', async (_name, encode) => {
    const bytes = await encode(solid(321, 123)).toBuffer();
    const sniffed = sniffImage(bytes);
    expect(sniffed).toMatchObject({ kind: 'image', width: 321, height: 123 });
  });

  it('reads an extended WebP (transparency) by its canvas', async () => {
    const bytes = await solid(300, 77, { alpha: 0.5 }).webp().toBuffer();
    expect(bytes.subarray(12, 16).toString('latin1')).toBe('VP8X');
    expect(sniffImage(bytes)).toEqual({ kind: 'image', format: 'webp', width: 300, height: 77 });
  });

  it('knows text, SVG, PDF and empty files are none of the formats, whatever they are called', () => {
    for (const text of ['hello, this is homework.png', '<svg xmlns="http://www.w3.org/2000/svg"/>', '%PDF-1.7', ''])
      expect(sniffImage(Buffer.from(text))).toEqual({ kind: 'unknown' });
  });

  it('calls a file with a signature but no readable size damaged', async () => {
    const jpeg = await solid(50, 50).jpeg().toBuffer();
    expect(sniffImage(jpeg.subarray(0, 20))).toEqual({ kind: 'damaged', format: 'jpeg' });
    expect(sniffImage(pngHeader(10, 10).subarray(0, 20))).toEqual({ kind: 'damaged', format: 'png' });
    expect(sniffImage(pngHeader(0, 10))).toEqual({ kind: 'damaged', format: 'png' });
    expect(sniffImage(Buffer.from('GIF89a'))).toEqual({ kind: 'damaged', format: 'gif' });
  });
});
