import type { FieldIssue } from '../../lib/errors.ts';
import { findOwnedImages, type ImageDeps, ImageRefused, refuse, type StoredImage, storeImage } from '../images/index.ts';

/*
 * The photos of a question being asked. They are stored as soon as they arrive, with whichever step of /ask sent
 * them (the first Continue, a form refused for its text, "Edit it first"), because a file cannot be put back into a
 * form: from then on the form carries them as hidden image ids. Nothing is attached to a question until it is
 * posted; uploads never posted are left to the clean-up of unused images.
 */

/** The field the photos arrive in and their refusals are shown beside. */
export const PHOTO_FIELD = 'photos';

/** A file as the form sent it (platform/uploads.ts). */
export interface SentPhoto {
  readonly filename: string;
  /** Null when it was not kept: over the size limit, or not read at all. */
  readonly bytes: Buffer | null;
  readonly tooLarge: boolean;
}

/** Characters of a file's name quoted in a message; a name can be as long as the browser likes. */
const NAME_SHOWN = 60;

function quoted(filename: string): string {
  const name = filename.trim() || 'A file';
  return `“${name.length > NAME_SHOWN ? `${name.slice(0, NAME_SHOWN - 1)}…` : name}”`;
}

/** An image id as a form writes it: digits only, within the column's range; anything else is no id. */
function imageId(raw: string): number | null {
  return /^[1-9]\d{0,9}$/.test(raw) && Number(raw) <= 2_147_483_647 ? Number(raw) : null;
}

/**
 * The photos a form carried back as ids, in their order, that stay: the viewer's own live images, without those
 * ticked for removal, at most a question's worth. An id of someone else's image (or of none) is dropped without a
 * word: the form never showed it, so there is nothing to explain.
 */
export async function keptPhotos(
  deps: Pick<ImageDeps, 'db' | 'limits'>,
  ownerId: number,
  ids: readonly string[],
  removed: readonly string[] = [],
): Promise<StoredImage[]> {
  const gone = new Set(removed);
  const wanted = ids.flatMap((raw) => {
    const id = gone.has(raw) ? null : imageId(raw);
    return id === null ? [] : [id];
  });
  return (await findOwnedImages(deps, ownerId, wanted)).slice(0, deps.limits.maxPerQuestion);
}

function tooMany(max: number, kept: number, chosen: number | null): string {
  if (max === 0) return 'Photos cannot be attached to questions on this site.';
  const room = max - kept;
  const instead = room > 0 ? `choose at most ${room}, or remove one first` : 'remove one first';
  const what = chosen === null ? 'you chose more than that' : `with the ${chosen} you chose it would have ${kept + chosen}`;
  return `A question can have at most ${max} ${max === 1 ? 'photo' : 'photos'}, and ${what}. None of them was added: ${instead}.`;
}

/**
 * Stores the photos sent with this post and returns every photo of the question so far (those kept, then the new
 * ones, each once), with a message for the photos field when some were not taken. Photos over the count are refused
 * all together (which of them to keep is the student's choice); a file that is not an image, or too large, is
 * refused alone, and the others are kept. Never throws for what a person sent.
 */
export async function takePhotos(
  deps: ImageDeps,
  ownerId: number,
  kept: readonly StoredImage[],
  sent: { readonly files: readonly SentPhoto[]; readonly overflow: boolean },
): Promise<{ photos: StoredImage[]; issue: FieldIssue | null }> {
  const max = deps.limits.maxPerQuestion;
  const photos = [...kept];
  if (sent.overflow || kept.length + sent.files.length > max) {
    return { photos, issue: { field: PHOTO_FIELD, message: tooMany(max, kept.length, sent.overflow ? null : sent.files.length) } };
  }
  const refusals: string[] = [];
  for (const file of sent.files) {
    if (file.bytes === null) {
      const why = file.tooLarge
        ? (refuse.tooLarge(null, deps.limits).issues[0]?.message ?? '')
        : 'It did not arrive whole; choose it again.';
      refusals.push(`${quoted(file.filename)}: ${why}`);
      continue;
    }
    try {
      const image = await storeImage(deps, { bytes: file.bytes, ownerId });
      // The same file chosen twice is one photo.
      if (!photos.some((p) => p.id === image.id)) photos.push(image);
    } catch (err) {
      if (!(err instanceof ImageRefused)) throw err;
      refusals.push(`${quoted(file.filename)}: ${err.issues[0]?.message ?? 'This file could not be used.'}`);
    }
  }
  return { photos, issue: refusals.length > 0 ? { field: PHOTO_FIELD, message: refusals.join(' ') } : null };
}
