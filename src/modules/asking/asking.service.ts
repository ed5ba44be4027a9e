import type { Kysely } from 'kysely';
import type { Engine } from '../../db/connect.ts';
import type { Database } from '../../db/database.ts';
import type { FieldIssue } from '../../lib/errors.ts';
import { renderMarkdown } from '../../lib/markdown.ts';
import { slugify } from '../../lib/slug.ts';
import { countMarkdownWords, draftQuickAnswer } from '../../lib/summarize.ts';
import { type Clock, isoNow } from '../../lib/time.ts';
import { type PlacedImages, picturesFor, placeImages, recordImageUses } from '../images/index.ts';
import type { Mailer } from '../mail/index.ts';
import { getMembership, isMember } from '../membership/index.ts';
import { mailNotice, type Notice, recordNotice } from '../notifications/index.ts';
import { ANSWER_LIMITS, QUESTION_LIMITS, questionPath } from '../questions/index.ts';
import { similarByTerms } from '../search/index.ts';
import * as repo from './asking.repository.ts';
import { type Action, type Actor, ANSWERING, mayAct, mayAsk, monthStart, TRANSITIONS, worksOn } from './lifecycle.ts';

type Db = Kysely<Database>;

export interface AskingDeps {
  db: Db;
  clock: Clock;
  mailer: Mailer;
  site: { name: string; url: string };
  questionsPerMonth: number;
  answerTargetHours: number;
}

/** How long a claim holds a question for its educator; saving the draft renews it. */
export const CLAIM_MS = 30 * 60_000;
/** A returned answer stays with its educator this long before others may claim it. */
export const RETURN_HOLD_MS = 24 * 3600_000;

export interface AskInput {
  title: string;
  details: string;
  subject: string;
  topics: string;
}

export interface ParsedAsk {
  title: string;
  details: string;
  subjectId: number;
  topics: Array<{ slug: string; name: string }>;
}

/** Field by field, what is wrong with a question; or the parsed question. */
export async function checkAsk(db: Db, input: AskInput): Promise<{ issues: FieldIssue[] } | { ask: ParsedAsk }> {
  const issues: FieldIssue[] = [];
  const { titleMin, titleMax, detailsMax, topicName } = QUESTION_LIMITS;
  const title = input.title.replace(/\s+/g, ' ').trim();
  const details = input.details.replace(/\r\n/g, '\n').trim();
  if (title.length < titleMin || title.length > titleMax)
    issues.push({ field: 'title', message: `Write the question in ${titleMin} to ${titleMax} characters (now ${title.length}).` });
  if (details.length > detailsMax)
    issues.push({
      field: 'details',
      message: `Keep the details under ${detailsMax.toLocaleString('en-US')} characters (now ${details.length.toLocaleString('en-US')}).`,
    });
  const subjects = await repo.listSubjects(db);
  const subject = subjects.find((s) => s.slug === input.subject);
  if (!subject) issues.push({ field: 'subject', message: 'Choose the subject the question belongs to.' });
  const names = input.topics
    .split(',')
    .map((t) => t.replace(/\s+/g, ' ').trim())
    .filter((t) => t !== '');
  const topics = [...new Map(names.map((n) => [slugify(n, topicName), n.slice(0, topicName)])).entries()]
    .filter(([slug]) => slug !== '')
    .map(([slug, name]) => ({ slug, name }));
  if (topics.length > QUESTION_LIMITS.topics)
    issues.push({ field: 'topics', message: `Give at most ${QUESTION_LIMITS.topics} topics, separated by commas.` });
  if (issues.length > 0 || !subject) return { issues };
  return { ask: { title, details, subjectId: subject.id, topics } };
}

export interface Allowance {
  used: number;
  perMonth: number;
  left: number;
}

export async function allowanceOf(deps: AskingDeps, userId: number): Promise<Allowance> {
  const used = await repo.countAskedSince(deps.db, userId, monthStart(deps.clock.now()));
  return { used, perMonth: deps.questionsPerMonth, left: Math.max(0, deps.questionsPerMonth - used) };
}

/**
 * Queues a question, with the photos the student attached (image ids already checked to be theirs: ask-photos
 * service), in the same transaction, so the question never shows without them. The allowance is counted inside the
 * transaction that adds the question, and the check and the insert run one after the other for a person (SQLite
 * writes one at a time; on PostgreSQL a row lock on the asker serialises them), so two posts at once cannot both
 * take the last question of the month.
 */
export async function askQuestion(
  deps: AskingDeps,
  askerId: number,
  ask: ParsedAsk,
  imageIds: readonly number[] = [],
): Promise<{ id: number } | { noAllowance: Allowance }> {
  const now = deps.clock.now();
  const at = now.toISOString();
  return deps.db.transaction().execute(async (trx) => {
    await repo.lockAsker(trx, askerId);
    const used = await repo.countAskedSince(trx, askerId, monthStart(now));
    if (used >= deps.questionsPerMonth) return { noAllowance: { used, perMonth: deps.questionsPerMonth, left: 0 } as Allowance };
    const id = await repo.insertAskedQuestion(trx, {
      slug: slugify(ask.title),
      title: ask.title,
      details: ask.details,
      detailsHtml: renderMarkdown(ask.details),
      subjectId: ask.subjectId,
      askerId,
      at,
      dueAt: new Date(now.getTime() + deps.answerTargetHours * 3600_000).toISOString(),
    });
    const topicIds: number[] = [];
    for (const t of ask.topics) topicIds.push(await repo.insertTopic(trx, ask.subjectId, t.slug, t.name));
    await repo.linkTopics(trx, id, topicIds);
    await repo.attachImages(trx, id, imageIds);
    return { id };
  });
}

export async function actorFor(db: Db, viewer: { userId: number; role: Actor['role']; member?: boolean }): Promise<Actor> {
  return {
    userId: viewer.userId,
    role: viewer.role,
    subjectIds: viewer.role === 'student' ? [] : await repo.verifiedSubjectIds(db, viewer.userId),
    member: viewer.member === true,
  };
}

export type WorkResult = 'done' | 'not_found' | 'not_allowed' | 'conflict';

/** The question if it is in this actor's answering work (see worksOn); otherwise undefined, as for no question. */
export async function findQuestionToWork(db: Db, actor: Actor, id: number): Promise<repo.WorkQuestion | undefined> {
  const q = await repo.findWorkQuestion(db, id);
  return q && worksOn(actor, q) ? q : undefined;
}

/** Runs one lifecycle move in a transaction with its notices; mails them after the commit. */
async function act(
  deps: AskingDeps,
  actor: Actor,
  id: number,
  action: Action,
  run: (trx: Db, q: repo.WorkQuestion, at: string) => Promise<{ ok: boolean; notices?: Notice[] }>,
): Promise<WorkResult> {
  const nowMs = deps.clock.now().getTime();
  const q = await repo.findWorkQuestion(deps.db, id);
  // To an educator, a question outside their subjects is not there (worksOn): 'not_found', never 'not_allowed'
  // or 'conflict', which would tell whether it is queued or claimed.
  if (!q || (ANSWERING.has(action) && !worksOn(actor, q))) return 'not_found';
  if (!mayAct(actor, action, q, nowMs)) return TRANSITIONS[action].from.includes(q.status) ? 'not_allowed' : 'conflict';
  const outcome = await deps.db.transaction().execute(async (trx) => {
    const r = await run(trx, q, new Date(nowMs).toISOString());
    if (!r.ok) return r;
    for (const n of r.notices ?? []) await recordNotice(trx, n, deps.clock);
    return r;
  });
  if (!outcome.ok) return 'conflict';
  for (const n of outcome.notices ?? []) await mailNotice(deps.db, deps.mailer, deps.site, n);
  return 'done';
}

const quote = (title: string) => `“${title.length > 90 ? `${title.slice(0, 88)}…` : title}”`;

/** An educator takes a question; when two claim at once, one wins and the other gets 'conflict'. */
export function claim(deps: AskingDeps, actor: Actor, id: number): Promise<WorkResult> {
  return act(deps, actor, id, 'claim', async (trx, q, at) => {
    const ok = await repo.moveQuestion(
      trx,
      { id, from: ['queued', 'claimed', 'drafted'], to: 'claimed', actorId: actor.userId, at },
      { claimed_by: actor.userId, claim_expires_at: new Date(Date.parse(at) + CLAIM_MS).toISOString() },
      { claimLapsedBy: at },
    );
    const notices: Notice[] =
      q.askerId !== null
        ? [
            {
              userId: q.askerId,
              questionId: id,
              kind: 'claimed',
              text: `An educator is answering your question ${quote(q.title)}.`,
              link: '/account/questions',
            },
          ]
        : [];
    return { ok, notices };
  });
}

export function release(deps: AskingDeps, actor: Actor, id: number): Promise<WorkResult> {
  return act(deps, actor, id, 'release', async (trx, _q, at) => ({
    ok: await repo.moveQuestion(
      trx,
      { id, from: ['claimed', 'drafted'], to: 'queued', actorId: actor.userId, at },
      { claimed_by: null, claim_expires_at: null },
      { claimedBy: actor.userId },
    ),
  }));
}

/** Keeps the claim alive while the educator edits (the editor page and each save call it). */
export async function renew(deps: AskingDeps, actor: Actor, id: number): Promise<boolean> {
  const now = deps.clock.now();
  return repo.renewClaim(deps.db, id, actor.userId, now.toISOString(), new Date(now.getTime() + CLAIM_MS).toISOString());
}

/**
 * The editor's island renewing the claim while the educator types: 'not_found' for a question outside their work
 * (as the editor page answers), 'lost' once the claim has gone to someone else or lapsed.
 */
export async function keepClaim(deps: AskingDeps, actor: Actor, id: number): Promise<'renewed' | 'not_found' | 'lost'> {
  if (!(await findQuestionToWork(deps.db, actor, id))) return 'not_found';
  return (await renew(deps, actor, id)) ? 'renewed' : 'lost';
}

export interface AnswerInput {
  body: string;
  quickAnswer: string;
  sources: string;
}

export interface CheckedAnswer {
  body: string;
  quickAnswer: string;
  /** Whether the quick answer was drafted from the expert answer (the field was left empty). */
  drafted: boolean;
  sources: Array<{ title: string; url?: string }>;
  /** The images the answer places, checked for its author (checkAnswerWithImages); else looked up when saved. */
  placed?: PlacedImages;
}

/** "Title | https://…" or just a title, one per line. */
export function parseSources(raw: string): { sources: CheckedAnswer['sources']; problem?: string } {
  const sources: CheckedAnswer['sources'] = [];
  for (const [i, line] of raw.split('\n').entries()) {
    const text = line.trim();
    if (text === '') continue;
    const [title, url] = text.split('|').map((p) => p.trim()) as [string, string | undefined];
    if (!title) return { sources, problem: `Line ${i + 1}: give the source a title before the |.` };
    if (url) {
      try {
        const u = new URL(url);
        if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error('scheme');
      } catch {
        return { sources, problem: `Line ${i + 1}: ${JSON.stringify(url.slice(0, 80))} is not a web address (http:// or https://).` };
      }
    }
    const cut = title.slice(0, ANSWER_LIMITS.sourceTitle);
    sources.push(url ? { title: cut, url } : { title: cut });
    if (sources.length > ANSWER_LIMITS.sources) return { sources, problem: `List at most ${ANSWER_LIMITS.sources} sources.` };
  }
  return { sources };
}

export function checkAnswer(input: AnswerInput): { issues: FieldIssue[] } | { answer: CheckedAnswer } {
  const issues: FieldIssue[] = [];
  const body = input.body.replace(/\r\n/g, '\n').trim();
  const words = countMarkdownWords(body);
  if (words < 30) issues.push({ field: 'body', message: `An expert answer needs at least 30 words (now ${words}).` });
  if (body.length > ANSWER_LIMITS.body)
    issues.push({ field: 'body', message: `Keep the answer under ${ANSWER_LIMITS.body.toLocaleString('en-US')} characters.` });
  const typed = input.quickAnswer.replace(/\s+/g, ' ').trim();
  if (typed.length > ANSWER_LIMITS.quickAnswer)
    issues.push({ field: 'quickAnswer', message: `Keep the quick answer under ${ANSWER_LIMITS.quickAnswer} characters.` });
  const { sources, problem } = parseSources(input.sources);
  if (problem) issues.push({ field: 'sources', message: problem });
  if (issues.length > 0) return { issues };
  const quickAnswer = typed || draftQuickAnswer(body);
  return { answer: { body, quickAnswer, drafted: typed === '', sources } };
}

/**
 * checkAnswer, and the images the answer places (modules/images placeImages): the educator's own uploads, or
 * anyone's for an editor, each described in words. Every problem comes back at once, beside the answer's field.
 */
export async function checkAnswerWithImages(
  deps: Pick<AskingDeps, 'db'>,
  actor: Actor,
  input: AnswerInput,
): Promise<{ issues: FieldIssue[] } | { answer: CheckedAnswer }> {
  const checked = checkAnswer(input);
  const images = await placeImages(deps, input.body, {
    userId: actor.userId,
    mayPlaceAnyImage: actor.role === 'editor' || actor.role === 'admin',
  });
  // One message for the field, every image's problem in it (the form shows one message a field).
  const imageIssues = 'issues' in images ? [{ field: 'body', message: images.issues.join(' ') }] : [];
  if ('issues' in checked || 'issues' in images) return { issues: [...('issues' in checked ? checked.issues : []), ...imageIssues] };
  return { answer: { ...checked.answer, placed: images.placed } };
}

/** The answer's HTML, with its images, and the uses to record with it. */
async function renderAnswer(db: Kysely<Database>, answer: CheckedAnswer): Promise<{ html: string; imageIds: readonly number[] }> {
  const placed = answer.placed ?? (await picturesFor({ db }, answer.body));
  return { html: renderMarkdown(answer.body, { pictures: placed.pictures }), imageIds: placed.ids };
}

/** Saves the educator's answer as a draft, or submits it for review; the claim must still be theirs. */
export function saveAnswer(deps: AskingDeps, actor: Actor, id: number, answer: CheckedAnswer, submit: boolean): Promise<WorkResult> {
  return act(deps, actor, id, submit ? 'submit' : 'save_draft', async (trx, q, at) => {
    const current = await repo.findAnswerDraft(trx, id);
    const rendered = await renderAnswer(trx, answer);
    await recordImageUses(trx, 'answer', id, rendered.imageIds);
    await repo.saveAnswer(trx, {
      questionId: id,
      educatorId: current?.educatorId ?? actor.userId,
      authorId: actor.userId,
      body: answer.body,
      bodyHtml: rendered.html,
      quickAnswer: answer.quickAnswer,
      sources: JSON.stringify(answer.sources),
      wordCount: countMarkdownWords(answer.body),
      at,
    });
    const liveAfter = at;
    if (submit) {
      const ok = await repo.moveQuestion(
        trx,
        { id, from: ['claimed', 'drafted'], to: 'in_review', actorId: actor.userId, at },
        { review_comment: null },
        { claimedBy: actor.userId, claimLiveAfter: liveAfter },
      );
      return { ok };
    }
    if (q.status === 'claimed') {
      const ok = await repo.moveQuestion(
        trx,
        { id, from: ['claimed'], to: 'drafted', actorId: actor.userId, at },
        { claim_expires_at: new Date(Date.parse(at) + CLAIM_MS).toISOString() },
        { claimedBy: actor.userId, claimLiveAfter: liveAfter },
      );
      return { ok };
    }
    return { ok: await repo.renewClaim(trx, id, actor.userId, at, new Date(Date.parse(at) + CLAIM_MS).toISOString()) };
  });
}

/**
 * An editor approves: the answer (edited first, if the editor changed it; a revision is kept) is published and
 * marked approved, and the asker is told.
 */
export function approve(deps: AskingDeps, actor: Actor, id: number, edited: CheckedAnswer | null): Promise<WorkResult> {
  return act(deps, actor, id, 'approve', async (trx, q, at) => {
    const current = await repo.findAnswerDraft(trx, id);
    if (!current) return { ok: false };
    if (edited) {
      const rendered = await renderAnswer(trx, edited);
      await recordImageUses(trx, 'answer', id, rendered.imageIds);
      await repo.saveAnswer(trx, {
        questionId: id,
        educatorId: current.educatorId,
        authorId: actor.userId,
        body: edited.body,
        bodyHtml: rendered.html,
        quickAnswer: edited.quickAnswer,
        sources: JSON.stringify(edited.sources),
        wordCount: countMarkdownWords(edited.body),
        at,
      });
    }
    await repo.approveAnswer(trx, id, actor.userId, at);
    const ok = await repo.moveQuestion(
      trx,
      { id, from: ['in_review'], to: 'published', actorId: actor.userId, at },
      { published_at: at, claim_expires_at: null, review_comment: null },
    );
    const path = questionPath({ id, slug: q.slug });
    const notices: Notice[] =
      q.askerId !== null
        ? [
            {
              userId: q.askerId,
              questionId: id,
              kind: 'published',
              text: `Your question ${quote(q.title)} has an expert answer.`,
              link: path,
            },
          ]
        : [];
    return { ok, notices };
  });
}

export function returnToEducator(deps: AskingDeps, actor: Actor, id: number, comment: string): Promise<WorkResult> {
  return act(deps, actor, id, 'return', async (trx, q, at) => {
    const ok = await repo.moveQuestion(
      trx,
      { id, from: ['in_review'], to: 'drafted', actorId: actor.userId, note: comment, at },
      { review_comment: comment, claim_expires_at: new Date(Date.parse(at) + RETURN_HOLD_MS).toISOString() },
    );
    const notices: Notice[] =
      q.claimedBy !== null
        ? [
            {
              userId: q.claimedBy,
              questionId: id,
              kind: 'returned',
              text: `An editor returned your answer to ${quote(q.title)} with a comment.`,
              link: `/educator/q/${id}`,
            },
          ]
        : [];
    return { ok, notices };
  });
}

export function closeAsDuplicate(deps: AskingDeps, actor: Actor, id: number, original: { id: number; slug: string }): Promise<WorkResult> {
  return act(deps, actor, id, 'close_duplicate', async (trx, q, at) => {
    const ok = await repo.moveQuestion(
      trx,
      { id, from: TRANSITIONS.close_duplicate.from, to: 'closed', actorId: actor.userId, note: `duplicate of ${original.id}`, at },
      { duplicate_of: original.id, close_reason: 'duplicate', claimed_by: null, claim_expires_at: null, allowance_returned_at: at },
    );
    const notices: Notice[] =
      q.askerId !== null
        ? [
            {
              userId: q.askerId,
              questionId: id,
              kind: 'closed',
              text: `Your question ${quote(q.title)} was already answered, so it was closed and given back to your allowance. The answer is linked here.`,
              link: questionPath(original),
            },
          ]
        : [];
    return { ok, notices };
  });
}

export function reject(deps: AskingDeps, actor: Actor, id: number, reason: string): Promise<WorkResult> {
  return act(deps, actor, id, 'reject', async (trx, q, at) => {
    const ok = await repo.moveQuestion(
      trx,
      { id, from: TRANSITIONS.reject.from, to: 'rejected', actorId: actor.userId, note: reason, at },
      { close_reason: reason, claimed_by: null, claim_expires_at: null, allowance_returned_at: at },
    );
    const notices: Notice[] =
      q.askerId !== null
        ? [
            {
              userId: q.askerId,
              questionId: id,
              kind: 'rejected',
              text: `Your question ${quote(q.title)} was not accepted: ${reason} It no longer counts against your allowance.`,
              link: '/account/questions',
            },
          ]
        : [];
    return { ok, notices };
  });
}

/**
 * Beyond the others: a question still unanswered at its target stops counting against the asker's allowance, and
 * they are told (it stays in the queue). Each app process runs this every minute; a claim gives back once.
 */
export async function returnOverdueAllowances(deps: AskingDeps): Promise<number> {
  const at = isoNow(deps.clock);
  let n = 0;
  for (const q of await repo.listOverdue(deps.db, at, 100)) {
    const notice: Notice | null =
      q.askerId === null
        ? null
        : {
            userId: q.askerId,
            questionId: q.id,
            kind: 'allowance_returned',
            text: `Your question ${quote(q.title)} was not answered within ${deps.answerTargetHours} hours, so it no longer counts against your monthly allowance. It stays in the queue.`,
            link: '/account/questions',
          };
    const done = await deps.db.transaction().execute(async (trx) => {
      if (!(await repo.returnAllowance(trx, q.id, at))) return false;
      if (notice) await recordNotice(trx, notice, deps.clock);
      return true;
    });
    if (done && notice) await mailNotice(deps.db, deps.mailer, deps.site, notice);
    if (done) n++;
  }
  return n;
}

export {
  deleteAskDraft,
  findAnswerDraft,
  findAskDraft,
  findUserName,
  findWorkQuestion,
  listAskedBy,
  listEvents,
  listInReview,
  listQueue,
  listRevisions,
  listSubjects,
  saveAskDraft,
  verifiedSubjectIds,
} from './asking.repository.ts';

/** Title matches weighed for /ask's similar questions: more than shown, so the chosen subject's can come first. */
const SIMILAR_CANDIDATES = 20;

/**
 * Answered questions that look like this one, closest first: titles sharing its rarest words, from the search
 * index (titles only, free to show anyone; bounded work whatever is typed). With the subject the student chose,
 * that subject's matches come first, as on a question page's related questions.
 */
export async function similarQuestions(
  database: { db: Db; engine: Engine },
  text: string,
  limit = 5,
  subjectSlug?: string,
): Promise<Array<{ title: string; path: string; subjectName: string }>> {
  const matches = await similarByTerms(database, { text, limit: subjectSlug ? SIMILAR_CANDIDATES : limit });
  const found = await repo.findPublishedTitles(
    database.db,
    matches.map((m) => m.id),
  );
  const rows = new Map(found.map((r) => [r.id, r]));
  const listed = matches.flatMap((m) => {
    const r = rows.get(m.id);
    return r ? [r] : [];
  });
  // Stable: within each part the closest first.
  const ordered = subjectSlug
    ? [...listed.filter((r) => r.subjectSlug === subjectSlug), ...listed.filter((r) => r.subjectSlug !== subjectSlug)]
    : listed;
  return ordered.slice(0, limit).map((r) => ({ title: r.title, path: questionPath(r), subjectName: r.subjectName }));
}

/** Drafts of questions kept across a sign-in live a day. */
export function pruneAskDrafts(db: Db, clock: Clock): Promise<void> {
  return repo.deleteAskDraftsBefore(db, new Date(clock.now().getTime() - 24 * 3600_000).toISOString());
}

/** Whether the viewer may ask now: pages know it already (the membership hook), form posts look it up. */
export async function mayAskNow(db: Db, clock: Clock, viewer: { userId: number; role: Actor['role']; member?: boolean }): Promise<boolean> {
  const member = viewer.member ?? isMember(await getMembership(db, viewer.userId), clock.now().getTime());
  return mayAsk({ role: viewer.role, member });
}
