import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';
import { findImage, type ImageDeps, storeImage } from '../images/index.ts';
import { encodeCursor } from '../questions/index.ts';
import * as repo from './educator.repository.ts';
import { type EducatorProfile, mayHaveProfile, type PhotoOwner, PROFILE_ANSWERS_PAGE, type ProfilePhoto } from './educator.ts';

type Db = Kysely<Database>;

/** The photo a profile shows: the image the person chose while it is live (a moderator may have removed it). */
async function livePhoto(db: Db, imageId: number | null): Promise<ProfilePhoto | null> {
  if (imageId === null) return null;
  const image = await findImage({ db }, imageId);
  return image && image.removedAt === null && image.variants.length > 0 ? image : null;
}

/**
 * A person's public profile with one page of their answers (the newest, or those older than `after`), or undefined
 * when they have none: not an answering role, deleted, suspended, or with neither a published answer nor a subject
 * editors verified.
 */
export async function getEducatorProfile(
  db: Db,
  id: number,
  after: { publishedAt: string; id: number } | null,
): Promise<EducatorProfile | undefined> {
  const person = await repo.findPerson(db, id);
  if (!person || !mayHaveProfile(person)) return undefined;
  const [subjects, answerCount] = await Promise.all([repo.listVerifiedSubjects(db, id), repo.countPublishedAnswers(db, id)]);
  if (answerCount === 0 && subjects.length === 0) return undefined;
  // One row more than the page shows says whether there is an older page.
  const [rows, photo] = await Promise.all([
    repo.listPublishedAnswers(db, id, { after, limit: PROFILE_ANSWERS_PAGE + 1 }),
    livePhoto(db, person.photoImageId),
  ]);
  const answers = rows.slice(0, PROFILE_ANSWERS_PAGE);
  const last = answers[answers.length - 1];
  const next =
    rows.length > PROFILE_ANSWERS_PAGE && last?.publishedAt ? encodeCursor({ publishedAt: last.publishedAt, id: last.id }) : null;
  return {
    id: person.id,
    name: person.name,
    role: person.role,
    bio: person.bio,
    photo,
    subjects,
    answerCount,
    answers,
    next,
  };
}

/** Whose photo the photo page is about, or undefined for anyone who has no profile to put one on. */
export async function findPhotoOwner(db: Db, id: number): Promise<PhotoOwner | undefined> {
  const person = await repo.findPerson(db, id);
  if (!person || !mayHaveProfile(person)) return undefined;
  const [subjects, answerCount, photo] = await Promise.all([
    repo.listVerifiedSubjects(db, id),
    repo.countPublishedAnswers(db, id),
    livePhoto(db, person.photoImageId),
  ]);
  return { id: person.id, name: person.name, photo, hasProfile: answerCount > 0 || subjects.length > 0 };
}

/**
 * Puts an upload on a person's profile: the images module checks it by its content, strips its metadata and makes
 * its variants (throwing ImageRefused, with a message for the person, when it will not take it); the uploader owns
 * it, as every upload. The photo it replaces is no longer shown anywhere and goes in the clean-up of unused images.
 * Who may do this is the caller's check (mayChangePhoto).
 */
export async function changePhoto(
  deps: ImageDeps,
  input: { readonly personId: number; readonly uploaderId: number; readonly bytes: Uint8Array },
): Promise<void> {
  const image = await storeImage(deps, { bytes: input.bytes, ownerId: input.uploaderId });
  await repo.setPhoto(deps.db, input.personId, image.id);
}

/**
 * Takes the photo off a person's profile (their initials again). The image itself stays until the clean-up of
 * unused images: its uploader may have placed the same picture somewhere else.
 */
export function removePhoto(db: Db, personId: number): Promise<void> {
  return repo.setPhoto(db, personId, null);
}
