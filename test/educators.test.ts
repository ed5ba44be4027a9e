import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../src/modules/accounts/index.ts';
import { ensureSubject } from '../src/modules/subjects/index.ts';
import { buildTestApp, type TestApp, testConfig } from './helpers/app.ts';
import { engines } from './helpers/databases.ts';
import { makeEducator, makeQuestion } from './helpers/factories.ts';
import { Client } from './helpers/http.ts';

const SITE = testConfig.siteUrl;
const CANARY = 'Only members read this closing line, marked edp-canary-3k9.';
const jsonLd = (html: string) =>
  [...html.matchAll(/<script type="application\/ld\+json">(.*?)<\/script>/gs)].map((m) => JSON.parse(m[1] as string));
const profileLinks = (html: string) => [...html.matchAll(/href="(\/educators\/[^"]*)"/g)].map((m) => m[1] as string);

describe.each(engines)('educator profiles on %s', (engine) => {
  let t: TestApp;
  let client: Client;
  let priya: { id: number; path: string };
  let namesake: { id: number; path: string };
  let newcomer: { id: number; path: string };
  let student: { id: number; path: string };
  let unverified: { id: number; path: string };
  let suspended: { id: number; path: string };
  let prolific: { id: number; path: string };
  const priyaTitles: string[] = [];
  let hiddenTitle = '';
  let priyaQuestion = '';

  const get = (url: string) => client.get(url);

  beforeAll(async () => {
    t = await buildTestApp(engine);
    client = new Client(t.app);
    const db = t.database.db;
    for (const s of ['Math', 'Science', 'History']) await ensureSubject(db, s);
    const person = async (name: string, role: string, o: { subjects?: string[]; bio?: string } = {}) => {
      const u = await createUser(db, { email: `${name.toLowerCase().replace(/\W+/g, '.')}.${role}@example.org`, name, role, ...o });
      return { id: u.id, path: `/educators/${u.id}-${name.toLowerCase().replace(/\W+/g, '-')}` };
    };
    priya = await person('Priya Natarajan', 'educator', {
      subjects: ['math', 'science'],
      bio: 'Math department head; loves a good proof and a clean loop.',
    });
    namesake = await person('Priya Natarajan', 'editor');
    newcomer = await person('Ngozi Adeyemi', 'educator', { subjects: ['history'] });
    student = await person('Sam Student', 'student');
    unverified = await person('Una Verified', 'educator');
    suspended = await person('Sol Suspended', 'educator', { subjects: ['history'] });
    prolific = await person('Pat Prolific', 'educator');
    await db.updateTable('users').set({ suspended_at: '2026-11-01T00:00:00.000Z' }).where('id', '=', suspended.id).execute();

    const titles = [
      'How do I solve a quadratic by completing the square?',
      'Why is the derivative of sin x equal to cos x?',
      'What is a prime factorisation?',
    ];
    for (const [i, title] of titles.entries()) {
      const id = await makeQuestion(db, {
        subject: 'Math',
        title,
        educatorId: priya.id,
        answer: `Work through it step by step.\n\n${'A long explanation follows here. '.repeat(40)}\n\n${CANARY}`,
        publishedAt: `2026-11-0${i + 1}T10:00:00.000Z`,
      });
      priyaTitles.push(title);
      if (i === 2) {
        const row = await db.selectFrom('questions').select('slug').where('id', '=', id).executeTakeFirstOrThrow();
        priyaQuestion = `/q/${id}/${row.slug}`;
      }
    }
    hiddenTitle = 'What did this hidden question ask about limits?';
    const hidden = await makeQuestion(db, { subject: 'Math', title: hiddenTitle, educatorId: priya.id });
    await db.updateTable('questions').set({ status: 'hidden' }).where('id', '=', hidden).execute();
    await makeQuestion(db, { subject: 'Math', title: 'Which came first, the integral or the derivative?', educatorId: namesake.id });
    await makeQuestion(db, { subject: 'History', title: 'Why did the Roman Republic fall to Caesar?', educatorId: suspended.id });
    for (let i = 1; i <= 23; i++) {
      await makeQuestion(db, {
        subject: 'Science',
        title: `Prolific answer number ${String(i).padStart(2, '0')} about cells?`,
        educatorId: prolific.id,
        publishedAt: `2026-10-${String(i).padStart(2, '0')}T08:00:00.000Z`,
      });
    }
  });
  afterAll(async () => {
    await t.close();
  });

  it('shows the name, role, bio, verified subjects, answer count and latest answers, newest first', async () => {
    const res = await get(priya.path);
    expect(res.statusCode).toBe(200);
    const html = res.body;
    expect(html).toContain('<h1 id="educator-name">Priya Natarajan</h1>');
    expect(html).toContain('Math department head; loves a good proof and a clean loop.');
    expect(html).toContain('>PN</text>');
    expect(html).toMatch(/<a href="\/subjects\/math">Math<\/a>/);
    expect(html).toMatch(/<a href="\/subjects\/science">Science<\/a>/);
    expect(html).not.toMatch(/<a href="\/subjects\/history">History<\/a>/);
    // The hidden question neither counts nor shows.
    expect(html).toContain('3 expert answers published');
    expect(html).not.toContain(hiddenTitle);
    const shown = priyaTitles.map((title) => html.indexOf(title));
    expect(shown.every((i) => i > 0)).toBe(true);
    expect(shown).toEqual([...shown].sort((a, b) => b - a));
    expect(html).toContain(`href="${priyaQuestion}"`);
    // Quick answers are free; the expert answer is not, and never reaches the profile.
    expect(html).not.toContain('edp-canary');
    expect(html).toContain(`<link rel="canonical" href="${SITE}${priya.path}"/>`);
  });

  it('describes the person as a schema.org Person with their url, role and subjects', async () => {
    const [data] = jsonLd((await get(priya.path)).body);
    expect(data['@type']).toBe('ProfilePage');
    const person = data.mainEntity;
    expect(person['@type']).toBe('Person');
    expect(person.name).toBe('Priya Natarajan');
    expect(person.url).toBe(`${SITE}${priya.path}`);
    expect(person.jobTitle).toBe('Educator');
    expect([...person.knowsAbout].sort()).toEqual(['Math', 'Science']);
    expect(person.agentInteractionStatistic.userInteractionCount).toBe(3);
  });

  it('links "Answered by" on the question page to the profile, and names it as the answer author in QAPage', async () => {
    const html = (await get(priyaQuestion)).body;
    expect(html).toMatch(new RegExp(`Answered by <strong><a href="${priya.path}" rel="author">Priya Natarajan</a></strong>`));
    const qa = jsonLd(html).find((d) => d['@type'] === 'QAPage');
    expect(qa.mainEntity.acceptedAnswer.author).toEqual({ '@type': 'Person', name: 'Priya Natarajan', url: `${SITE}${priya.path}` });
    const profile = await get(profileLinks(html)[0] as string);
    expect(profile.statusCode).toBe(200);
  });

  it('gives two people of the same name addresses of their own', async () => {
    expect(namesake.path).not.toBe(priya.path);
    const res = await get(namesake.path);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Which came first, the integral or the derivative?');
    expect(res.body).not.toContain(priyaTitles[0]);
    expect(jsonLd(res.body)[0].mainEntity.jobTitle).toBe('Editor');
  });

  it('moves any other spelling of the address to the canonical one, keeping the query string', async () => {
    for (const wrong of [`/educators/${priya.id}`, `/educators/${priya.id}-old-name`, `/educators/${priya.id}-priya`]) {
      const res = await get(`${wrong}?utm_source=x`);
      expect(res.statusCode, wrong).toBe(301);
      expect(res.headers.location).toBe(`${priya.path}?utm_source=x`);
    }
  });

  it('shows an educator verified in a subject before their first answer is published', async () => {
    const res = await get(newcomer.path);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('0 expert answers published');
    expect(res.body).toContain('No published answers yet.');
  });

  it('has no profile for a student, an educator with neither answers nor subjects, a suspended one or an unknown id', async () => {
    for (const path of [student.path, unverified.path, suspended.path, '/educators/999999-nobody', '/educators/nobody', '/educators/0-x']) {
      const res = await get(path);
      expect(res.statusCode, path).toBe(404);
      expect(res.body).toContain('We could not find');
    }
    // Nor does the suspended educator's answer link there.
    const q = await t.database.db
      .selectFrom('questions')
      .select(['id', 'slug'])
      .where('title', '=', 'Why did the Roman Republic fall to Caesar?')
      .executeTakeFirstOrThrow();
    const html = (await get(`/q/${q.id}/${q.slug}`)).body;
    expect(html).toContain('Answered by <strong>Sol Suspended</strong>');
    expect(profileLinks(html)).toEqual([]);
  });

  it('pages through answers twenty at a time', async () => {
    const first = await get(prolific.path);
    expect(first.body).toContain('23 expert answers published');
    const listed = (html: string) => [...html.matchAll(/Prolific answer number (\d+)/g)].map((m) => Number(m[1]));
    expect(listed(first.body)).toEqual(Array.from({ length: 20 }, (_, i) => 23 - i));
    const next = /<a href="([^"]+)" rel="next">Older answers<\/a>/.exec(first.body)?.[1];
    expect(next).toMatch(new RegExp(`^${prolific.path}\\?after=`));
    const second = await get((next as string).replace(/&amp;/g, '&'));
    expect(second.statusCode).toBe(200);
    expect(listed(second.body)).toEqual([3, 2, 1]);
    expect(second.body).not.toContain('rel="next"');
    expect(second.body).not.toContain('rel="canonical"');
    expect((await get(`${prolific.path}?after=not-a-cursor`)).statusCode).toBe(400);
  });

  it('lists every public profile in the sitemap, and no one else', async () => {
    const body = (await get('/sitemaps/pages.xml')).body;
    for (const p of [priya, namesake, newcomer, prolific]) expect(body).toContain(`<loc>${SITE}${p.path}</loc>`);
    for (const p of [student, unverified, suspended]) expect(body).not.toContain(`/educators/${p.id}-`);
  });

  it('lets crawlers read profiles although the educator queue is kept out', async () => {
    const robots = (await get('/robots.txt')).body.split('\n');
    expect(robots).toContain('Disallow: /educator');
    expect(robots).toContain('Allow: /educators/');
  });

  it('still shows the profile of an educator made by the factories (a name with digits)', async () => {
    const e = await makeEducator(t.database.db, { name: 'Educator 42' });
    await makeQuestion(t.database.db, { educatorId: e.id });
    const res = await get(`/educators/${e.id}`);
    expect(res.statusCode).toBe(301);
    expect(res.headers.location).toBe(`/educators/${e.id}-educator-42`);
  });
});
