import sharp from 'sharp';
import { sniffImage } from './header.ts';
import { type ImageLimits, MAX_VARIANT_SIDE, refuse, type VariantFormat, variantWidths } from './image.ts';

// Every upload is a new picture, so libvips' operation cache never gets a hit; it would only hold memory.
sharp.cache(false);

export interface EncodedVariant {
  readonly format: VariantFormat;
  readonly width: number;
  readonly height: number;
  readonly data: Buffer;
}

export interface EncodedImage {
  /** Upright (after the EXIF orientation), as uploaded. */
  readonly width: number;
  readonly height: number;
  readonly hasAlpha: boolean;
  readonly variants: readonly EncodedVariant[];
}

const encoders: Record<VariantFormat, (s: sharp.Sharp) => sharp.Sharp> = {
  webp: (s) => s.webp({ quality: 80, alphaQuality: 90, effort: 4 }),
  jpeg: (s) => s.jpeg({ quality: 80, mozjpeg: true }),
  // Lossless: the fallback for transparency is mostly diagrams and screenshots, where JPEG-like artefacts show.
  png: (s) => s.png({ compressionLevel: 9, adaptiveFiltering: true }),
};

/** Whether every pixel of raw 8-bit pixels with an alpha channel last is fully opaque. */
function allOpaque(data: Buffer, channels: number): boolean {
  for (let i = channels - 1; i < data.length; i += channels) if (data[i] !== 255) return false;
  return true;
}

/**
 * Checks an upload by its content and makes the variants the site serves: upright, in sRGB, with no metadata at
 * all (EXIF with its GPS position, XMP, ICC profiles, comments), at VARIANT_WIDTHS never enlarged, each in WebP
 * and in JPEG (opaque) or PNG (transparent). Animated GIF and WebP give their first frame.
 *
 * Throws ImageRefused, with a message for the person, for anything it will not take.
 */
export async function encodeImage(bytes: Uint8Array, limits: Pick<ImageLimits, 'maxBytes' | 'maxPixels'>): Promise<EncodedImage> {
  if (bytes.length > limits.maxBytes) throw refuse.tooLarge(bytes.length, limits);
  const sniffed = sniffImage(bytes);
  if (sniffed.kind === 'unknown') throw refuse.notAnImage();
  if (sniffed.kind === 'damaged') throw refuse.damaged();
  // The declared size is refused before libvips is called at all: a 50,000 × 50,000 PNG is a few dozen bytes.
  if (sniffed.width * sniffed.height > limits.maxPixels) throw refuse.tooManyPixels(sniffed.width, sniffed.height, limits);

  const options: sharp.SharpOptions = {
    // The decoder's own limit too, for whatever the header walk did not see (a later frame, a lying container).
    limitInputPixels: limits.maxPixels,
    pages: 1,
    // Warnings pass (many phones write slightly odd JPEGs); a truncated or corrupt file does not.
    failOn: 'error',
    sequentialRead: true,
  };
  let meta: sharp.Metadata;
  try {
    meta = await sharp(bytes, options).metadata();
  } catch {
    throw refuse.damaged();
  }
  // The decoder detects the format itself; it must be the one the header declared, so a file that is one format to
  // the header walk and another to libvips is refused rather than decoded by whichever is laxer.
  if (meta.format !== sniffed.format) throw refuse.notAnImage();
  const storedWidth = meta.width ?? 0;
  const storedHeight = meta.pageHeight ?? meta.height ?? 0;
  if (storedWidth === 0 || storedHeight === 0) throw refuse.damaged();
  if (storedWidth * storedHeight > limits.maxPixels) throw refuse.tooManyPixels(storedWidth, storedHeight, limits);
  // Orientations 5 to 8 are quarter turns: the upright picture is the stored one on its side.
  const turned = (meta.orientation ?? 1) >= 5;
  const width = turned ? storedHeight : storedWidth;
  const height = turned ? storedWidth : storedHeight;

  const widths = variantWidths(width, height);
  const top = widths.at(-1)!;
  // Decode once, to plain pixels at the largest variant's size: the smaller ones are made from these rather than
  // from the upload, which for a 40-megapixel photo is most of the work. Raw pixels carry no metadata, and the
  // decoder has already converted an embedded ICC profile (Display P3, Adobe RGB, CMYK) to sRGB.
  let decoded: { data: Buffer; info: sharp.OutputInfo };
  try {
    decoded = await sharp(bytes, options)
      .autoOrient()
      .resize({ width: top, height: MAX_VARIANT_SIDE, fit: 'inside', withoutEnlargement: true })
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
  } catch (err) {
    if (err instanceof Error && /pixel limit/i.test(err.message)) throw refuse.tooManyPixels(storedWidth, storedHeight, limits);
    throw refuse.damaged();
  }
  const { data, info } = decoded;
  const alphaChannel = info.channels === 2 || info.channels === 4;
  // A PNG saved with an alpha channel it never uses is opaque: it gets a JPEG fallback, a tenth of the size.
  const hasAlpha = alphaChannel && !allOpaque(data, info.channels);

  const pixels = () => {
    const s = sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } });
    return alphaChannel && !hasAlpha ? s.removeAlpha() : s;
  };
  const formats: VariantFormat[] = ['webp', hasAlpha ? 'png' : 'jpeg'];
  const variants: EncodedVariant[] = [];
  for (const format of formats) {
    const made = await Promise.all(
      widths.map(async (w) => {
        const sized =
          w === top ? pixels() : pixels().resize({ width: w, height: MAX_VARIANT_SIDE, fit: 'inside', withoutEnlargement: true });
        const out = await encoders[format](sized).toBuffer({ resolveWithObject: true });
        return { format, width: out.info.width, height: out.info.height, data: out.data };
      }),
    );
    // A very tall image fits every box at the same width; one file of each width is enough.
    for (const v of made) if (!variants.some((o) => o.format === v.format && o.width === v.width)) variants.push(v);
  }
  return { width, height, hasAlpha, variants };
}
