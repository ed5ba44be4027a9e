import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, listEducatorSubjectSlugs } from '../src/modules/accounts/index.ts';
import { ensureStandardSubjects } from '../src/modules/subjects/index.ts';
import { buildTestApp, type TestApp } from './helpers/app.ts';
import { engines } from './helpers/databases.ts';
import { Client } from './helpers/http.ts';

const PW = 'applications password';
const STATEMENT = 'I have taught history for ten years and love explaining causes and consequences.';

describe.each(engines)('educator applications on %s', (engine) => {
  let t: TestApp;
  let n = 0;
  const signedIn = async (email: string) => {
    const c = new Client(t.app, `100.70.0.${++n}`);
    expect((await c.submit('/login', '/login', { email, password: PW })).statusCode).toBe(303);
    return c;
  };

  beforeAll(async () => {
    t = await buildTestApp(engine);
    await ensureStandardSubjects(t.database.db);
    await createUser(t.database.db, { email: 'editor@example.org', name: 'Eddie Editor', role: 'editor', password: PW });
  });
  afterAll(async () => {
    await t.close();
  });

  it('a student applies; an editor approves one subject and declines another; the student becomes an educator', async () => {
    const student = await createUser(t.database.db, { email: 'hopeful@example.org', name: 'Hope Ful', password: PW });
    const s = await signedIn('hopeful@example.org');
    const bad = await s.submit('/apply', '/apply', { qualifications: 'short', statement: STATEMENT });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Choose at least one subject.');
    expect(bad.body).toContain(STATEMENT);
    const form = await s.get('/apply');
    const token = /name="_csrf" value="([^"]+)"/.exec(form.body)?.[1] as string;
    const sent = await s.post('/apply', {
      _csrf: token,
      subjects: 'history',
      qualifications: 'MA in History, 10 years teaching',
      statement: STATEMENT,
    });
    // Post/redirect/get: the application page says it was sent.
    expect(sent.statusCode).toBe(303);
    expect((await s.follow(sent)).body).toContain('An editor will review your application');
    // A second subject in a separate application.
    await s.submit('/apply', '/apply', { subjects: 'math', qualifications: 'Some calculus courses at college', statement: STATEMENT });
    expect((await s.get('/apply')).body).toMatch(/History: pending.*Math: pending|Math: pending.*History: pending/s);

    const editor = await signedIn('editor@example.org');
    const queue = await editor.get('/editor/applications');
    expect(queue.statusCode).toBe(200);
    const ids = [...queue.body.matchAll(/action="\/editor\/applications\/(\d+)"/g)].map((m) => m[1]);
    expect(ids).toHaveLength(2);
    const historyId = /action="\/editor\/applications\/(\d+)"(?:(?!<\/article>).)*Approve for History/s.exec(queue.body)?.[1];
    const mathId = ids.find((id) => id !== historyId);
    expect(
      (await editor.follow(await editor.submit('/account', `/editor/applications/${historyId}`, { decision: 'approve', note: 'Welcome!' })))
        .body,
    ).toContain('Approved.');
    expect(
      (
        await editor.follow(
          await editor.submit('/account', `/editor/applications/${mathId}`, { decision: 'decline', note: 'More maths please' }),
        )
      ).body,
    ).toContain('Declined.');
    expect(
      (await editor.follow(await editor.submit('/account', `/editor/applications/${historyId}`, { decision: 'decline' }))).body,
    ).toContain('decided that one already');

    const row = await t.database.db.selectFrom('users').select('role').where('id', '=', student.id).executeTakeFirstOrThrow();
    expect(row.role).toBe('educator');
    expect(await listEducatorSubjectSlugs(t.database.db, student.id)).toEqual(['history']);
    // The role changed, so the old session ended.
    expect((await s.get('/')).body).toContain('href="/login"');
    const outbox = await t.database.db
      .selectFrom('outbox')
      .select(['subject', 'text_body'])
      .where('to_address', '=', 'hopeful@example.org')
      .orderBy('id')
      .execute();
    expect(outbox.map((m) => m.subject)).toEqual(['You can now answer History questions on Scholia', 'Your Scholia application for Math']);
    expect(outbox[1]?.text_body).toContain('More maths please');
  });

  it('lets only editors and admins review', async () => {
    await createUser(t.database.db, { email: 'nosy-student@example.org', name: 'Nosy', password: PW });
    const s = await signedIn('nosy-student@example.org');
    expect((await s.get('/editor/applications')).statusCode).toBe(403);
    expect((await s.submit('/apply', '/editor/applications/1', { decision: 'approve' })).statusCode).toBe(403);
    expect((await new Client(t.app).get('/editor/applications')).statusCode).toBe(303);
  });
});
