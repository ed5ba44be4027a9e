import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { FieldIssue } from '../../lib/errors.ts';
import { type Clock, isoNow } from '../../lib/time.ts';
import type { Mailer } from '../mail/index.ts';
import { findSubjectsBySlugs } from '../subjects/index.ts';
import * as repo from './application.repository.ts';
import type { Viewer } from './auth.service.ts';
import { applicationDecidedMail } from './emails.tsx';
import { type Actor, canApplyToTeach, canReviewApplications } from './policy.ts';
import * as sessions from './session.repository.ts';
import * as users from './user.repository.ts';
import { ACCOUNT_LIMITS } from './user.ts';

type Db = Kysely<Database>;

export { listForUser as myApplications } from './application.repository.ts';

/** A student (or educator, for more subjects) asks to be verified to answer in some subjects. */
export async function applyToTeach(
  db: Db,
  viewer: Viewer,
  input: { subjects: readonly string[]; qualifications: string; statement: string },
  clock: Clock,
): Promise<{ kind: 'ok' } | { kind: 'forbidden' } | { kind: 'invalid'; issues: FieldIssue[] }> {
  if (!canApplyToTeach(viewer)) return { kind: 'forbidden' };
  const issues: FieldIssue[] = [];
  const qualifications = input.qualifications.trim();
  const statement = input.statement.trim();
  const subjects = await findSubjectsBySlugs(db, [...new Set(input.subjects)].slice(0, ACCOUNT_LIMITS.subjects));
  const taken = await repo.subjectsTaken(db, viewer.userId);
  const fresh = subjects.filter((s) => !taken.has(s.id));
  if (subjects.length === 0) issues.push({ field: 'subjects', message: 'Choose at least one subject.' });
  else if (fresh.length === 0) issues.push({ field: 'subjects', message: 'You already applied for, or teach, every subject you chose.' });
  if (qualifications.length < 10 || qualifications.length > ACCOUNT_LIMITS.qualifications)
    issues.push({
      field: 'qualifications',
      message: `Describe your qualifications in 10 to ${ACCOUNT_LIMITS.qualifications.toLocaleString('en')} characters.`,
    });
  if (statement.length < 30 || statement.length > ACCOUNT_LIMITS.statement)
    issues.push({
      field: 'statement',
      message: `Write 30 to ${ACCOUNT_LIMITS.statement.toLocaleString('en')} characters about why you want to answer questions.`,
    });
  if (issues.length > 0) return { kind: 'invalid', issues };
  await repo.insertApplications(db, {
    userId: viewer.userId,
    subjectIds: fresh.map((s) => s.id),
    qualifications,
    statement,
    now: isoNow(clock),
  });
  return { kind: 'ok' };
}

export function pendingApplications(db: Db, actor: Actor | null) {
  return canReviewApplications(actor) ? repo.listPending(db, 100) : null;
}

/**
 * Approves or declines one subject of an application. Approval verifies the person for that subject and makes a
 * student an educator (ending their sessions, so the new role comes with a new session). They are told by mail.
 */
export async function decideApplication(
  db: Db,
  mailer: Mailer,
  site: { name: string; url: string },
  actor: Actor | null,
  id: number,
  approve: boolean,
  note: string,
  clock: Clock,
): Promise<'ok' | 'forbidden' | 'not_found' | 'already'> {
  if (!actor || !canReviewApplications(actor)) return 'forbidden';
  const app = await repo.findApplication(db, id);
  if (!app) return 'not_found';
  const now = isoNow(clock);
  const done = await db.transaction().execute(async (trx) => {
    if (!(await repo.decide(trx, id, approve ? 'approved' : 'declined', actor.userId, now, note.trim() || null))) return false;
    if (approve) {
      await users.addEducatorSubjects(trx, app.userId, [app.subjectId], now);
      const state = await users.findUserState(trx, app.userId);
      if (state?.role === 'student') {
        await users.setRole(trx, app.userId, 'educator');
        await sessions.deleteSessionsOfUser(trx, app.userId);
      }
    }
    return true;
  });
  if (!done) return 'already';
  await mailer.send(applicationDecidedMail(site.name, app.userEmail, app.subjectName, approve, note.trim(), `${site.url}/login`));
  return 'ok';
}
