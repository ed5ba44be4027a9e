import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';
import { parsedOnce } from '../../db/parsed-once.ts';
import { latestIso } from '../../lib/time.ts';
import { type GuideDb, type GuideSectionsTable, type GuideStatus, type GuidesTable, guideDb } from './guide.tables.ts';
import type { Guide, GuideRevision, GuideSection, GuideSummary, GuideTopic, TopicName } from './guide.ts';

type Db = Kysely<Database>;

const summaryColumns = [
  'g.id',
  'g.slug',
  'g.title',
  'g.status',
  'g.updated_at',
  'g.published_at',
  's.id as subject_id',
  's.slug as subject_slug',
  's.name as subject_name',
] as const;

interface SummaryRow {
  id: number;
  slug: string;
  title: string;
  status: GuideStatus;
  updated_at: string;
  published_at: string | null;
  subject_id: number;
  subject_slug: string;
  subject_name: string;
}

function toSummary(r: SummaryRow): GuideSummary {
  return {
    id: r.id,
    slug: r.slug,
    title: r.title,
    status: r.status,
    subject: { id: r.subject_id, slug: r.subject_slug, name: r.subject_name },
    updatedAt: r.updated_at,
    publishedAt: r.published_at,
  };
}

function summaries(db: GuideDb) {
  return db.selectFrom('guides as g').innerJoin('subjects as s', 's.id', 'g.subject_id').select(summaryColumns);
}

/** Every guide (editors' list) or only the published ones (readers'), by title. */
export async function listGuides(db: Db, opts: { publishedOnly: boolean }): Promise<GuideSummary[]> {
  let q = summaries(guideDb(db));
  if (opts.publishedOnly) q = q.where('g.status', '=', 'published');
  const rows = await q.orderBy('g.title').orderBy('g.id').execute();
  return rows.map(toSummary);
}

/** Every published guide (by title) and the topics of each: what question pages link from (kept in memory). */
export async function listPublishedLinkIndex(db: Db): Promise<{
  guides: Array<{ id: number; slug: string; title: string; subjectId: number }>;
  topics: Array<{ topicId: number; guideId: number }>;
}> {
  const gdb = guideDb(db);
  const guides = await gdb
    .selectFrom('guides')
    .select(['id', 'slug', 'title', 'subject_id as subjectId'])
    .where('status', '=', 'published')
    .orderBy('title')
    .orderBy('id')
    .execute();
  const topics = await gdb
    .selectFrom('guide_topics as gt')
    .innerJoin('guides as g', 'g.id', 'gt.guide_id')
    .select(['gt.topic_id as topicId', 'gt.guide_id as guideId'])
    .where('g.status', '=', 'published')
    .execute();
  return { guides, topics };
}

/** The guide's topics, by name. */
export async function listGuideTopics(db: Db, guideId: number): Promise<GuideTopic[]> {
  return guideDb(db)
    .selectFrom('guide_topics as gt')
    .innerJoin('topics as t', 't.id', 'gt.topic_id')
    .select(['t.id', 't.slug', 't.name'])
    .where('gt.guide_id', '=', guideId)
    .orderBy('t.name')
    .orderBy('t.id')
    .execute();
}

/**
 * Ids of these topics of the subject, in the order given, each created when new. Insert-or-ignore first, so two
 * saves naming the same new topic at once both succeed (a failed insert would abort a PostgreSQL transaction).
 */
export async function ensureTopicIds(db: Db, subjectId: number, topics: readonly TopicName[]): Promise<number[]> {
  if (topics.length === 0) return [];
  await db
    .insertInto('topics')
    .values(topics.map((t) => ({ subject_id: subjectId, slug: t.slug, name: t.name })))
    .onConflict((oc) => oc.columns(['subject_id', 'slug']).doNothing())
    .execute();
  const rows = await db
    .selectFrom('topics')
    .select(['id', 'slug'])
    .where('subject_id', '=', subjectId)
    .where(
      'slug',
      'in',
      topics.map((t) => t.slug),
    )
    .execute();
  const ids = new Map(rows.map((r) => [r.slug, r.id]));
  return topics.map((t) => ids.get(t.slug) as number);
}

/** Makes these the guide's topics (and only these). */
export async function replaceGuideTopics(db: Db, guideId: number, topicIds: readonly number[]): Promise<void> {
  const g = guideDb(db);
  await g.deleteFrom('guide_topics').where('guide_id', '=', guideId).execute();
  const unique = [...new Set(topicIds)];
  if (unique.length > 0) {
    await g
      .insertInto('guide_topics')
      .values(unique.map((topic_id) => ({ guide_id: guideId, topic_id })))
      .execute();
  }
}

function fullGuide(db: GuideDb) {
  return summaries(db).select(['g.overview', 'g.overview_html', 'g.created_at']);
}

function toGuide(
  row: (SummaryRow & { overview: string; overview_html: string; created_at: string }) | undefined,
): Omit<Guide, 'sections'> | undefined {
  return row ? { ...toSummary(row), overview: row.overview, overviewHtml: row.overview_html, createdAt: row.created_at } : undefined;
}

export async function findGuideBySlug(db: Db, slug: string): Promise<Omit<Guide, 'sections'> | undefined> {
  return toGuide(await fullGuide(guideDb(db)).where('g.slug', '=', slug).executeTakeFirst());
}

export async function findGuideById(db: Db, id: number): Promise<Omit<Guide, 'sections'> | undefined> {
  return toGuide(await fullGuide(guideDb(db)).where('g.id', '=', id).executeTakeFirst());
}

function toSection(r: {
  id: number;
  slug: string;
  title: string;
  position: number;
  members_only: number;
  body: string;
  body_html: string;
  updated_at: string;
}): GuideSection {
  return {
    id: r.id,
    slug: r.slug,
    title: r.title,
    position: r.position,
    membersOnly: Number(r.members_only) === 1,
    body: r.body,
    bodyHtml: r.body_html,
    updatedAt: r.updated_at,
  };
}

const sectionColumns = ['id', 'slug', 'title', 'position', 'members_only', 'body', 'body_html', 'updated_at'] as const;

/** A guide's sections in reading order. */
export async function listSections(db: Db, guideId: number): Promise<GuideSection[]> {
  const rows = await guideDb(db)
    .selectFrom('guide_sections')
    .select(sectionColumns)
    .where('guide_id', '=', guideId)
    .orderBy('position')
    .orderBy('id')
    .execute();
  return rows.map(toSection);
}

export async function findSection(db: Db, guideId: number, sectionId: number): Promise<GuideSection | undefined> {
  const row = await guideDb(db)
    .selectFrom('guide_sections')
    .select(sectionColumns)
    .where('guide_id', '=', guideId)
    .where('id', '=', sectionId)
    .executeTakeFirst();
  return row ? toSection(row) : undefined;
}

export async function slugTaken(db: Db, slug: string): Promise<boolean> {
  return (await guideDb(db).selectFrom('guides').select('id').where('slug', '=', slug).executeTakeFirst()) !== undefined;
}

export async function sectionSlugs(db: Db, guideId: number): Promise<Set<string>> {
  const rows = await guideDb(db).selectFrom('guide_sections').select('slug').where('guide_id', '=', guideId).execute();
  return new Set(rows.map((r) => r.slug));
}

export async function findExistingGuideImportKeys(db: Db, keys: readonly string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const rows = await guideDb(db).selectFrom('guides').select('import_key').where('import_key', 'in', keys).execute();
  return new Set(rows.map((r) => r.import_key as string));
}

export type NewGuideRow = Omit<GuidesTable, 'id'>;

export async function insertGuide(db: Db, row: NewGuideRow): Promise<number> {
  const { id } = await guideDb(db).insertInto('guides').values(row).returning('id').executeTakeFirstOrThrow();
  return id;
}

export async function updateGuide(
  db: Db,
  id: number,
  set: Partial<Pick<GuidesTable, 'title' | 'subject_id' | 'overview' | 'overview_html' | 'status' | 'published_at' | 'updated_at'>>,
): Promise<void> {
  await guideDb(db).updateTable('guides').set(set).where('id', '=', id).execute();
}

/** Moves the guide's updated_at on (any change to a section changes the guide). */
export async function touchGuide(db: Db, id: number, at: string): Promise<void> {
  await guideDb(db).updateTable('guides').set({ updated_at: at }).where('id', '=', id).execute();
}

export async function maxPosition(db: Db, guideId: number): Promise<number> {
  const row = await guideDb(db)
    .selectFrom('guide_sections')
    .select((eb) => eb.fn.max('position').as('max'))
    .where('guide_id', '=', guideId)
    .executeTakeFirst();
  return Number(row?.max ?? 0);
}

export async function insertSection(db: Db, row: Omit<GuideSectionsTable, 'id'>): Promise<number> {
  const { id } = await guideDb(db).insertInto('guide_sections').values(row).returning('id').executeTakeFirstOrThrow();
  return id;
}

export async function updateSection(
  db: Db,
  guideId: number,
  sectionId: number,
  set: Partial<Pick<GuideSectionsTable, 'title' | 'body' | 'body_html' | 'members_only' | 'position' | 'updated_at'>>,
): Promise<void> {
  await guideDb(db).updateTable('guide_sections').set(set).where('guide_id', '=', guideId).where('id', '=', sectionId).execute();
}

export async function deleteSection(db: Db, guideId: number, sectionId: number): Promise<void> {
  await guideDb(db).deleteFrom('guide_sections').where('guide_id', '=', guideId).where('id', '=', sectionId).execute();
}

export async function countSections(db: Db, guideId: number): Promise<number> {
  const row = await guideDb(db)
    .selectFrom('guide_sections')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('guide_id', '=', guideId)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

export async function insertRevision(
  db: Db,
  r: {
    guideId: number;
    sectionId: number | null;
    authorId: number | null;
    title: string;
    subjectId: number | null;
    membersOnly: boolean | null;
    body: string;
    createdAt: string;
  },
): Promise<void> {
  await guideDb(db)
    .insertInto('guide_revisions')
    .values({
      guide_id: r.guideId,
      section_id: r.sectionId,
      author_id: r.authorId,
      title: r.title,
      subject_id: r.subjectId,
      members_only: r.membersOnly === null ? null : r.membersOnly ? 1 : 0,
      body: r.body,
      created_at: r.createdAt,
    })
    .execute();
}

function revisions(db: GuideDb) {
  return db
    .selectFrom('guide_revisions as r')
    .leftJoin('users as u', 'u.id', 'r.author_id')
    .select(['r.id', 'r.section_id', 'r.title', 'r.subject_id', 'r.members_only', 'r.body', 'r.created_at', 'u.name as author_name']);
}

function toRevision(r: {
  id: number;
  section_id: number | null;
  title: string;
  subject_id: number | null;
  members_only: number | null;
  body: string;
  created_at: string;
  author_name: string | null;
}): GuideRevision {
  return {
    id: r.id,
    sectionId: r.section_id,
    title: r.title,
    subjectId: r.subject_id,
    membersOnly: r.members_only === null ? null : Number(r.members_only) === 1,
    body: r.body,
    authorName: r.author_name,
    createdAt: r.created_at,
  };
}

/** A guide's revisions, newest first. */
export async function listRevisions(db: Db, guideId: number, limit: number): Promise<GuideRevision[]> {
  const rows = await revisions(guideDb(db)).where('r.guide_id', '=', guideId).orderBy('r.id', 'desc').limit(limit).execute();
  return rows.map(toRevision);
}

export async function findRevision(db: Db, guideId: number, revisionId: number): Promise<GuideRevision | undefined> {
  const row = await revisions(guideDb(db)).where('r.guide_id', '=', guideId).where('r.id', '=', revisionId).executeTakeFirst();
  return row ? toRevision(row) : undefined;
}

/** The newest revision of the guide's details (sectionId null) or of a section: what an edit form was based on. */
export async function latestRevisionId(db: Db, guideId: number, sectionId: number | null): Promise<number> {
  let q = guideDb(db)
    .selectFrom('guide_revisions')
    .select((eb) => eb.fn.max('id').as('id'))
    .where('guide_id', '=', guideId);
  q = sectionId === null ? q.where('section_id', 'is', null) : q.where('section_id', '=', sectionId);
  const row = await q.executeTakeFirst();
  return Number(row?.id ?? 0);
}

/** Every published guide with its sections' slugs and the latest change (for the sitemap). */
export async function listPublishedForSitemap(
  db: Db,
): Promise<Array<{ slug: string; updatedAt: string; sections: Array<{ slug: string; updatedAt: string }> }>> {
  const g = guideDb(db);
  const guides = await g
    .selectFrom('guides')
    .select(['id', 'slug', 'updated_at'])
    .where('status', '=', 'published')
    .orderBy('slug')
    .execute();
  if (guides.length === 0) return [];
  const sections = await g
    .selectFrom('guide_sections')
    .select(['guide_id', 'slug', 'updated_at'])
    .where(
      'guide_id',
      'in',
      guides.map((x) => x.id),
    )
    .orderBy('guide_id')
    .orderBy('position')
    .execute();
  return guides.map((x) => {
    const own = sections.filter((s) => s.guide_id === x.id);
    const updatedAt = latestIso(
      own.map((s) => s.updated_at),
      x.updated_at,
    );
    return { slug: x.slug, updatedAt, sections: own.map((s) => ({ slug: s.slug, updatedAt: s.updated_at })) };
  });
}

/** What a search result needs of each published guide among `ids` (one page of results), with every section. */
export async function findGuidesForSearch(db: Db, ids: readonly number[]): Promise<Guide[]> {
  if (ids.length === 0) return [];
  const gdb = guideDb(db);
  // Side by side (on PostgreSQL two round trips at once): the sections of a guide not published are left unused.
  const [heads, sections] = await Promise.all([
    fullGuide(gdb).modifyFront(parsedOnce).where('g.id', 'in', ids).where('g.status', '=', 'published').execute(),
    gdb
      .selectFrom('guide_sections')
      .modifyFront(parsedOnce)
      .select([...sectionColumns, 'guide_id'])
      .where('guide_id', 'in', ids)
      .orderBy('guide_id')
      .orderBy('position')
      .orderBy('id')
      .execute(),
  ]);
  return heads.map((h) => ({
    ...(toGuide(h) as Omit<Guide, 'sections'>),
    sections: sections.filter((s) => s.guide_id === h.id).map(toSection),
  }));
}

/** Whether a section is free to read (false for a members-only one, undefined when there is no such section). */
export async function isSectionFree(db: Db, sectionId: number): Promise<boolean | undefined> {
  const row = await guideDb(db).selectFrom('guide_sections').select('members_only').where('id', '=', sectionId).executeTakeFirst();
  return row ? Number(row.members_only) === 0 : undefined;
}
