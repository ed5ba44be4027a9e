import type { Kysely } from 'kysely';
import type { Database, QuestionStatus } from '../../db/database.ts';

type Db = Kysely<Database>;

export interface WorkQuestion {
  id: number;
  slug: string;
  title: string;
  details: string;
  detailsHtml: string;
  subjectId: number;
  subjectName: string;
  askerId: number | null;
  status: QuestionStatus;
  claimedBy: number | null;
  claimExpiresAt: string | null;
  dueAt: string | null;
  createdAt: string;
  reviewComment: string | null;
  closeReason: string | null;
  duplicateOf: number | null;
}

const workColumns = [
  'q.id',
  'q.slug',
  'q.title',
  'q.details',
  'q.details_html as detailsHtml',
  'q.subject_id as subjectId',
  's.name as subjectName',
  'q.asker_id as askerId',
  'q.status',
  'q.claimed_by as claimedBy',
  'q.claim_expires_at as claimExpiresAt',
  'q.due_at as dueAt',
  'q.created_at as createdAt',
  'q.review_comment as reviewComment',
  'q.close_reason as closeReason',
  'q.duplicate_of as duplicateOf',
] as const;

export async function findWorkQuestion(db: Db, id: number): Promise<WorkQuestion | undefined> {
  return db
    .selectFrom('questions as q')
    .innerJoin('subjects as s', 's.id', 'q.subject_id')
    .select(workColumns)
    .where('q.id', '=', id)
    .executeTakeFirst();
}

export async function verifiedSubjectIds(db: Db, userId: number): Promise<number[]> {
  const rows = await db.selectFrom('educator_subjects').select('subject_id').where('user_id', '=', userId).execute();
  return rows.map((r) => r.subject_id);
}

/** Questions asked since `since` that still count against the allowance. */
export async function countAskedSince(db: Db, userId: number, since: string): Promise<number> {
  const r = await db
    .selectFrom('questions')
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .where('asker_id', '=', userId)
    .where('created_at', '>=', since)
    .where('import_key', 'is', null)
    .where('allowance_returned_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/**
 * Moves a question from one of `from` to `to`, setting `extra` with it, only if it is still in one of those
 * states (and, with `claimedBy`, still held by that person): true if this call made the move. The transition is
 * recorded with who and when.
 */
export async function moveQuestion(
  db: Db,
  q: { id: number; from: readonly QuestionStatus[]; to: QuestionStatus; actorId: number | null; note?: string | null; at: string },
  extra: {
    claimed_by?: number | null;
    claim_expires_at?: string | null;
    review_comment?: string | null;
    close_reason?: string | null;
    duplicate_of?: number | null;
    published_at?: string | null;
    allowance_returned_at?: string | null;
  } = {},
  guard: { claimedBy?: number; claimLiveAfter?: string; claimLapsedBy?: string } = {},
): Promise<boolean> {
  const current = await db.selectFrom('questions').select('status').where('id', '=', q.id).executeTakeFirst();
  if (!current || !q.from.includes(current.status)) return false;
  let update = db
    .updateTable('questions')
    .set({ status: q.to, updated_at: q.at, ...extra })
    .where('id', '=', q.id)
    .where('status', '=', current.status);
  if (guard.claimedBy !== undefined) update = update.where('claimed_by', '=', guard.claimedBy);
  if (guard.claimLiveAfter !== undefined) update = update.where('claim_expires_at', '>', guard.claimLiveAfter);
  if (guard.claimLapsedBy !== undefined && current.status !== 'queued')
    update = update.where((eb) => eb.or([eb('claim_expires_at', 'is', null), eb('claim_expires_at', '<=', guard.claimLapsedBy as string)]));
  const r = await update.executeTakeFirst();
  if (Number(r.numUpdatedRows) !== 1) return false;
  await db
    .insertInto('question_events')
    .values({
      question_id: q.id,
      actor_id: q.actorId,
      from_status: current.status,
      to_status: q.to,
      note: q.note ?? null,
      created_at: q.at,
    })
    .execute();
  return true;
}

/** Extends a live claim (the educator is still editing). */
export async function renewClaim(db: Db, id: number, userId: number, now: string, until: string): Promise<boolean> {
  const r = await db
    .updateTable('questions')
    .set({ claim_expires_at: until })
    .where('id', '=', id)
    .where('claimed_by', '=', userId)
    .where('status', 'in', ['claimed', 'drafted'])
    .where('claim_expires_at', '>', now)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export interface AnswerDraft {
  body: string;
  quickAnswer: string;
  sources: string;
  educatorId: number;
  updatedAt: string;
}

export async function findAnswerDraft(db: Db, questionId: number): Promise<AnswerDraft | undefined> {
  return db
    .selectFrom('answers')
    .select(['body', 'quick_answer as quickAnswer', 'sources', 'educator_id as educatorId', 'updated_at as updatedAt'])
    .where('question_id', '=', questionId)
    .executeTakeFirst();
}

/** Writes the answer (one per question) and keeps the old text as a revision. */
export async function saveAnswer(
  db: Db,
  a: {
    questionId: number;
    educatorId: number;
    authorId: number;
    body: string;
    bodyHtml: string;
    quickAnswer: string;
    sources: string;
    wordCount: number;
    at: string;
  },
): Promise<void> {
  const values = {
    body: a.body,
    body_html: a.bodyHtml,
    quick_answer: a.quickAnswer,
    sources: a.sources,
    word_count: a.wordCount,
    updated_at: a.at,
  };
  await db
    .insertInto('answers')
    .values({ question_id: a.questionId, educator_id: a.educatorId, created_at: a.at, approved_by: null, approved_at: null, ...values })
    .onConflict((oc) => oc.column('question_id').doUpdateSet(values))
    .execute();
  await db
    .insertInto('answer_revisions')
    .values({
      question_id: a.questionId,
      author_id: a.authorId,
      body: a.body,
      quick_answer: a.quickAnswer,
      sources: a.sources,
      created_at: a.at,
    })
    .execute();
}

export async function approveAnswer(db: Db, questionId: number, editorId: number, at: string): Promise<void> {
  await db
    .updateTable('answers')
    .set({ approved_by: editorId, approved_at: at, updated_at: at })
    .where('question_id', '=', questionId)
    .execute();
}

export async function listRevisions(
  db: Db,
  questionId: number,
): Promise<Array<{ id: number; authorName: string | null; createdAt: string; words: number }>> {
  const rows = await db
    .selectFrom('answer_revisions as r')
    .leftJoin('users as u', 'u.id', 'r.author_id')
    .select(['r.id', 'u.name as authorName', 'r.created_at as createdAt', 'r.body'])
    .where('r.question_id', '=', questionId)
    .orderBy('r.id', 'desc')
    .limit(50)
    .execute();
  return rows.map((r) => ({ id: r.id, authorName: r.authorName, createdAt: r.createdAt, words: (r.body.match(/\S+/g) ?? []).length }));
}

export async function listEvents(
  db: Db,
  questionId: number,
): Promise<Array<{ fromStatus: string; toStatus: string; actorName: string | null; note: string | null; createdAt: string }>> {
  return db
    .selectFrom('question_events as e')
    .leftJoin('users as u', 'u.id', 'e.actor_id')
    .select(['e.from_status as fromStatus', 'e.to_status as toStatus', 'u.name as actorName', 'e.note', 'e.created_at as createdAt'])
    .where('e.question_id', '=', questionId)
    .orderBy('e.id')
    .execute();
}

export interface QueueItem {
  id: number;
  title: string;
  subjectName: string;
  status: QuestionStatus;
  dueAt: string | null;
  claimedBy: number | null;
  claimExpiresAt: string | null;
  createdAt: string;
  reviewComment: string | null;
}

const queueColumns = [
  'q.id',
  'q.title',
  's.name as subjectName',
  'q.status',
  'q.due_at as dueAt',
  'q.claimed_by as claimedBy',
  'q.claim_expires_at as claimExpiresAt',
  'q.created_at as createdAt',
  'q.review_comment as reviewComment',
] as const;

/** Open questions of these subjects, soonest answer target first. */
export async function listQueue(db: Db, subjectIds: readonly number[], limit: number): Promise<QueueItem[]> {
  if (subjectIds.length === 0) return [];
  return db
    .selectFrom('questions as q')
    .innerJoin('subjects as s', 's.id', 'q.subject_id')
    .select(queueColumns)
    .where('q.status', 'in', ['queued', 'claimed', 'drafted'])
    .where('q.subject_id', 'in', subjectIds)
    .orderBy('q.due_at')
    .orderBy('q.id')
    .limit(limit)
    .execute();
}

export async function listInReview(db: Db, limit: number): Promise<Array<QueueItem & { educatorName: string | null }>> {
  return db
    .selectFrom('questions as q')
    .innerJoin('subjects as s', 's.id', 'q.subject_id')
    .leftJoin('users as u', 'u.id', 'q.claimed_by')
    .select([...queueColumns, 'u.name as educatorName'])
    .where('q.status', '=', 'in_review')
    .orderBy('q.due_at')
    .orderBy('q.id')
    .limit(limit)
    .execute();
}

export async function listAskedBy(
  db: Db,
  userId: number,
  limit: number,
): Promise<Array<QueueItem & { slug: string; closeReason: string | null; duplicateOf: number | null; photos: number }>> {
  const rows = await db
    .selectFrom('questions as q')
    .innerJoin('subjects as s', 's.id', 'q.subject_id')
    .select((eb) => [
      ...queueColumns,
      'q.slug',
      'q.close_reason as closeReason',
      'q.duplicate_of as duplicateOf',
      eb
        .selectFrom('question_images as qi')
        .select((c) => c.fn.countAll().as('n'))
        .whereRef('qi.question_id', '=', 'q.id')
        .as('photos'),
    ])
    .where('q.asker_id', '=', userId)
    .where('q.import_key', 'is', null)
    .orderBy('q.id', 'desc')
    .limit(limit)
    .execute();
  // PostgreSQL counts in bigint, which pg hands over as text.
  return rows.map((r) => ({ ...r, photos: Number(r.photos ?? 0) }));
}

/** Open questions past their answer target whose allowance has not been given back yet. */
export async function listOverdue(
  db: Db,
  now: string,
  limit: number,
): Promise<Array<{ id: number; askerId: number | null; title: string }>> {
  return db
    .selectFrom('questions')
    .select(['id', 'asker_id as askerId', 'title'])
    .where('status', 'in', ['queued', 'claimed', 'drafted', 'in_review'])
    .where('due_at', '<=', now)
    .where('allowance_returned_at', 'is', null)
    .orderBy('due_at')
    .limit(limit)
    .execute();
}

/** Gives a question's allowance back, once (a claim for when several processes run the job). */
export async function returnAllowance(db: Db, id: number, at: string): Promise<boolean> {
  const r = await db
    .updateTable('questions')
    .set({ allowance_returned_at: at })
    .where('id', '=', id)
    .where('allowance_returned_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function saveAskDraft(db: Db, tokenHash: string, payload: string, at: string): Promise<void> {
  await db
    .insertInto('ask_drafts')
    .values({ token_hash: tokenHash, payload, created_at: at })
    .onConflict((oc) => oc.column('token_hash').doUpdateSet({ payload, created_at: at }))
    .execute();
}

export async function findAskDraft(db: Db, tokenHash: string, notBefore: string): Promise<string | undefined> {
  return (
    await db
      .selectFrom('ask_drafts')
      .select('payload')
      .where('token_hash', '=', tokenHash)
      .where('created_at', '>', notBefore)
      .executeTakeFirst()
  )?.payload;
}

export async function deleteAskDraft(db: Db, tokenHash: string): Promise<void> {
  await db.deleteFrom('ask_drafts').where('token_hash', '=', tokenHash).execute();
}

export async function deleteAskDraftsBefore(db: Db, before: string): Promise<void> {
  await db.deleteFrom('ask_drafts').where('created_at', '<', before).execute();
}

export async function findTopicIds(db: Db, subjectId: number, slugs: readonly string[]): Promise<Array<{ id: number; slug: string }>> {
  if (slugs.length === 0) return [];
  return db.selectFrom('topics').select(['id', 'slug']).where('subject_id', '=', subjectId).where('slug', 'in', slugs).execute();
}

export async function insertTopic(db: Db, subjectId: number, slug: string, name: string): Promise<number> {
  await db
    .insertInto('topics')
    .values({ subject_id: subjectId, slug, name })
    .onConflict((oc) => oc.columns(['subject_id', 'slug']).doNothing())
    .execute();
  const row = await db
    .selectFrom('topics')
    .select('id')
    .where('subject_id', '=', subjectId)
    .where('slug', '=', slug)
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function listSubjects(db: Db): Promise<Array<{ id: number; slug: string; name: string }>> {
  return db.selectFrom('subjects').select(['id', 'slug', 'name']).orderBy('position').orderBy('name').execute();
}

/** The published questions among `ids` (a handful of suggestions), in any order: titles only, nothing gated. */
export async function findPublishedTitles(
  db: Db,
  ids: readonly number[],
): Promise<Array<{ id: number; slug: string; title: string; subjectName: string; subjectSlug: string }>> {
  if (ids.length === 0) return [];
  return db
    .selectFrom('questions as q')
    .innerJoin('subjects as s', 's.id', 'q.subject_id')
    .select(['q.id', 'q.slug', 'q.title', 's.name as subjectName', 's.slug as subjectSlug'])
    .where('q.id', 'in', ids)
    .where('q.status', '=', 'published')
    .execute();
}

/** Takes a row lock on the asker (PostgreSQL), so one person's asks are counted and inserted one at a time. */
export async function lockAsker(db: Db, userId: number): Promise<void> {
  await db
    .updateTable('users')
    .set({ notify_email: (eb) => eb.ref('notify_email') })
    .where('id', '=', userId)
    .execute();
}

/** A new question in the queue, with the record of its first state. */
export async function insertAskedQuestion(
  db: Db,
  q: { slug: string; title: string; details: string; detailsHtml: string; subjectId: number; askerId: number; at: string; dueAt: string },
): Promise<number> {
  const { id } = await db
    .insertInto('questions')
    .values({
      slug: q.slug,
      title: q.title,
      details: q.details,
      details_html: q.detailsHtml,
      subject_id: q.subjectId,
      asker_id: q.askerId,
      status: 'queued',
      created_at: q.at,
      updated_at: q.at,
      published_at: null,
      import_key: null,
      due_at: q.dueAt,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('question_events')
    .values({ question_id: id, actor_id: q.askerId, from_status: 'new', to_status: 'queued', note: null, created_at: q.at })
    .execute();
  return id;
}

/** The student's photos on their new question, in their order (see QuestionImagesTable). */
export async function attachImages(db: Db, questionId: number, imageIds: readonly number[]): Promise<void> {
  if (imageIds.length === 0) return;
  await db
    .insertInto('question_images')
    .values(imageIds.map((image_id, i) => ({ question_id: questionId, image_id, position: i + 1 })))
    .execute();
}

export async function linkTopics(db: Db, questionId: number, topicIds: readonly number[]): Promise<void> {
  if (topicIds.length === 0) return;
  await db
    .insertInto('question_topics')
    .values([...new Set(topicIds)].map((topic_id) => ({ question_id: questionId, topic_id })))
    .execute();
}

export async function findUserName(db: Db, userId: number): Promise<string | undefined> {
  return (await db.selectFrom('users').select('name').where('id', '=', userId).executeTakeFirst())?.name;
}
