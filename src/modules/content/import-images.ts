import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { type Static, Type } from 'typebox';
import type { FieldIssue } from '../../lib/errors.ts';
import { PLACED_IMAGE } from '../../lib/markdown.ts';
import {
  checkImageBytes,
  fileSize,
  type ImageLimits,
  type ImageRefusal,
  ImageRefused,
  MAX_ALT_CHARS,
  MAX_PLACED_IMAGES,
} from '../images/index.ts';
import { isObject, kind, listCheck, objectCheck, text, textIssues, tidyObject, trimmed, unknownIssues } from './line-check.ts';

// Images in an import file (issue #15): a line lists its files, `"images": [{"file": "diagram.png", "alt": "..."}]`,
// read from the import file's folder, and its Markdown places them by their number in that list: `![alt](image:1)`
// is the line's first image. The numbers become the stored images' ids before the text is saved, so a text imported
// reads exactly as one an editor wrote with "Your images". An expert answer that places none of its images, or not
// all of them, shows the rest at its end; a guide must place every image it lists somewhere.

/** A file path as a line may give it: room for any sensible folder layout. */
const FILE_MAX = 500;

export const ImageEntry = Type.Object({ file: text(1, FILE_MAX), alt: text(1, MAX_ALT_CHARS) }, { additionalProperties: false });
export const ImageList = Type.Array(ImageEntry, { maxItems: MAX_PLACED_IMAGES });
export type ImportImage = Static<typeof ImageEntry>;

const entry = objectCheck(ImageEntry);
const list = listCheck(ImageList);
const ENTRY_TEXT = { file: { min: 1, max: FILE_MAX }, alt: { min: 1, max: MAX_ALT_CHARS } };

/** The list as it would be read: each entry's text trimmed, the description on one line. */
export function tidyImages(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  return value.map((v) => {
    if (!isObject(v)) return v;
    const e = tidyObject(v);
    if (typeof e.alt === 'string') e.alt = trimmed(e.alt, (s) => s.replace(/\s+/g, ' ').trim());
    return e;
  });
}

/** Where a file path would lead outside the import file's folder, or undefined when it stays inside. */
function pathIssue(file: string): string | undefined {
  if (path.isAbsolute(file) || /^[a-zA-Z]:[\\/]/.test(file))
    return 'must be a path relative to the folder of the import file, not an absolute path';
  const parts = file.split(/[\\/]+/);
  let depth = 0;
  for (const part of parts) {
    if (part === '..') depth--;
    else if (part !== '.' && part !== '') depth++;
    if (depth < 0) return 'must stay inside the folder of the import file (no ".." out of it)';
  }
  return depth === 0 ? 'must name a file, not a folder' : undefined;
}

/** Every problem of a line's "images" list, a field at a time, as the other fields of a line are reported. */
export function imageListIssues(value: unknown): FieldIssue[] {
  if (!list.shapeOk(value)) return [{ field: 'images', message: `must be an array of at most ${MAX_PLACED_IMAGES} {file, alt} objects` }];
  return value.flatMap((e, i): FieldIssue[] => {
    const prefix = `images[${i}].`;
    if (!isObject(e)) return [{ field: `images[${i}]`, message: `must be a {file, alt} object, got ${kind(e)}` }];
    const issues: FieldIssue[] = [];
    if (!entry.check(e)) {
      const refused = entry.refusals(e);
      issues.push(...unknownIssues(refused, entry.fields, prefix), ...textIssues(e, ENTRY_TEXT, refused, prefix));
    }
    const problem = typeof e.file === 'string' && e.file !== '' ? pathIssue(e.file) : undefined;
    if (problem) issues.push({ field: `${prefix}file`, message: problem });
    return issues;
  });
}

/** The image numbers a text places (`image:N`), each once. */
function numbersIn(markdown: string): number[] {
  return [...new Set([...markdown.matchAll(PLACED_IMAGE)].map((m) => Number(m[2])))];
}

/** A text that places a number the line does not list. */
export function placementIssues(field: string, markdown: string, count: number): FieldIssue[] {
  const beyond = numbersIn(markdown).filter((n) => n < 1 || n > count);
  if (beyond.length === 0) return [];
  const listed = count === 1 ? 'one image' : `${count} images`;
  return [
    {
      field,
      message: `places ${beyond.map((n) => `image:${n}`).join(', ')}, but the line's "images" lists ${listed} (in a line with "images", image:N is its Nth image)`,
    },
  ];
}

/** The numbers of the images none of these texts place, from 1. */
export function unplaced(texts: readonly string[], count: number): number[] {
  const placed = new Set(texts.flatMap(numbersIn));
  return Array.from({ length: count }, (_, i) => i + 1).filter((n) => !placed.has(n));
}

/** A description as it can sit between the brackets of `![...]` (the upload page writes the same). */
function bracketSafe(alt: string): string {
  return alt
    .replace(/[[\]\n]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * The text with the line's image numbers turned into the stored images' ids (`ids[n - 1]` for image:n). A placement
 * with no description gets the one the list gives. With `appendUnplaced`, images the text does not place follow it,
 * each as a paragraph of its own.
 */
export function withStoredImages(markdown: string, images: readonly ImportImage[], ids: readonly number[], appendUnplaced = false): string {
  const placed = markdown.replace(PLACED_IMAGE, (whole, alt: string, n: string) => {
    const i = Number(n) - 1;
    const id = ids[i];
    if (id === undefined) return whole;
    return `![${alt.trim() === '' ? bracketSafe(images[i]?.alt ?? '') : alt}](image:${id})`;
  });
  if (!appendUnplaced) return placed;
  const rest = unplaced([markdown], images.length).map((n) => `![${bracketSafe(images[n - 1]?.alt ?? '')}](image:${ids[n - 1]})`);
  return rest.length === 0 ? placed : `${placed.trimEnd()}\n\n${rest.join('\n\n')}`;
}

/** Where an import reads its image files, and the limits an upload has. */
export interface ImportImageFiles {
  /** The folder of the import file: every path of a line is read from here. */
  readonly dir: string;
  readonly limits: Pick<ImageLimits, 'maxBytes' | 'maxPixels'>;
}

/** A refusal of the image module, said as the import says a field's problem. */
function refusalMessage(reason: ImageRefusal, file: string, bytes: number, limits: ImportImageFiles['limits']): string {
  switch (reason) {
    case 'too_large':
      return `${file} is ${fileSize(bytes)}; an image may be at most ${fileSize(limits.maxBytes)} (IMAGE_MAX_BYTES)`;
    case 'not_an_image':
      return `${file} is not a JPEG, PNG, WebP or GIF image`;
    case 'too_many_pixels':
      return `${file} has more pixels than IMAGE_MAX_PIXELS allows (${limits.maxPixels.toLocaleString('en-US')}): make it smaller`;
    default:
      return `${file} could not be read as an image: it is damaged or cut short`;
  }
}

/** The bytes of a line's image, or the problem with it (a missing file, too large, not an image). */
export async function readImageFile(
  files: ImportImageFiles,
  image: ImportImage,
  field: string,
  opts: { readonly check: boolean } = { check: true },
): Promise<{ bytes: Buffer } | { issue: FieldIssue }> {
  const full = path.resolve(files.dir, image.file);
  let size: number;
  try {
    const s = await stat(full);
    if (!s.isFile()) return { issue: { field, message: `${image.file} is not a file (in ${files.dir})` } };
    size = s.size;
  } catch {
    return { issue: { field, message: `${image.file} does not exist (looked in ${files.dir})` } };
  }
  // Refused by its size before it is read: a 4 GB file named .png is not loaded to find out.
  if (size > files.limits.maxBytes) return { issue: { field, message: refusalMessage('too_large', image.file, size, files.limits) } };
  const bytes = await readFile(full);
  if (opts.check) {
    try {
      checkImageBytes(bytes, files.limits);
    } catch (err) {
      if (err instanceof ImageRefused)
        return { issue: { field, message: refusalMessage(err.reason, image.file, bytes.length, files.limits) } };
      throw err;
    }
  }
  return { bytes };
}

/** The message for an image the decoder refused while it was stored. */
export function storeIssue(err: ImageRefused, image: ImportImage, field: string, bytes: number, files: ImportImageFiles): FieldIssue {
  return { field, message: refusalMessage(err.reason, image.file, bytes, files.limits) };
}
