import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../src/modules/accounts/index.ts';
import { FIGURES_KEPT_MS, medianHours } from '../src/modules/home/home.service.ts';
import { formatWait } from '../src/modules/home/home-page.tsx';
import { grantComplimentary } from '../src/modules/membership/index.ts';
import { buildTestApp, type TestApp } from './helpers/app.ts';
import { engines } from './helpers/databases.ts';
import { makeEducator, makeQuestion } from './helpers/factories.ts';
import { Client, TestClock } from './helpers/http.ts';

const PW = 'home page test password';

/** The figure shown under a label on the home page ("Questions answered" -> "3"), or undefined when left out. */
function figure(html: string, label: string): string | undefined {
  return new RegExp(`<dt>${label}</dt><dd>([^<]*)</dd>`).exec(html)?.[1];
}

describe.each(engines)('the home page on %s', (engine) => {
  let t: TestApp;
  const clock = new TestClock();
  let n = 0;
  const get = (url: string) => t.app.inject({ method: 'GET', url });
  const signedIn = async (email: string) => {
    const c = new Client(t.app, `192.0.2.${++n}`);
    expect((await c.submit('/login', '/login', { email, password: PW })).statusCode).toBe(303);
    return c;
  };

  beforeAll(async () => {
    t = await buildTestApp(engine, { clock });
    const db = t.database.db;
    const educator = await makeEducator(db, { name: 'Dr. Ada Lind' });
    // Imported questions (no asker): answered, but they say nothing about how fast askers get answers.
    await makeQuestion(db, { subject: 'History', title: 'Why did the Roman Republic fall?', educatorId: educator.id });
    await makeQuestion(db, { subject: 'History', title: 'What started the Thirty Years War?', educatorId: educator.id });
    const hidden = await makeQuestion(db, { subject: 'Math', title: 'A question a moderator took down?', educatorId: educator.id });
    await db.updateTable('questions').set({ status: 'hidden' }).where('id', '=', hidden).execute();
    const suspended = await makeEducator(db, { name: 'Suspended Sam' });
    await db.updateTable('users').set({ suspended_at: clock.now().toISOString() }).where('id', '=', suspended.id).execute();
    await createUser(db, { email: 'student@example.org', name: 'Sol Student', role: 'student', password: PW });
    const member = await createUser(db, { email: 'member@example.org', name: 'Mo Member', role: 'student', password: PW });
    expect(await grantComplimentary(db, member.id, '2027-06-30', clock)).toBeNull();
  });
  afterAll(async () => {
    await t.close();
  });

  it('shows what the database holds: published questions, active educators, subjects with their counts', async () => {
    const res = await get('/');
    expect(res.statusCode).toBe(200);
    // Two published (the hidden one is not); one educator (the suspended one is not counted).
    expect(figure(res.body, 'Questions answered')).toBe('2');
    expect(figure(res.body, 'Verified educators')).toBe('1');
    expect(res.body).toMatch(/<strong>History<\/strong>.*?<span>2 answered questions<\/span>/s);
    expect(res.body).toContain('Why did the Roman Republic fall?');
    // Nobody has asked a question here yet: no answer time is made up.
    expect(figure(res.body, 'Median answer time')).toBeUndefined();
    expect(res.body).not.toContain('Median answer time');
  });

  it('works out the median answer time from questions asked here, and keeps the figures a minute', async () => {
    const db = t.database.db;
    const student = await db.selectFrom('users').select('id').where('email', '=', 'student@example.org').executeTakeFirstOrThrow();
    const asked = Date.parse('2026-11-20T08:00:00.000Z');
    for (const [i, hours] of [2, 6, 30].entries()) {
      const id = await makeQuestion(db, {
        subject: 'Math',
        title: `Asked question number ${i} about fractions?`,
        publishedAt: new Date(asked + hours * 3600_000).toISOString(),
      });
      await db
        .updateTable('questions')
        .set({ asker_id: student.id, created_at: new Date(asked).toISOString() })
        .where('id', '=', id)
        .execute();
    }
    // Still the figures read a moment ago.
    expect(figure((await get('/')).body, 'Questions answered')).toBe('2');
    clock.advance(FIGURES_KEPT_MS + 1000);
    const res = await get('/');
    expect(figure(res.body, 'Questions answered')).toBe('5');
    expect(figure(res.body, 'Median answer time')).toBe('6 hours');
    // The newest answered questions are listed whatever the figures' age.
    expect(res.body).toContain('Asked question number 2 about fractions?');
  });

  it('leads each reader to asking as they may: visitors to sign up for the trial, students to the trial, members to the form', async () => {
    const ask = (html: string) => /<a class="button secondary" href="([^"]+)">Ask an educator<\/a>/.exec(html)?.[1]?.replace(/&amp;/g, '&');
    const visitor = await get('/');
    expect(ask(visitor.body)).toBe(`/signup?next=${encodeURIComponent(`/membership?start=trial&back=${encodeURIComponent('/ask')}`)}`);
    expect(visitor.body).toContain('Start your free trial to ask.');
    expect(visitor.body).toContain('Members ask up to 20 questions a month');
    // The search box is still the first thing on the page.
    expect(visitor.body).toMatch(/<form class="search-form" action="\/search" method="get"/);

    const student = await signedIn('student@example.org');
    expect(ask((await student.get('/')).body)).toBe(`/membership?start=trial&back=${encodeURIComponent('/ask')}`);
    const member = await signedIn('member@example.org');
    const page = await member.get('/');
    expect(ask(page.body)).toBe('/ask');
    expect(page.body).not.toContain('Start your free trial to ask.');
  });

  it('says a wait as people say it and takes the lower middle of an even count', () => {
    expect(formatWait(0.25)).toBe('15 minutes');
    expect(formatWait(1)).toBe('1 hour');
    expect(formatWait(5.6)).toBe('6 hours');
    expect(formatWait(72)).toBe('3 days');
    const at = (h: number) => ({
      askedAt: '2026-01-01T00:00:00.000Z',
      publishedAt: new Date(Date.parse('2026-01-01T00:00:00.000Z') + h * 3600_000).toISOString(),
    });
    expect(medianHours([])).toBeNull();
    expect(medianHours([at(4), at(1), at(9), at(2)])).toBe(2);
  });
});
