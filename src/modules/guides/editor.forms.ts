import { type FormBody, formField } from '../../platform/form-body.ts';
import { FORM_ROOM } from './guide.schema.ts';
import { GUIDE_TITLE_MAX, type GuideWithTopics, OVERVIEW_MAX, SECTION_BODY_MAX, SECTION_TITLE_MAX, TOPICS_FIELD_MAX } from './guide.ts';
import type { GuideForm, SectionForm } from './views/editor-pages.tsx';

// What the authoring forms say and how their fields are read. The readers take any body: an expired form is
// answered before the schema has looked at it (config.onExpiredForm), and its text still comes back as typed.
// formField drops NUL characters, so none reaches the database.

export const EXPIRED = 'This form had expired, so nothing was saved. Please send it again.';
export const CONFLICT =
  'Someone else saved this while you were editing, so nothing was saved. Your text is below; theirs is the current version (see History). Save again to replace it with yours.';

/** Messages shown after a redirect, by code (never text from the address). */
export const DONE = {
  created: 'Guide created as a draft. Add its sections, then publish it.',
  details: 'Details saved.',
  'section-added': 'Section added.',
  'section-saved': 'Section saved.',
  'section-removed': 'Section removed.',
  moved: 'Order saved.',
  published: 'Published: readers can see the guide now.',
  draft: 'Unpublished: the guide is a draft again, seen only by editors and admins.',
  restored: 'Restored. The restore is itself a revision, so it can be undone the same way.',
} as const;

export type Done = keyof typeof DONE;

export function doneMessage(code: string | undefined): string | undefined {
  return code !== undefined && Object.hasOwn(DONE, code) ? DONE[code as Done] : undefined;
}

// Cut no shorter than the schema allows, so an overlong text is reported with its length rather than cut silently.
export function guideForm(body: FormBody | undefined): GuideForm {
  return {
    title: formField(body, 'title', GUIDE_TITLE_MAX * FORM_ROOM),
    subjectSlug: formField(body, 'subject', 100),
    overview: formField(body, 'overview', OVERVIEW_MAX * FORM_ROOM),
    topics: formField(body, 'topics', TOPICS_FIELD_MAX * FORM_ROOM),
  };
}

export function sectionForm(body: FormBody | undefined): SectionForm {
  return {
    title: formField(body, 'title', SECTION_TITLE_MAX * FORM_ROOM),
    body: formField(body, 'body', SECTION_BODY_MAX * FORM_ROOM),
    membersOnly: formField(body, 'membersOnly', 5) === '1',
  };
}

/** The revision a form was based on; a missing or odd one means "whatever is current", as a new form. */
export function basedOn(body: FormBody | undefined): number | null {
  const v = formField(body, 'basedOn', 12);
  return /^\d{1,10}$/.test(v) ? Number(v) : null;
}

export const wantsPreview = (body: FormBody | undefined) => formField(body, 'action', 10) === 'preview';

/** The guide's topics as the Topics field shows them. */
export const topicsText = (guide: GuideWithTopics) => guide.topics.map((t) => t.name).join(', ');
