import type { Role } from '../../db/database.ts';
import { hasSlugText, slugify } from '../../lib/slug.ts';
import type { StoredImage } from '../images/index.ts';

// Educator profiles: who stands behind an expert answer. The address is /educators/<id>-<name-slug>: the id names
// the person, the slug only reads well. Nothing is stored for it, so a rename needs no migration, two people of the
// same name never collide, and an address written under an old name still finds the person (a 301 to the current
// one), like a question's /q/<id>/<slug>.

/** Roles that write expert answers, and so may have a public profile (accounts' canAnswer). */
export const ANSWERING_ROLES: readonly Role[] = ['educator', 'editor', 'admin'];

/** Latest answers listed per page of a profile. */
export const PROFILE_ANSWERS_PAGE = 20;

/** Characters of a name kept in its slug. */
const NAME_SLUG_MAX = 60;

/** The slug of a person's name, or '' when the name has no letter or digit a slug can keep. */
export function nameSlug(name: string): string {
  return hasSlugText(name) ? slugify(name, NAME_SLUG_MAX) : '';
}

/** The canonical address of a person's profile: `/educators/12-priya-natarajan` (or `/educators/12` for a name in another script). */
export function educatorPath(person: { id: number; name: string }): string {
  const slug = nameSlug(person.name);
  return slug ? `/educators/${person.id}-${slug}` : `/educators/${person.id}`;
}

const MAX_ID = 2_147_483_647;

/** The id named by a profile address's last segment (`12`, `12-priya-natarajan`, `12-an-old-name`), or null. */
export function parseEducatorRef(raw: string): number | null {
  const m = /^([1-9]\d{0,9})(?:-[a-z0-9-]*)?$/.exec(raw);
  if (!m) return null;
  const id = Number(m[1]);
  return id <= MAX_ID ? id : null;
}

/**
 * Whether an account may have a public profile at all: it answers questions and is neither deleted nor suspended.
 * The profile exists once it also has a published answer or a subject editors verified (educator.repository.ts
 * asks both); the author of a published answer has the first by definition.
 */
export function mayHaveProfile(person: { role: Role; deletedAt: string | null; suspendedAt: string | null }): boolean {
  return ANSWERING_ROLES.includes(person.role) && person.deletedAt === null && person.suspendedAt === null;
}

/**
 * Whether `viewer` may change the photo on `person`'s profile: their own, for anyone who answers questions; anyone's,
 * for editors and admins (who verify educators, and may put up or take down a photo for them).
 */
export function mayChangePhoto(viewer: { userId: number; role: Role }, person: { id: number }): boolean {
  if (viewer.role === 'editor' || viewer.role === 'admin') return true;
  return viewer.userId === person.id && ANSWERING_ROLES.includes(viewer.role);
}

/** The side of the circle a profile shows the photo (or the initials) in, in CSS pixels. */
export const PHOTO_SIZE = 96;

/** A profile photo's alt text: the person's name, which the heading beside it says too. */
export function photoAlt(name: string): string {
  return `Photo of ${name}`;
}

/** A profile's photo: an image of the images module, live (a removed one is not shown). */
export type ProfilePhoto = Pick<StoredImage, 'id' | 'width' | 'height' | 'variants'>;

/** Whose photo the photo page is about: an answering role, neither deleted nor suspended. */
export interface PhotoOwner {
  id: number;
  name: string;
  photo: ProfilePhoto | null;
  /** Their profile is public already (a published answer or a verified subject): the page links to it. */
  hasProfile: boolean;
}

/** What a profile calls the person's role (schema.org jobTitle too). */
export function roleTitle(role: Role): string {
  return role === 'editor' ? 'Editor' : 'Educator';
}

/** Up to two initials for the avatar: first letters of the first and last words that have one (no "Dr."). */
export function initials(name: string): string {
  const words = name
    .split(/\s+/)
    .filter((w) => w !== '' && !/^(dr|prof|mr|mrs|ms|mx)\.?$/i.test(w))
    .map((w) => [...w].find((c) => /\p{L}|\p{N}/u.test(c)))
    .filter((c): c is string => c !== undefined);
  if (words.length === 0) return '?';
  const first = words[0] as string;
  const last = words.length > 1 ? (words[words.length - 1] as string) : '';
  return (first + last).toUpperCase();
}

export interface EducatorSubject {
  slug: string;
  name: string;
  verifiedAt: string;
}

/** An answer on a profile: enough for the question's link and the free quick answer (never the expert answer). */
export interface ProfileAnswer {
  id: number;
  slug: string;
  title: string;
  subjectSlug: string;
  subjectName: string;
  publishedAt: string | null;
  quickAnswer: string | null;
}

export interface EducatorProfile {
  id: number;
  name: string;
  role: Role;
  bio: string | null;
  /** Null: the profile shows the person's initials. */
  photo: ProfilePhoto | null;
  subjects: EducatorSubject[];
  answerCount: number;
  answers: ProfileAnswer[];
  /** The cursor of the next (older) page of answers, or null on the last. */
  next: string | null;
}
