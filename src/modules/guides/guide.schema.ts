import { type Static, Type } from '@fastify/type-provider-typebox';
import { field, form, IdParams, id } from '../../platform/schemas.ts';
import { GUIDE_TITLE_MAX, OVERVIEW_MAX, SECTION_BODY_MAX, SECTION_TITLE_MAX, TOPICS_FIELD_MAX } from './guide.ts';

// The addresses and forms of the study guide routes. A malformed address is a 404 (platform/errors.tsx).

/** A guide's or a section's slug, as slugify writes them. */
const SLUG = '[a-z0-9-]{1,100}';

/** /guides/:slug, or the PDF at /guides/:slug.pdf. */
export const GuideSlugParams = Type.Object({ slug: Type.String({ pattern: `^${SLUG}(?:\\.pdf)?$` }) });
export const SectionSlugParams = Type.Object({
  slug: Type.String({ pattern: `^${SLUG}$` }),
  section: Type.String({ pattern: `^${SLUG}$` }),
});

export const GuideIdParams = IdParams;
export const SectionIdParams = Type.Object({ id: id(), sid: id() });
export const RevisionIdParams = Type.Object({ id: id(), rid: id() });

/** `?done=` names the message of the redirect that led here; an unknown one shows nothing, never an error. */
export const DoneQuery = Type.Object({ done: Type.Optional(Type.String()) });

/**
 * How far past its limit a text field is still taken. Up to here the service refuses it with a message beside
 * the field ("must be 3 to 120 characters (got 130)"); past it, the schema gives the whole form back (422).
 */
export const FORM_ROOM = 2;
const roomy = (max: number) => field(max * FORM_ROOM);

/** Save or Preview. */
const action = field(10);
/** The revision the form was based on (guide.service.ts editVersion). */
const basedOn = field(12);

export const GuideFormBody = form({
  title: roomy(GUIDE_TITLE_MAX),
  subject: field(100),
  overview: roomy(OVERVIEW_MAX),
  topics: roomy(TOPICS_FIELD_MAX),
  basedOn,
  action,
});
export type GuideFormBody = Static<typeof GuideFormBody>;

export const SectionFormBody = form({
  title: roomy(SECTION_TITLE_MAX),
  body: roomy(SECTION_BODY_MAX),
  membersOnly: field(5),
  basedOn,
  action,
});
export type SectionFormBody = Static<typeof SectionFormBody>;

export const StatusBody = form({ status: field(12) });
export const MoveBody = form({ direction: field(5) });
/** A form that is only a button: its CSRF token. */
export const ButtonBody = form({});
