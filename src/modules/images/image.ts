import { createHash } from 'node:crypto';
import { InputError } from '../../lib/errors.ts';

/** Formats an upload may arrive in, as its bytes say (header.ts), never as its name or Content-Type says. */
export type SourceFormat = 'jpeg' | 'png' | 'webp' | 'gif';
/** Formats the site serves: WebP for every image, and JPEG (opaque) or PNG (with transparency) for browsers without it. */
export type VariantFormat = 'webp' | 'jpeg' | 'png';

/**
 * Widths the variants are made at, where the image is at least that wide: a phone's column, a laptop's column at
 * twice the density, and a large screen. Never wider than the upload.
 */
export const VARIANT_WIDTHS: readonly number[] = [480, 960, 1600];

/** WebP holds at most 16,383 pixels a side; a long, narrow screenshot is scaled down until it fits. */
export const MAX_VARIANT_SIDE = 16_383;

/**
 * A listed width this close to the largest variant adds a file the browser would hardly ever pick over the largest
 * (960 beside 1,000), so it is left out.
 */
const NEAR_TOP = 0.85;

export interface ImageLimits {
  /** Largest upload taken, in bytes (IMAGE_MAX_BYTES). */
  readonly maxBytes: number;
  /** Most pixels, width times height, an upload may hold (IMAGE_MAX_PIXELS). */
  readonly maxPixels: number;
  /** Most images a question may carry (IMAGE_MAX_PER_QUESTION). */
  readonly maxPerQuestion: number;
}

export const DEFAULT_IMAGE_LIMITS: ImageLimits = Object.freeze({
  maxBytes: 10 * 1024 * 1024,
  maxPixels: 40_000_000,
  maxPerQuestion: 4,
});

export interface ImageVariant {
  readonly format: VariantFormat;
  readonly width: number;
  readonly height: number;
  /** Where its bytes are in the BlobStore: the SHA-256 of those bytes and an extension, so its address never changes. */
  readonly key: string;
  /** Size of the file. */
  readonly bytes: number;
}

export interface StoredImage {
  readonly id: number;
  readonly ownerId: number | null;
  /** SHA-256 (hex) of the bytes as uploaded: the same person uploading the same file again gets this image back. */
  readonly sourceHash: string;
  /** The upload's size once turned upright by its EXIF orientation. */
  readonly width: number;
  readonly height: number;
  /** Some pixel is not fully opaque: the fallback is PNG, not JPEG. */
  readonly hasAlpha: boolean;
  /** WebP ones first, then the fallback; each by width, narrowest first. */
  readonly variants: readonly ImageVariant[];
  readonly createdAt: string;
  /** Set when an editor removed it; its address then answers 410. */
  readonly removedAt: string | null;
}

export type ImageRefusal = 'too_large' | 'not_an_image' | 'damaged' | 'too_many_pixels' | 'too_many_images';

/**
 * An upload the site will not take, with a message for the person who sent it. An InputError, so a form shows it
 * next to its file field (`field`) and the CLI prints it, as any other input a person can fix.
 */
export class ImageRefused extends InputError {
  constructor(
    readonly reason: ImageRefusal,
    message: string,
    field = 'image',
  ) {
    super([{ field, message }]);
    this.name = 'ImageRefused';
  }
}

const FORMATS_NAMED = 'JPEG, PNG, WebP or GIF';

/** A size as a person reads it: `850 KB`, `10 MB`. */
export function fileSize(bytes: number): string {
  const [amount, unit] = bytes < 1024 * 1024 ? [bytes / 1024, 'KB'] : [bytes / (1024 * 1024), 'MB'];
  return `${amount.toLocaleString('en-US', { maximumFractionDigits: 1 })} ${unit}`;
}

function megapixels(pixels: number): string {
  return `${(pixels / 1_000_000).toLocaleString('en-US', { maximumFractionDigits: 1 })} megapixels`;
}

export const refuse = {
  /** `bytes` null: the upload was cut off at the limit as it arrived, so only that it was larger is known. */
  tooLarge: (bytes: number | null, limits: Pick<ImageLimits, 'maxBytes'>) =>
    new ImageRefused(
      'too_large',
      `${bytes === null ? `This file is larger than ${fileSize(limits.maxBytes)}, the most an image can be.` : `This file is ${fileSize(bytes)}; an image can be at most ${fileSize(limits.maxBytes)}.`} Save it smaller, or take a screenshot of the part that matters.`,
    ),
  notAnImage: () =>
    new ImageRefused('not_an_image', `This file is not a ${FORMATS_NAMED} image, whatever its name says. Choose a photo or a screenshot.`),
  damaged: () =>
    new ImageRefused('damaged', 'This image could not be read: the file is damaged or was cut short. Save or export it again and retry.'),
  tooManyPixels: (width: number, height: number, limits: Pick<ImageLimits, 'maxPixels'>) =>
    new ImageRefused(
      'too_many_pixels',
      `This image is ${width.toLocaleString('en-US')} × ${height.toLocaleString('en-US')} pixels (${megapixels(width * height)}); ` +
        `an image can have at most ${megapixels(limits.maxPixels)}. Make it smaller and retry.`,
    ),
  tooManyImages: (limits: Pick<ImageLimits, 'maxPerQuestion'>) =>
    new ImageRefused(
      'too_many_images',
      `A question can have at most ${limits.maxPerQuestion} ${limits.maxPerQuestion === 1 ? 'image' : 'images'}. Remove one to add another.`,
    ),
};

/** The address a variant is served at (image.routes.ts). The key names the bytes, so the address never changes. */
export function imagePath(key: string): string {
  return `/images/${key}`;
}

/** Refuses one more image on a question that has `count` already. */
export function checkImageCount(count: number, limits: Pick<ImageLimits, 'maxPerQuestion'>): void {
  if (count + 1 > limits.maxPerQuestion) throw refuse.tooManyImages(limits);
}

/** The size an image of `width` × `height` takes in a box of `boxWidth` × MAX_VARIANT_SIDE, never enlarged. */
function fitted(width: number, height: number, boxWidth: number): { width: number; height: number } {
  const scale = Math.min(1, boxWidth / width, MAX_VARIANT_SIDE / height);
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** The widths to make of an upright image, narrowest first; the last is the largest variant. */
export function variantWidths(width: number, height: number): number[] {
  const top = fitted(width, height, Math.max(...VARIANT_WIDTHS)).width;
  return [...VARIANT_WIDTHS.filter((w) => w < top * NEAR_TOP), top];
}

const EXTENSIONS: Record<VariantFormat, string> = { webp: 'webp', jpeg: 'jpg', png: 'png' };
const CONTENT_TYPES: Record<VariantFormat, string> = { webp: 'image/webp', jpeg: 'image/jpeg', png: 'image/png' };

export function contentTypeOf(format: VariantFormat): string {
  return CONTENT_TYPES[format];
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A variant's key: its content hash, so equal files share one blob and an address can be cached for ever. */
export function blobKeyOf(bytes: Uint8Array, format: VariantFormat): string {
  return `${sha256Hex(bytes)}.${EXTENSIONS[format]}`;
}

export interface PictureSource {
  readonly type: string;
  /** `url 480w, url 960w, …` */
  readonly srcset: string;
}

/** What a view needs to write `<picture>`: a WebP source, and an `<img>` of the fallback with its size set. */
export interface Picture {
  readonly sources: readonly PictureSource[];
  readonly img: { readonly src: string; readonly srcset: string; readonly width: number; readonly height: number; readonly type: string };
}

/**
 * The `<picture>` of an image, given how a blob key becomes an address. The `<img>` carries the largest fallback's
 * width and height, so the browser reserves the right space before any byte arrives (no layout shift); CSS scales it.
 */
export function pictureOf(image: Pick<StoredImage, 'variants'>, urlOf: (key: string) => string): Picture {
  const byFormat = (f: VariantFormat) => image.variants.filter((v) => v.format === f).sort((a, b) => a.width - b.width);
  const srcset = (vs: readonly ImageVariant[]) => vs.map((v) => `${urlOf(v.key)} ${v.width}w`).join(', ');
  const webp = byFormat('webp');
  const fallback = [...byFormat('jpeg'), ...byFormat('png')];
  const largest = fallback.at(-1) ?? webp.at(-1);
  if (!largest) throw new Error('an image without variants cannot be shown');
  return {
    sources: webp.length > 0 && fallback.length > 0 ? [{ type: contentTypeOf('webp'), srcset: srcset(webp) }] : [],
    img: {
      src: urlOf(largest.key),
      srcset: srcset(fallback.length > 0 ? fallback : webp),
      width: largest.width,
      height: largest.height,
      type: contentTypeOf(largest.format),
    },
  };
}
