import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { FieldIssue } from '../../lib/errors.ts';
import { type Clock, isoNow } from '../../lib/time.ts';
import { rerenderImageUses } from '../content/index.ts';
import { findImagesPlacedIn, findImageUses, markRemoved, type StoredImage } from '../images/index.ts';
import { listQuestionImages } from '../questions/index.ts';
import * as repo from './asking.repository.ts';
import { type Actor, mayAct, NOTE_LIMITS } from './lifecycle.ts';
import * as reports from './reports.repository.ts';

type Db = Kysely<Database>;

/** Reports a person may file in an hour (so reporting cannot be used to flood the moderators). */
export const REPORTS_PER_HOUR = 20;

/** An image a reader may point a report at: a photo of the question, or an image placed in its expert answer. */
export interface ReportableImage {
  readonly image: Pick<StoredImage, 'id' | 'variants'>;
  /** How the report form names it. */
  readonly label: string;
}

/** The images of a question's page, in page order, as the report form offers them. */
export async function listReportableImages(db: Db, questionId: number): Promise<ReportableImage[]> {
  const photos = await listQuestionImages(db, questionId);
  const placed = await findImagesPlacedIn({ db }, 'answer', questionId);
  return [
    ...photos.map((image, i) => ({ image, label: `Photo ${i + 1} of the question` })),
    ...placed.map((image, i) => ({ image, label: `Image ${i + 1} in the expert answer` })),
  ];
}

/** The report form's value for an image: `image-ID`. */
export const imageTarget = (id: number) => `image-${id}`;

/** Anyone signed in reports a published question, its answer or one of its images, with a reason. */
export async function fileReport(
  db: Db,
  clock: Clock,
  reporterId: number,
  input: { questionId: number; target: string; reason: string },
): Promise<FieldIssue[] | 'not_found' | 'limited' | 'filed'> {
  const q = await repo.findWorkQuestion(db, input.questionId);
  if (q?.status !== 'published') return 'not_found';
  const issues: FieldIssue[] = [];
  const imageId = /^image-([1-9]\d{0,9})$/.exec(input.target)?.[1];
  // An image of this question's page only: a photo of it or an image its answer places.
  const shownHere =
    imageId !== undefined &&
    (await findImageUses({ db }, [Number(imageId)])).some((u) => (u.kind === 'question' || u.kind === 'answer') && u.contentId === q.id);
  if (input.target !== 'question' && input.target !== 'answer' && !shownHere)
    issues.push({ field: 'target', message: 'Say whether the question, the answer or one of its images is the problem.' });
  const reason = input.reason.replace(/\s+/g, ' ').trim();
  const { min, reportReason: max } = NOTE_LIMITS;
  if (reason.length < min || reason.length > max)
    issues.push({ field: 'reason', message: `Say what is wrong in ${min} to ${max.toLocaleString('en-US')} characters.` });
  if (issues.length > 0) return issues;
  const now = clock.now();
  if ((await reports.countRecentReportsBy(db, reporterId, new Date(now.getTime() - 3600_000).toISOString())) >= REPORTS_PER_HOUR)
    return 'limited';
  await reports.insertReport(db, {
    reporterId,
    questionId: q.id,
    ...(shownHere ? { target: 'image' as const, imageId: Number(imageId) } : { target: input.target as 'question' | 'answer' }),
    reason,
    at: now.toISOString(),
  });
  return 'filed';
}

/**
 * hide: the question page (with its answer) leaves the site and every open report of it is closed; restore puts it
 * back; dismiss closes one report and changes nothing else.
 */
export async function decideReport(
  db: Db,
  clock: Clock,
  actor: Actor,
  reportId: number,
  decision: 'hide' | 'restore' | 'dismiss' | 'remove-image',
): Promise<'done' | 'not_found' | 'not_allowed' | 'conflict'> {
  const report = await reports.findReport(db, reportId);
  if (!report) return 'not_found';
  const q = await repo.findWorkQuestion(db, report.questionId);
  if (!q) return 'not_found';
  const at = isoNow(clock);
  const nowMs = Date.parse(at);
  if (decision === 'remove-image') {
    if (!mayAct(actor, 'hide', { ...q, status: 'published' }, nowMs)) return 'not_allowed';
    if (report.imageId === null) return 'conflict';
    const imageId = report.imageId;
    return db.transaction().execute(async (trx) => {
      // Already removed (another moderator, another report): the reports are still closed, the pages already clean.
      await markRemoved({ db: trx, clock }, { id: imageId, by: actor.userId });
      await rerenderImageUses(trx, await findImageUses({ db: trx }, [imageId]), at);
      await reports.decideImageReports(trx, imageId, actor.userId, at);
      return 'done' as const;
    });
  }
  if (decision === 'dismiss') {
    if (!mayAct(actor, 'hide', { ...q, status: 'published' }, nowMs)) return 'not_allowed';
    await reports.decideReports(db, q.id, 'dismissed', actor.userId, at, reportId);
    return 'done';
  }
  if (!mayAct(actor, decision, q, nowMs)) return q.status === (decision === 'hide' ? 'published' : 'hidden') ? 'not_allowed' : 'conflict';
  return db.transaction().execute(async (trx) => {
    const moved = await repo.moveQuestion(trx, {
      id: q.id,
      from: [decision === 'hide' ? 'published' : 'hidden'],
      to: decision === 'hide' ? 'hidden' : 'published',
      actorId: actor.userId,
      note: `report ${reportId}`,
      at,
    });
    if (!moved) return 'conflict' as const;
    if (decision === 'hide') await reports.decideReports(trx, q.id, 'hidden', actor.userId, at);
    else await reports.decideReports(trx, q.id, 'restored', actor.userId, at, reportId);
    return 'done' as const;
  });
}

export { listReports } from './reports.repository.ts';
