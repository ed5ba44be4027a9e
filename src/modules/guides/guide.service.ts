import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { FieldIssue } from '../../lib/errors.ts';
import { placedImageIds, renderMarkdown } from '../../lib/markdown.ts';
import { slugify } from '../../lib/slug.ts';
import { countWords, PREVIEW_CHARS_PER_WORD } from '../../lib/text.ts';
import { type Clock, isoNow, systemClock } from '../../lib/time.ts';
import type { Caches, GuideLinks } from '../../platform/caches.ts';
import {
  type BlobStore,
  type PlacedImages,
  type PrintImage,
  picturesFor,
  placeImages,
  printableImages,
  recordImageUses,
} from '../images/index.ts';
import { gateText, type PreviewMemo } from '../membership/index.ts';
import { ensureSubject, findSubjectBySlug, listSubjects } from '../subjects/index.ts';
import * as repo from './guide.repository.ts';
import {
  distinctTopics,
  GUIDE_PREVIEW_WORDS,
  type GuideFields,
  type GuideImport,
  type GuideRevision,
  type GuideSection,
  type GuideStatus,
  type GuideSummary,
  type GuideWithTopics,
  parseTopicsField,
  SECTIONS_MAX,
  type SectionFields,
  type SectionView,
  type TopicName,
  tidyTopic,
  validateGuideFields,
  validateSectionFields,
} from './guide.ts';

type Db = Kysely<Database>;

export const REVISIONS_SHOWN = 200;

// ---- Reading ----

export function listPublishedGuides(db: Db): Promise<GuideSummary[]> {
  return repo.listGuides(db, { publishedOnly: true });
}

/** A guide with its sections and topics; drafts only when asked for (editors and admins). */
export async function getGuide(db: Db, slug: string, opts: { includeDrafts: boolean }): Promise<GuideWithTopics | undefined> {
  const guide = await repo.findGuideBySlug(db, slug);
  if (!guide || (guide.status !== 'published' && !opts.includeDrafts)) return undefined;
  return { ...guide, sections: await repo.listSections(db, guide.id), topics: await repo.listGuideTopics(db, guide.id) };
}

/** Published guides and their section pages, free to list anywhere (sitemaps). */
export function listGuidesForSitemap(db: Db) {
  return repo.listPublishedForSitemap(db);
}

/**
 * The study guides a question page links: published guides sharing one of the question's topics first (by title),
 * then the others of its subject (by title). Every query walks an index and stops at the limit: this runs on every
 * render of a question page.
 */
/** How long a process keeps the published guides' links before reading them again (see listGuideLinks). */
const LINKS_TTL_MS = 60_000;

/**
 * Tells this process's question pages that the guides changed (a guide saved through its pages): the next one reads
 * the links again. Another process's pages see the change within LINKS_TTL_MS.
 */
export function guideLinksChanged(cache: Pick<Caches['guideLinks'], 'writes'>): void {
  cache.writes++;
}

async function linkSnapshot(db: Db, cache: Caches['guideLinks'], now: number): Promise<GuideLinks> {
  const kept = cache.current;
  if (kept && kept.generation === cache.writes && kept.expires > now) return kept;
  // Read before the query: a write meanwhile bumps the count, so the snapshot read now is taken again next time.
  const generation = cache.writes;
  const { guides, topics } = await repo.listPublishedLinkIndex(db);
  const byTopic = new Map<number, number[]>();
  for (const t of topics) byTopic.set(t.topicId, [...(byTopic.get(t.topicId) ?? []), t.guideId]);
  for (const ids of byTopic.values()) ids.sort((a, b) => b - a);
  const value = { generation, expires: now + LINKS_TTL_MS, guides, byTopic };
  cache.current = value;
  return value;
}

/**
 * Published guides to link from a question page: those sharing one of its topics (by title), then the others of
 * its subject (by title), at most `limit`. Every question page render asks, and guides are few and change rarely,
 * so each process keeps the published guides' titles and topics in memory: a guide saved in this process shows at
 * once, one saved in another process within LINKS_TTL_MS (as visitors' cached pages do, PAGE_CACHE_TTL_SECONDS).
 */
export async function listGuideLinks(
  deps: { db: Db; caches: Pick<Caches, 'guideLinks'>; clock: Clock },
  subjectId: number,
  topicIds: readonly number[],
  limit = 5,
): Promise<Array<{ slug: string; title: string }>> {
  const index = await linkSnapshot(deps.db, deps.caches.guideLinks, deps.clock.now().getTime());
  const sharing = new Set<number>();
  for (const topicId of topicIds) {
    for (const id of index.byTopic.get(topicId) ?? []) if (sharing.size < limit) sharing.add(id);
  }
  const pick = (g: { slug: string; title: string }) => ({ slug: g.slug, title: g.title });
  const links = index.guides.filter((g) => sharing.has(g.id)).map(pick);
  for (const g of index.guides) {
    if (links.length >= limit) break;
    if (g.subjectId === subjectId && !sharing.has(g.id)) links.push(pick(g));
  }
  return links;
}

/**
 * Each section of a guide as this reader may see it, through the one gate (membership's gateText): the whole
 * section, or for a members-only one the opening that readers without membership get. That opening is at most half
 * of the section's words and characters, capped at GUIDE_PREVIEW_WORDS: a short section would otherwise fit whole
 * inside the preview and be given away.
 */
export async function presentSections(
  previews: PreviewMemo,
  viewer: { member: boolean } | null,
  guide: { sections: readonly GuideSection[] },
): Promise<SectionView[]> {
  const views: SectionView[] = [];
  for (const s of guide.sections) {
    const words = Math.min(GUIDE_PREVIEW_WORDS, Math.floor(countWords(s.body) / 2));
    const chars = Math.min(words * PREVIEW_CHARS_PER_WORD, Math.floor(s.body.length / 2));
    const text = await gateText(
      viewer,
      { kind: 'guide_section', membersOnly: s.membersOnly },
      { key: `guide-section:${s.id}:${s.updatedAt}`, html: s.bodyHtml, markdown: s.body },
      { words, chars, memo: previews },
    );
    views.push({
      slug: s.slug,
      title: s.title,
      membersOnly: s.membersOnly,
      html: text.full ? text.html : text.previewHtml,
      gated: !text.full,
    });
  }
  return views;
}

// ---- Authoring (the routes check canAuthorGuides first) ----

export type Outcome<T = undefined> =
  | { kind: 'ok'; value: T }
  | { kind: 'invalid'; issues: FieldIssue[] }
  | { kind: 'not_found' }
  /** Someone else saved the same thing since the form was opened; nothing was written. */
  | { kind: 'conflict' };

const ok = <T>(value: T): Outcome<T> => ({ kind: 'ok', value });
const invalid = (issues: FieldIssue[]): { kind: 'invalid'; issues: FieldIssue[] } => ({ kind: 'invalid', issues });
const notFound = { kind: 'not_found' } as const;
const conflict = { kind: 'conflict' } as const;

export function listAllGuides(db: Db): Promise<GuideSummary[]> {
  return repo.listGuides(db, { publishedOnly: false });
}

export async function getGuideById(db: Db, id: number): Promise<GuideWithTopics | undefined> {
  const guide = await repo.findGuideById(db, id);
  return guide
    ? { ...guide, sections: await repo.listSections(db, guide.id), topics: await repo.listGuideTopics(db, guide.id) }
    : undefined;
}

export function findSection(db: Db, guideId: number, sectionId: number): Promise<GuideSection | undefined> {
  return repo.findSection(db, guideId, sectionId);
}

/** The version an edit form is based on (the newest revision of what it edits). */
export function editVersion(db: Db, guideId: number, sectionId: number | null): Promise<number> {
  return repo.latestRevisionId(db, guideId, sectionId);
}

export function listGuideRevisions(db: Db, guideId: number): Promise<GuideRevision[]> {
  return repo.listRevisions(db, guideId, REVISIONS_SHOWN);
}

function clean(f: GuideFields): GuideFields {
  return { title: f.title.replace(/\s+/g, ' ').trim(), subjectSlug: f.subjectSlug.trim(), overview: f.overview.trim(), topics: f.topics };
}

/** Every field's problems, or the checked subject and topics. */
async function checkDetails(db: Db, f: GuideFields): Promise<{ issues: FieldIssue[] } | { subjectId: number; topics: TopicName[] }> {
  const issues = validateGuideFields(f);
  const subject = await resolveSubject(db, f.subjectSlug);
  if ('field' in subject) issues.push(subject);
  const topics = parseTopicsField(f.topics);
  if ('issue' in topics) issues.push(topics.issue);
  if (issues.length > 0 || 'field' in subject || 'issue' in topics) return { issues };
  return { subjectId: subject.id, topics: topics.topics };
}

/** Links the guide to these topics of its subject, creating the new ones there. */
async function setTopics(db: Db, guideId: number, subjectId: number, topics: readonly TopicName[]): Promise<void> {
  await repo.replaceGuideTopics(db, guideId, await repo.ensureTopicIds(db, subjectId, topics));
}

function cleanSection(f: SectionFields): SectionFields {
  return { title: f.title.replace(/\s+/g, ' ').trim(), body: f.body.trim(), membersOnly: f.membersOnly };
}

/** The slug a title gives, or 'guide' for a title with no letter or digit slugify keeps. */
function baseSlug(title: string, max: number, fallback: string): string {
  const s = slugify(title, max);
  return /[a-z0-9]/i.test(title.normalize('NFKD')) && s !== '' ? s : fallback;
}

async function freeGuideSlug(db: Db, title: string): Promise<string> {
  const base = baseSlug(title, 80, 'guide');
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? base : `${base}-${n}`;
    if (!(await repo.slugTaken(db, candidate))) return candidate;
  }
}

async function freeSectionSlug(db: Db, guideId: number, title: string): Promise<string> {
  const taken = await repo.sectionSlugs(db, guideId);
  const base = baseSlug(title, 60, 'section');
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? base : `${base}-${n}`;
    if (!taken.has(candidate)) return candidate;
  }
}

/**
 * Runs a write that picks a free slug; two editors creating the same title at once collide on the unique index,
 * and the loser simply tries again with the next free slug (a failed statement aborts a PostgreSQL transaction,
 * so the whole transaction is retried).
 */
async function withFreshSlug<T>(db: Db, work: (trx: Db) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().execute(work);
    } catch (err) {
      if (attempt >= 5 || !/unique|duplicate/i.test(err instanceof Error ? err.message : '')) throw err;
    }
  }
}

async function resolveSubject(db: Db, slug: string): Promise<{ id: number } | FieldIssue> {
  const subject = slug === '' ? undefined : await findSubjectBySlug(db, slug);
  return subject ?? { field: 'subject', message: 'choose one of the subjects' };
}

/**
 * The images a guide's overview or section places (modules/images): only editors write guides, and they may place
 * any live image; each must be described in words. The messages go beside the text's field.
 */
async function placedIn(db: Db, authorId: number, markdown: string, field: string): Promise<{ issues: FieldIssue[] } | PlacedImages> {
  const r = await placeImages({ db }, markdown, { userId: authorId, mayPlaceAnyImage: true });
  // One message for the field, every image's problem in it (the form shows one message a field).
  return 'issues' in r ? { issues: [{ field, message: r.issues.join(' ') }] } : r.placed;
}

/** A new guide, as a draft, with its first revision. */
async function createGuideNow(db: Db, authorId: number, input: GuideFields, clock: Clock = systemClock): Promise<Outcome<number>> {
  const f = clean(input);
  const checked = await checkDetails(db, f);
  if ('issues' in checked) return invalid(checked.issues);
  const images = await placedIn(db, authorId, f.overview, 'overview');
  if ('issues' in images) return invalid(images.issues);
  const subject = { id: checked.subjectId };
  const now = isoNow(clock);
  const id = await withFreshSlug(db, async (trx) => {
    const guideId = await repo.insertGuide(trx, {
      slug: await freeGuideSlug(trx, f.title),
      title: f.title,
      subject_id: subject.id,
      status: 'draft',
      created_by: authorId,
      created_at: now,
      updated_at: now,
      published_at: null,
      import_key: null,
      overview: f.overview,
      overview_html: renderMarkdown(f.overview, { pictures: images.pictures }),
    });
    await recordImageUses(trx, 'guide_overview', guideId, images.ids);
    await repo.insertRevision(trx, {
      guideId,
      sectionId: null,
      authorId,
      title: f.title,
      subjectId: subject.id,
      membersOnly: null,
      body: f.overview,
      createdAt: now,
    });
    await setTopics(trx, guideId, subject.id, checked.topics);
    return guideId;
  });
  return ok(id);
}

/**
 * Saves the guide's title, subject, overview and topics (the slug stays, so links keep working). The topics are
 * set again on every save, in the subject saved, so a guide moved to another subject takes its topic names along.
 */
async function updateGuideDetailsNow(
  db: Db,
  authorId: number,
  guideId: number,
  input: GuideFields,
  basedOn: number | null,
  clock: Clock = systemClock,
): Promise<Outcome> {
  const f = clean(input);
  const checked = await checkDetails(db, f);
  if ('issues' in checked) return invalid(checked.issues);
  const images = await placedIn(db, authorId, f.overview, 'overview');
  if ('issues' in images) return invalid(images.issues);
  const subject = { id: checked.subjectId };
  return db.transaction().execute(async (trx) => {
    if (!(await repo.findGuideById(trx, guideId))) return notFound;
    if (basedOn !== null && (await repo.latestRevisionId(trx, guideId, null)) !== basedOn) return conflict;
    const now = isoNow(clock);
    await repo.updateGuide(trx, guideId, {
      title: f.title,
      subject_id: subject.id,
      overview: f.overview,
      overview_html: renderMarkdown(f.overview, { pictures: images.pictures }),
      updated_at: now,
    });
    await recordImageUses(trx, 'guide_overview', guideId, images.ids);
    await repo.insertRevision(trx, {
      guideId,
      sectionId: null,
      authorId,
      title: f.title,
      subjectId: subject.id,
      membersOnly: null,
      body: f.overview,
      createdAt: now,
    });
    await setTopics(trx, guideId, subject.id, checked.topics);
    return ok(undefined);
  });
}

/** Draft -> published (the first time sets published_at), or back to draft. A guide needs a section to publish. */
async function setGuideStatusNow(db: Db, guideId: number, status: GuideStatus, clock: Clock = systemClock): Promise<Outcome> {
  const guide = await repo.findGuideById(db, guideId);
  if (!guide) return notFound;
  if (status === 'published' && (await repo.countSections(db, guideId)) === 0) {
    return invalid([{ field: 'status', message: 'Add at least one section before publishing.' }]);
  }
  const now = isoNow(clock);
  await repo.updateGuide(db, guideId, {
    status,
    updated_at: now,
    ...(status === 'published' && !guide.publishedAt ? { published_at: now } : {}),
  });
  return ok(undefined);
}

export async function addSection(
  db: Db,
  authorId: number,
  guideId: number,
  input: SectionFields,
  clock: Clock = systemClock,
): Promise<Outcome<number>> {
  const f = cleanSection(input);
  const issues = validateSectionFields(f);
  if (issues.length > 0) return invalid(issues);
  const images = await placedIn(db, authorId, f.body, 'body');
  if ('issues' in images) return invalid(images.issues);
  if (!(await repo.findGuideById(db, guideId))) return notFound;
  if ((await repo.countSections(db, guideId)) >= SECTIONS_MAX) {
    return invalid([{ field: 'title', message: `A guide has at most ${SECTIONS_MAX} sections.` }]);
  }
  const now = isoNow(clock);
  const id = await withFreshSlug(db, async (trx) => {
    const sectionId = await repo.insertSection(trx, {
      guide_id: guideId,
      slug: await freeSectionSlug(trx, guideId, f.title),
      title: f.title,
      position: (await repo.maxPosition(trx, guideId)) + 1,
      members_only: f.membersOnly ? 1 : 0,
      created_at: now,
      updated_at: now,
      body: f.body,
      body_html: renderMarkdown(f.body, { pictures: images.pictures }),
    });
    await recordImageUses(trx, 'guide_section', sectionId, images.ids);
    await repo.insertRevision(trx, {
      guideId,
      sectionId,
      authorId,
      title: f.title,
      subjectId: null,
      membersOnly: f.membersOnly,
      body: f.body,
      createdAt: now,
    });
    await repo.touchGuide(trx, guideId, now);
    return sectionId;
  });
  return ok(id);
}

export async function updateSection(
  db: Db,
  authorId: number,
  guideId: number,
  sectionId: number,
  input: SectionFields,
  basedOn: number | null,
  clock: Clock = systemClock,
): Promise<Outcome> {
  const f = cleanSection(input);
  const issues = validateSectionFields(f);
  if (issues.length > 0) return invalid(issues);
  const images = await placedIn(db, authorId, f.body, 'body');
  if ('issues' in images) return invalid(images.issues);
  return db.transaction().execute(async (trx) => {
    if (!(await repo.findSection(trx, guideId, sectionId))) return notFound;
    if (basedOn !== null && (await repo.latestRevisionId(trx, guideId, sectionId)) !== basedOn) return conflict;
    const now = isoNow(clock);
    await repo.updateSection(trx, guideId, sectionId, {
      title: f.title,
      body: f.body,
      body_html: renderMarkdown(f.body, { pictures: images.pictures }),
      members_only: f.membersOnly ? 1 : 0,
      updated_at: now,
    });
    await recordImageUses(trx, 'guide_section', sectionId, images.ids);
    await repo.insertRevision(trx, {
      guideId,
      sectionId,
      authorId,
      title: f.title,
      subjectId: null,
      membersOnly: f.membersOnly,
      body: f.body,
      createdAt: now,
    });
    await repo.touchGuide(trx, guideId, now);
    return ok(undefined);
  });
}

/** Moves a section one place up or down; positions are rewritten 1..n so gaps or ties from the past disappear. */
export async function moveSection(
  db: Db,
  guideId: number,
  sectionId: number,
  direction: 'up' | 'down',
  clock: Clock = systemClock,
): Promise<Outcome> {
  return db.transaction().execute(async (trx) => {
    const sections = await repo.listSections(trx, guideId);
    const i = sections.findIndex((s) => s.id === sectionId);
    if (i < 0) return notFound;
    const j = direction === 'up' ? i - 1 : i + 1;
    if (j < 0 || j >= sections.length) return ok(undefined);
    const order = sections.map((s) => s.id);
    [order[i], order[j]] = [order[j] as number, order[i] as number];
    for (const [k, id] of order.entries()) {
      if (sections.find((s) => s.id === id)?.position !== k + 1) await repo.updateSection(trx, guideId, id, { position: k + 1 });
    }
    await repo.touchGuide(trx, guideId, isoNow(clock));
    return ok(undefined);
  });
}

/** Removes a section and its revisions. A published guide keeps at least one section. */
export async function removeSection(db: Db, guideId: number, sectionId: number, clock: Clock = systemClock): Promise<Outcome> {
  return db.transaction().execute(async (trx) => {
    const guide = await repo.findGuideById(trx, guideId);
    if (!guide || !(await repo.findSection(trx, guideId, sectionId))) return notFound;
    if (guide.status === 'published' && (await repo.countSections(trx, guideId)) <= 1) {
      return invalid([{ field: 'section', message: 'A published guide keeps at least one section: unpublish it first.' }]);
    }
    await repo.deleteSection(trx, guideId, sectionId);
    await repo.touchGuide(trx, guideId, isoNow(clock));
    return ok(undefined);
  });
}

/** Puts an earlier revision back, as a new revision (so the restore itself can be undone the same way). */
async function restoreRevisionNow(
  db: Db,
  authorId: number,
  guideId: number,
  revisionId: number,
  clock: Clock = systemClock,
): Promise<Outcome<GuideRevision>> {
  const revision = await repo.findRevision(db, guideId, revisionId);
  if (!revision) return notFound;
  if (revision.sectionId === null) {
    const guide = await repo.findGuideById(db, guideId);
    if (!guide) return notFound;
    // The subject as it was, unless it has since gone; then the current one.
    const subjectSlug =
      revision.subjectId !== null && revision.subjectId !== guide.subject.id
        ? ((await subjectSlugById(db, revision.subjectId)) ?? guide.subject.slug)
        : guide.subject.slug;
    // Revisions do not hold topics: the guide keeps those it has now (re-made in the restored subject if it differs).
    const topics = (await repo.listGuideTopics(db, guideId)).map((t) => t.name).join(', ');
    const r = await updateGuideDetailsNow(
      db,
      authorId,
      guideId,
      { title: revision.title, subjectSlug, overview: revision.body, topics },
      null,
      clock,
    );
    return r.kind === 'ok' ? ok(revision) : r;
  }
  const r = await updateSection(
    db,
    authorId,
    guideId,
    revision.sectionId,
    { title: revision.title, body: revision.body, membersOnly: revision.membersOnly === true },
    null,
    clock,
  );
  return r.kind === 'ok' ? ok(revision) : r;
}

async function subjectSlugById(db: Db, subjectId: number): Promise<string | undefined> {
  return (await listSubjects(db)).find((s) => s.id === subjectId)?.slug;
}

// ---- Import and demo content ----

export interface GuideImportResult {
  added: number;
  alreadyPresent: number;
}

/**
 * Stores checked guides, published, each with its sections and first revisions. A guide whose import key is
 * already there (imported before, or earlier in the same batch) is left alone, so importing twice adds nothing.
 * Runs inside the caller's transaction when given one.
 */
async function importGuidesNow(
  db: Db,
  guides: readonly GuideImport[],
  opts: { clock?: Clock; authorId?: number | null } = {},
): Promise<GuideImportResult> {
  const clock = opts.clock ?? systemClock;
  const authorId = opts.authorId ?? null;
  const existing = await repo.findExistingGuideImportKeys(
    db,
    guides.map((g) => g.importKey),
  );
  const subjects = new Map<string, number>();
  let added = 0;
  let alreadyPresent = 0;
  for (const g of guides) {
    if (existing.has(g.importKey)) {
      alreadyPresent++;
      continue;
    }
    existing.add(g.importKey);
    let subjectId = subjects.get(g.subject.toLowerCase());
    if (subjectId === undefined) {
      subjectId = (await ensureSubject(db, g.subject)).id;
      subjects.set(g.subject.toLowerCase(), subjectId);
    }
    const now = isoNow(clock);
    // The images were stored before (an import's files); their uses are recorded as an editor's save records them.
    const overviewImages = await picturesFor({ db }, g.overview);
    const guideId = await repo.insertGuide(db, {
      slug: await freeGuideSlug(db, g.title),
      title: g.title,
      subject_id: subjectId,
      status: 'published',
      created_by: authorId,
      created_at: now,
      updated_at: now,
      published_at: now,
      import_key: g.importKey,
      overview: g.overview,
      overview_html: renderMarkdown(g.overview, { pictures: overviewImages.pictures }),
    });
    if (overviewImages.ids.length > 0) await recordImageUses(db, 'guide_overview', guideId, overviewImages.ids);
    await repo.insertRevision(db, {
      guideId,
      sectionId: null,
      authorId,
      title: g.title,
      subjectId,
      membersOnly: null,
      body: g.overview,
      createdAt: now,
    });
    // The names were checked with the line (validateGuideRecord); distinctTopics only finds their slugs.
    const topics = distinctTopics((g.topics ?? []).map(tidyTopic).filter((n) => n !== ''));
    await setTopics(db, guideId, subjectId, topics);
    const slugs = new Set<string>();
    for (const [i, s] of g.sections.entries()) {
      const base = baseSlug(s.title, 60, 'section');
      let slug = base;
      for (let n = 2; slugs.has(slug); n++) slug = `${base}-${n}`;
      slugs.add(slug);
      const sectionImages = await picturesFor({ db }, s.body);
      const sectionId = await repo.insertSection(db, {
        guide_id: guideId,
        slug,
        title: s.title,
        position: i + 1,
        members_only: s.membersOnly ? 1 : 0,
        created_at: now,
        updated_at: now,
        body: s.body,
        body_html: renderMarkdown(s.body, { pictures: sectionImages.pictures }),
      });
      if (sectionImages.ids.length > 0) await recordImageUses(db, 'guide_section', sectionId, sectionImages.ids);
      await repo.insertRevision(db, {
        guideId,
        sectionId,
        authorId,
        title: s.title,
        subjectId: null,
        membersOnly: s.membersOnly,
        body: s.body,
        createdAt: now,
      });
    }
    added++;
  }
  return { added, alreadyPresent };
}

export {
  createGuideNow as createGuide,
  importGuidesNow as importGuides,
  restoreRevisionNow as restoreRevision,
  setGuideStatusNow as setGuideStatus,
  updateGuideDetailsNow as updateGuideDetails,
};

/** The editor's preview of a text as it will look: rendered with the live images it names. */
export async function previewWithImages(db: Db, markdown: string): Promise<string> {
  return renderMarkdown(markdown, { pictures: (await picturesFor({ db }, markdown)).pictures });
}

/** The files of the images a guide's overview and sections place, for its PDF (renderGuidePdf). */
export function guidePdfImages(
  deps: { readonly db: Db; readonly blobs: BlobStore },
  guide: { readonly overview: string; readonly sections: ReadonlyArray<{ readonly body: string }> },
): Promise<Map<number, PrintImage | null>> {
  return printableImages(deps, [guide.overview, ...guide.sections.map((s) => s.body)].flatMap(placedImageIds));
}
