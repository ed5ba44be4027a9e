import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../src/modules/accounts/index.ts';
import { type Actor, mayAct, mayAnswer, mayAsk, mayReview, TRANSITIONS } from '../src/modules/asking/lifecycle.ts';
import { readOutbox } from '../src/modules/mail/index.ts';
import { grantComplimentary } from '../src/modules/membership/membership.service.ts';
import { buildTestApp, type TestApp } from './helpers/app.ts';
import { engines } from './helpers/databases.ts';
import { makeQuestion } from './helpers/factories.ts';
import { Client, TestClock } from './helpers/http.ts';

const PW = 'asking test password';

const ANSWER = [
  'The Great Fire of London began in a bakery on Pudding Lane in September 1666 and burned for four days.',
  'Dry weather, a strong east wind and closely packed timber houses let the flames spread quickly from street to street.',
  'The Lord Mayor hesitated to pull down houses to make firebreaks, and by the time he acted the fire was too large.',
  'Most of the medieval City was destroyed, including St Paul’s Cathedral and thousands of homes, though few deaths were recorded.',
  'Afterwards the city was rebuilt in brick and stone, and Christopher Wren designed the new St Paul’s and many parish churches.',
].join(' ');

describe('who may do what with a question (role × action)', () => {
  const q = { status: 'queued' as const, claimedBy: null, claimExpiresAt: null, subjectId: 1 };
  const actors: Record<string, Actor | null> = {
    visitor: null,
    student: { userId: 1, role: 'student', subjectIds: [], member: true },
    'educator in the subject': { userId: 2, role: 'educator', subjectIds: [1], member: false },
    'educator elsewhere': { userId: 3, role: 'educator', subjectIds: [2], member: false },
    editor: { userId: 4, role: 'editor', subjectIds: [], member: false },
    admin: { userId: 5, role: 'admin', subjectIds: [], member: false },
  };
  const expected: Record<string, string[]> = {
    visitor: [],
    student: [],
    'educator in the subject': ['claim'],
    'educator elsewhere': [],
    editor: ['approve', 'return', 'close_duplicate', 'reject', 'hide', 'restore'],
    admin: ['approve', 'return', 'close_duplicate', 'reject', 'hide', 'restore'],
  };
  it.each(Object.keys(actors))('%s', (who) => {
    const allowed = (Object.keys(TRANSITIONS) as Array<keyof typeof TRANSITIONS>).filter((a) => mayAct(actors[who] ?? null, a, q, 0));
    expect(allowed).toEqual(expected[who]);
  });
  it('asking, answering and reviewing by role', () => {
    expect(mayAsk(null)).toBe(false);
    expect(mayAsk({ role: 'student', member: false })).toBe(false);
    expect(mayAsk({ role: 'student', member: true })).toBe(true);
    expect(mayAsk({ role: 'editor', member: false })).toBe(true);
    expect(mayAnswer({ role: 'student' })).toBe(false);
    expect(mayAnswer({ role: 'educator' })).toBe(true);
    expect(mayReview({ role: 'educator' })).toBe(false);
    expect(mayReview({ role: 'editor' })).toBe(true);
  });
});

describe.each(engines)('asking and answering on %s', (engine) => {
  let t: TestApp;
  const clock = new TestClock();
  let n = 0;
  let original: number;
  const login = async (email: string) => {
    const c = new Client(t.app, `100.84.${Math.floor(++n / 200)}.${n % 200}`);
    const res = await c.submit('/login', '/login', { email, password: PW });
    expect(res.statusCode, res.body.slice(0, 300)).toBe(303);
    return c;
  };
  const member = async (email: string, name: string) => {
    const u = await createUser(t.database.db, { email, name, password: PW });
    await grantComplimentary(t.database.db, u.id, '2027-12-31', clock);
    return { id: u.id, c: await login(email) };
  };
  const ask = async (c: Client, title: string, subject = 'history') => {
    const res = await c.submit('/ask', '/ask', {
      title,
      details: 'We read about it in class.',
      subject,
      topics: 'fires, London',
      step: 'post',
    });
    expect(res.statusCode, res.body.slice(0, 500)).toBe(303);
    const id = await t.database.db.selectFrom('questions').select('id').where('title', '=', title).executeTakeFirstOrThrow();
    return id.id;
  };
  const editorForm = (body = ANSWER, quickAnswer = '') => ({
    body,
    quickAnswer,
    sources: 'Samuel Pepys, Diary (1666)\nMuseum of London | https://www.museumoflondon.org.uk/',
  });

  beforeAll(async () => {
    t = await buildTestApp(engine, { clock, config: { questionsPerMonth: 3, answerTargetHours: 24 } });
    original = await makeQuestion(t.database.db, { subject: 'History', title: 'What caused the Great Fire of London in 1666?' });
    await makeQuestion(t.database.db, { subject: 'Science', title: 'Why is the sky blue on a clear day?' });
    await createUser(t.database.db, {
      email: 'ed@example.org',
      name: 'Edna Educator',
      password: PW,
      role: 'educator',
      subjects: ['history'],
    });
    await createUser(t.database.db, {
      email: 'eli@example.org',
      name: 'Eli Educator',
      password: PW,
      role: 'educator',
      subjects: ['history'],
    });
    await createUser(t.database.db, {
      email: 'sci@example.org',
      name: 'Sci Educator',
      password: PW,
      role: 'educator',
      subjects: ['science'],
    });
    await createUser(t.database.db, { email: 'editor@example.org', name: 'Edie Editor', password: PW, role: 'editor' });
    await createUser(t.database.db, { email: 'plain@example.org', name: 'Plain Student', password: PW });
  });
  afterAll(async () => {
    await t.close();
  });

  it('shows visitors and non-members why they cannot ask', async () => {
    const visitor = await new Client(t.app).get('/ask');
    expect(visitor.body).toContain('Log in');
    expect(visitor.body).not.toContain('name="title"');
    const plain = await login('plain@example.org');
    const page = await plain.get('/ask');
    expect(page.body).toContain('Asking is for members');
    expect(page.body).toContain('Start your free trial');
    // Posting anyway (with a token from another page) is refused on the server.
    const posted = await plain.submit('/account', '/ask', { title: 'Can I ask without being a member?', subject: 'history', step: 'post' });
    expect(posted.statusCode).toBe(403);
  });

  it('keeps what the student typed through a failed check, a confirm step and an expired session', async () => {
    const s = await member('asker1@example.org', 'Asha Asker');
    const page = await s.c.get('/ask');
    expect(page.body).toContain('You have asked 0 of your 3 questions this month');
    const bad = await s.c.submit('/ask', '/ask', { title: 'Fire?', details: 'Some **details** I typed', subject: '', topics: 'fires' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('10 to 200 characters');
    expect(bad.body).toContain('Choose the subject');
    expect(bad.body).toContain('Some **details** I typed');
    // Without JavaScript, similar answered questions come on a confirm step before anything is posted.
    const confirm = await s.c.submit('/ask', '/ask', {
      title: 'How did the Great Fire of London start?',
      details: '',
      subject: 'history',
      topics: '',
    });
    expect(confirm.body).toContain('Is it already answered?');
    expect(confirm.body).toContain('What caused the Great Fire of London in 1666?');
    expect(confirm.body).toContain('Post my question');
    const similar = await s.c.get(`/ask/similar?q=${encodeURIComponent('great fire london')}`);
    expect(similar.json().results[0].path).toBe(`/q/${original}/what-caused-the-great-fire-of-london-in-1666`);
    // The session ends while they type; what they sent comes back after signing in.
    const stale = new Client(t.app, '100.84.9.9');
    const kept = await stale.post('/ask', {
      title: 'Who rebuilt the city after the Great Fire?',
      details: 'I typed this carefully.',
      subject: 'history',
      topics: '',
    });
    expect(kept.headers.location).toBe('/login?next=%2Fask');
    await stale.submit('/login', '/login', { email: 'asker1@example.org', password: PW });
    const back = await stale.get('/ask');
    expect(back.body).toContain('here is what you typed');
    expect(back.body).toContain('Who rebuilt the city after the Great Fire?');
    expect(back.body).toContain('I typed this carefully.');
    // Only once.
    expect((await stale.get('/ask')).body).not.toContain('I typed this carefully.');
    // A NUL in what is sent never reaches the database (PostgreSQL would refuse it).
    const nul = await s.c.submit('/ask', '/ask', {
      title: 'Why\u0000 did the Great Fire spread so far east?',
      subject: 'history',
      step: 'post',
    });
    expect(nul.statusCode).toBe(303);
  });

  it('counts the monthly allowance and gives a rejected question back', async () => {
    const s = await member('asker2@example.org', 'Allie Allowance');
    await ask(s.c, 'First question about the medieval guilds of London?');
    await ask(s.c, 'Second question about the medieval guilds of London?');
    const third = await ask(s.c, 'Third question about the medieval guilds of London?');
    const refused = await s.c.submit('/ask', '/ask', {
      title: 'Fourth question about the guilds of London?',
      subject: 'history',
      step: 'post',
    });
    expect(refused.statusCode).toBe(429);
    expect(refused.body).toContain('all 3 questions of this month');
    expect(refused.body).toContain('Fourth question about the guilds of London?');
    const editor = await login('editor@example.org');
    const rejected = await editor.follow(
      await editor.submit(`/editor/q/${third}`, `/editor/q/${third}/reject`, { reason: 'Please ask one thing at a time' }),
    );
    expect(rejected.body).toContain('Rejected');
    expect((await s.c.get('/ask')).body).toContain('You have asked 2 of your 3 questions this month');
    const mine = await s.c.get('/account/questions');
    expect(mine.body).toContain('Not accepted');
    expect(mine.body).toContain('Please ask one thing at a time.');
    expect(mine.body).toContain('Waiting for an educator');
  });

  it('takes a question from ask to published: claim, drafted quick answer, review, notice in the site and by email', async () => {
    const s = await member('asker3@example.org', 'Sam Student');
    const id = await ask(s.c, 'Why did the Great Fire of London spread so fast?');
    // In UTC on the server, inside a <time> that public/time.js says again in the reader's zone.
    expect((await s.c.get('/account/questions')).body).toMatch(
      /Expected by <time datetime="2026-11-27T12:00:00.000Z"[^>]*>November 27, 2026, 12:00 UTC<\/time>/,
    );
    const ed = await login('ed@example.org');
    const queue = await ed.get('/educator');
    expect(queue.body).toContain('Why did the Great Fire of London spread so fast?');
    // An educator of another subject does not see it.
    expect((await (await login('sci@example.org')).get('/educator')).body).not.toContain('spread so fast');
    expect((await ed.submit('/educator', `/educator/q/${id}/claim`, {})).headers.location).toBe(`/educator/q/${id}`);
    expect((await s.c.get('/notifications')).body).toContain('An educator is answering your question');
    const preview = await ed.submit(`/educator/q/${id}`, `/educator/q/${id}`, { ...editorForm(), intent: 'preview' });
    expect(preview.body).toContain('Drafted from your answer:');
    expect(preview.body).toMatch(/readability: .*Flesch–Kincaid grade/);
    const saved = await ed.follow(await ed.submit(`/educator/q/${id}`, `/educator/q/${id}`, { ...editorForm(), intent: 'save' }));
    expect(saved.body).toContain('The quick answer was drafted from your answer');
    const draftedQuick = /<textarea[^>]*name="quickAnswer"[^>]*>([^<]*)<\/textarea>/.exec(saved.body)?.[1] ?? '';
    expect(draftedQuick.length).toBeGreaterThan(40);
    expect(ANSWER).toContain(
      draftedQuick
        .split('. ')[0]
        ?.replace(/&#x27;|&#39;/g, "'")
        .slice(0, 40) ?? 'x',
    );
    const submitted = await ed.follow(
      await ed.submit(`/educator/q/${id}`, `/educator/q/${id}`, { ...editorForm(ANSWER, draftedQuick), intent: 'submit' }),
    );
    expect(submitted.body).toContain('Sent for editorial review');
    // Not public until approved.
    expect((await new Client(t.app).get(`/q/${id}`)).statusCode).toBe(404);
    const editor = await login('editor@example.org');
    expect((await editor.get('/editor')).body).toContain('spread so fast');
    const approving = await editor.submit(`/editor/q/${id}`, `/editor/q/${id}/approve`, {
      ...editorForm(ANSWER, draftedQuick),
      intent: 'approve',
    });
    // Post/redirect/get: the review queue shows the result.
    expect(approving.statusCode).toBe(303);
    expect(approving.headers.location).toBe('/editor');
    const approved = await editor.follow(approving);
    expect(approved.body).toContain('Approved and published');
    const page = await s.c.get(`/q/${id}/why-did-the-great-fire-of-london-spread-so-fast`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Approved by Scholia Editorial');
    expect(page.body).toContain('Christopher Wren designed');
    expect(page.body).toMatch(/class="badge">2<span class="visually-hidden"> unread/);
    // The bell is drawn as SVG in the text colour, not an emoji a system may lack.
    expect(page.body).toMatch(/<a href="\/notifications" class="bell"><svg class="icon"[^>]*aria-hidden="true"/);
    expect(page.body).not.toContain('🔔');
    const notices = await s.c.get('/notifications');
    expect(notices.body).toContain('has an expert answer');
    await s.c.submit('/notifications', '/notifications/read', {});
    expect((await s.c.get('/notifications')).body).not.toContain('class="badge">New');
    const mails = await readOutbox(t.database.db, { to: 'asker3@example.org', limit: 10 });
    expect(mails.map((m) => m.subject)).toEqual(
      expect.arrayContaining([expect.stringContaining('has an expert answer'), expect.stringContaining('An educator is answering')]),
    );
    // Mail never carries the answer itself.
    for (const m of mails) expect(m.text).not.toContain('Christopher Wren');
  });

  it('lets one of two simultaneous claims win and tells the other', async () => {
    const s = await member('asker4@example.org', 'Cleo Claimed');
    const id = await ask(s.c, 'What did Samuel Pepys bury during the fire?');
    const [a, b] = [await login('ed@example.org'), await login('eli@example.org')];
    const tokenA = /name="_csrf" value="([^"]+)"/.exec((await a.get('/educator')).body)?.[1] as string;
    const tokenB = /name="_csrf" value="([^"]+)"/.exec((await b.get('/educator')).body)?.[1] as string;
    const results = await Promise.all([
      a.post(`/educator/q/${id}/claim`, { _csrf: tokenA }),
      b.post(`/educator/q/${id}/claim`, { _csrf: tokenB }),
    ]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([303, 409]);
    expect(results.find((r) => r.statusCode === 409)?.body).toContain('Another educator claimed this question a moment ago');
  });

  it('frees a lapsed claim for others, and the late educator keeps their text', async () => {
    const s = await member('asker5@example.org', 'Lara Lapse');
    const id = await ask(s.c, 'Where did the Great Fire of London finally stop?');
    const ed = await login('ed@example.org');
    const eli = await login('eli@example.org');
    await ed.submit('/educator', `/educator/q/${id}/claim`, {});
    const page = await ed.get(`/educator/q/${id}`);
    expect((await eli.get('/educator')).body).toContain('Another educator is answering');
    // The editor's island renews the claim while she types.
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] as string;
    clock.advance(20 * 60_000);
    expect((await ed.post(`/educator/q/${id}/renew`, { _csrf: csrf })).statusCode).toBe(204);
    clock.advance(29 * 60_000);
    expect((await eli.submit('/educator', `/educator/q/${id}/claim`, {})).statusCode).toBe(409);
    clock.advance(2 * 60_000);
    expect((await eli.submit('/educator', `/educator/q/${id}/claim`, {})).statusCode).toBe(303);
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] as string;
    const late = await ed.post(`/educator/q/${id}`, { _csrf: token, ...editorForm(), intent: 'save' });
    expect(late.statusCode).toBe(409);
    expect(late.body).toContain('not yours to answer now');
    expect(late.body).toContain('Christopher Wren designed the new St Paul');
    expect((await ed.post(`/educator/q/${id}/renew`, { _csrf: csrf })).statusCode).toBe(409);
  });

  it('shows an educator nothing of a question outside their subjects: the plain 404 for the editor, claim, release and renew', async () => {
    const s = await member('asker9@example.org', 'Otto Outside');
    const title = 'Which street did the Great Fire of London reach last?';
    const id = await ask(s.c, title);
    const sci = await login('sci@example.org');
    // A good token (any page's form has one), so nothing below is refused for an expired form.
    const tokenOf = async (c: Client) => /name="_csrf" value="([^"]+)"/.exec((await c.get('/account')).body)?.[1] as string;
    const token = await tokenOf(sci);
    expect(token).toBeTruthy();
    // What a question that does not exist looks like: the out-of-subject one must look the same.
    const missing = await sci.get('/educator/q/987654321');
    expect(missing.statusCode).toBe(404);
    const status = async () =>
      (await t.database.db.selectFrom('questions').select(['status', 'claimed_by']).where('id', '=', id).executeTakeFirstOrThrow()).status;
    const tried = async () => ({
      'GET the editor': await sci.get(`/educator/q/${id}`),
      'POST an answer': await sci.post(`/educator/q/${id}`, { _csrf: token, ...editorForm(), intent: 'save' }),
      'POST a preview': await sci.post(`/educator/q/${id}`, { _csrf: token, ...editorForm(), intent: 'preview' }),
      'POST with an expired form': await sci.post(`/educator/q/${id}`, { _csrf: 'expired', ...editorForm(), intent: 'save' }),
      'POST a submit': await sci.post(`/educator/q/${id}`, { _csrf: token, ...editorForm(), intent: 'submit' }),
      claim: await sci.post(`/educator/q/${id}/claim`, { _csrf: token }),
      release: await sci.post(`/educator/q/${id}/release`, { _csrf: token }),
    });
    const withoutTokens = (html: string) => html.replace(/name="_csrf" value="[^"]*"/g, 'name="_csrf" value=""');
    const check = async (state: string) => {
      const answers = await tried();
      expect(Object.fromEntries(Object.entries(answers).map(([what, res]) => [what, res.statusCode])), state).toEqual(
        Object.fromEntries(Object.keys(answers).map((what) => [what, 404])),
      );
      for (const [what, res] of Object.entries(answers)) {
        // Nothing of the question: not its title, details or subject; the page is the one a missing question gets.
        expect(res.body, `${state}: ${what}`).not.toContain('Great Fire of London reach last');
        expect(res.body, `${state}: ${what}`).not.toContain('We read about it in class.');
        expect(res.body, `${state}: ${what}`).not.toContain('History');
        // Byte for byte, but for the header's Log out token, which is new on every page (a random salt).
        expect(withoutTokens(res.body), `${state}: ${what}`).toBe(withoutTokens(missing.body));
      }
      const renewed = await sci.post(`/educator/q/${id}/renew`, { _csrf: token });
      expect(renewed.statusCode, state).toBe(404);
      expect(renewed.json(), state).toEqual({ error: 'not_found' });
    };
    await check('queued');
    expect(await status()).toBe('queued');
    // Claimed by an educator of the subject, it is no more visible from outside it, and stays hers.
    const ed = await login('ed@example.org');
    expect((await ed.submit('/educator', `/educator/q/${id}/claim`, {})).statusCode).toBe(303);
    await check('claimed');
    expect(await status()).toBe('claimed');
    expect((await ed.get(`/educator/q/${id}`)).body).toContain(title);
    // An editor may review any subject (on /editor) but answers only the subjects they are verified for.
    const editor = await login('editor@example.org');
    const asEditor = await editor.post(`/educator/q/${id}`, { _csrf: await tokenOf(editor), ...editorForm(), intent: 'save' });
    expect(asEditor.statusCode).toBe(404);
    expect(asEditor.body).not.toContain('Great Fire of London reach last');
    expect((await editor.get(`/editor/q/${id}`)).body).toContain(title);
  });

  it('returns an answer with a comment, closes duplicates and refuses illegal moves', async () => {
    const s = await member('asker6@example.org', 'Rita Return');
    const id = await ask(s.c, 'Which parish churches did Christopher Wren rebuild?');
    const dup = await ask(s.c, 'What exactly caused the Great Fire of London?');
    const ed = await login('ed@example.org');
    const editor = await login('editor@example.org');
    // Approving a question nobody answered is not a move the lifecycle has.
    const illegal = await editor.submit(`/editor/q/${id}`, `/editor/q/${id}/approve`, { ...editorForm(), intent: 'approve' });
    expect(illegal.statusCode).toBe(409);
    expect((await new Client(t.app).get(`/q/${id}`)).statusCode).toBe(404);
    await ed.submit('/educator', `/educator/q/${id}/claim`, {});
    await ed.submit(`/educator/q/${id}`, `/educator/q/${id}`, { ...editorForm(), intent: 'submit' });
    const returned = await editor.follow(
      await editor.submit(`/editor/q/${id}`, `/editor/q/${id}/return`, { comment: 'Please name three of the churches.' }),
    );
    expect(returned.body).toContain('Returned to the educator');
    expect((await ed.get('/notifications')).body).toContain('returned your answer');
    const again = await ed.get(`/educator/q/${id}`);
    expect(again.body).toContain('Please name three of the churches.');
    const closed = await editor.follow(
      await editor.submit(`/editor/q/${dup}`, `/editor/q/${dup}/close`, { duplicate: `http://scholia.test/q/${original}/x` }),
    );
    expect(closed.body).toContain('Closed as a duplicate');
    const notices = await s.c.get('/notifications');
    expect(notices.body).toContain(`/q/${original}/what-caused-the-great-fire-of-london-in-1666`);
    const badDup = await editor.submit(`/editor/q/${id}`, `/editor/q/${id}/close`, { duplicate: 'not a question' });
    expect(badDup.statusCode).toBe(400);
    expect(badDup.body).toContain('not a question');
  });

  it('gives the allowance back when the answer target passes, and says so', async () => {
    const s = await member('asker7@example.org', 'Olly Overdue');
    await ask(s.c, 'How long did it take to rebuild St Paul’s Cathedral?');
    const { returnOverdueAllowances } = await import('../src/modules/asking/asking.service.ts');
    const deps = {
      db: t.database.db,
      clock,
      mailer: { kind: 'outbox' as const, send: async () => {} },
      site: { name: 'Scholia', url: 'http://scholia.test' },
      questionsPerMonth: 3,
      answerTargetHours: 24,
    };
    expect(await returnOverdueAllowances(deps)).toBe(0);
    expect((await s.c.get('/ask')).body).toContain('You have asked 1 of your 3');
    clock.advance(24 * 3600_000);
    expect(await returnOverdueAllowances(deps)).toBeGreaterThan(0);
    expect(await returnOverdueAllowances(deps)).toBe(0);
    const s2 = await login('asker7@example.org');
    expect((await s2.get('/ask')).body).toContain('You have asked 0 of your 3');
    expect((await s2.get('/notifications')).body).toContain('no longer counts against your monthly allowance');
    expect((await s2.get('/account/questions')).body).toContain('Taking longer than expected');
    clock.advance(-24 * 3600_000);
  });

  it('lets anyone signed in report, and editors hide and restore the page', async () => {
    const reporter = await login('plain@example.org');
    const url = `/q/${original}/what-caused-the-great-fire-of-london-in-1666`;
    const empty = await reporter.submit(`/report?question=${original}`, '/report', {
      question: String(original),
      target: 'answer',
      reason: '',
    });
    expect(empty.statusCode).toBe(400);
    // The page says what is being reported, in a sentence.
    expect(empty.body).toMatch(/<p>About the question <a href="\/q\/\d+\/what-caused-the-great-fire-of-london-in-1666">/);
    const filed = await reporter.submit(`/report?question=${original}`, '/report', {
      question: String(original),
      target: 'answer',
      reason: 'It copies a textbook word for word.',
    });
    expect(filed.body).toContain('A moderator will look at your report');
    const ed = await login('ed@example.org');
    expect((await ed.get('/editor/reports')).statusCode).toBe(403);
    const editor = await login('editor@example.org');
    const list = await editor.get('/editor/reports');
    expect(list.body).toContain('It copies a textbook word for word.');
    const reportId = /\/editor\/reports\/(\d+)\/hide/.exec(list.body)?.[1] as string;
    await new Client(t.app).get(url);
    expect((await editor.submit('/editor/reports', `/editor/reports/${reportId}/hide`, {})).body).toContain('Hidden');
    expect((await new Client(t.app).get(url)).statusCode).toBe(404);
    expect((await editor.submit('/editor/reports', `/editor/reports/${reportId}/restore`, {})).body).toContain('Restored');
    expect((await new Client(t.app).get(url)).statusCode).toBe(200);
  });

  it('keeps roles on the server: students cannot reach the queue or review', async () => {
    const student = await login('plain@example.org');
    expect((await student.get('/educator')).statusCode).toBe(403);
    expect((await student.get('/editor')).statusCode).toBe(403);
    const ed = await login('ed@example.org');
    expect((await ed.get('/editor')).statusCode).toBe(403);
    expect((await new Client(t.app).get('/educator')).headers.location).toBe('/login?next=%2Feducator');
  });

  it('sends no notification mail to someone who turned it off', async () => {
    const s = await member('quiet@example.org', 'Quinn Quiet');
    const account = await s.c.get('/account');
    expect(account.body).toContain('Turn email off');
    await s.c.submit('/account', '/account/notifications', { email: 'off' });
    expect((await s.c.get('/account')).body).toContain('Turn email on');
    const id = await ask(s.c, 'Did anyone die in the Great Fire of London?');
    await (await login('ed@example.org')).submit('/educator', `/educator/q/${id}/claim`, {});
    expect((await s.c.get('/notifications')).body).toContain('An educator is answering');
    expect(await readOutbox(t.database.db, { to: 'quiet@example.org', limit: 10 })).toHaveLength(0);
  });
});
