import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureSubject, ensureTopic } from '../src/modules/subjects/index.ts';
import { buildTestApp, type TestApp } from './helpers/app.ts';
import { engines } from './helpers/databases.ts';
import { makeQuestion } from './helpers/factories.ts';

describe.each(engines)('topic pages on %s', (engine) => {
  let t: TestApp;
  let questionUrl: string;

  beforeAll(async () => {
    t = await buildTestApp(engine);
    const db = t.database.db;
    const id = await makeQuestion(db, {
      subject: 'History',
      topics: ['Revolutions'],
      title: 'Why did the Bastille fall so quickly in 1789?',
    });
    questionUrl = `/q/${id}/why-did-the-bastille-fall-so-quickly-in-1789`;
    await makeQuestion(db, { subject: 'History', topics: ['Revolutions', 'Cold War'], title: 'Was 1989 a revolution in Eastern Europe?' });
    await makeQuestion(db, { subject: 'History', topics: ['Cold War'], title: 'Why was the Berlin airlift needed in 1948?' });
    // A topic of its subject with nothing published under it.
    await ensureTopic(db, (await ensureSubject(db, 'History')).id, 'Medieval Europe');
  });
  afterAll(async () => {
    await t.close();
  });

  const get = (url: string) => t.app.inject({ method: 'GET', url });

  it('links a question page topic chip to the topic page, which lists the questions filed under it', async () => {
    const page = await get(questionUrl);
    expect(page.body).toContain('<a href="/subjects/history/revolutions">Revolutions</a>');
    const topic = await get('/subjects/history/revolutions');
    expect(topic.statusCode).toBe(200);
    expect(topic.body).toContain('<h1>Revolutions</h1>');
    expect(topic.body).toContain('Why did the Bastille fall so quickly in 1789?');
    expect(topic.body).toContain('Was 1989 a revolution in Eastern Europe?');
    expect(topic.body).not.toContain('Why was the Berlin airlift needed in 1948?');
    expect(topic.body).toContain('<link rel="canonical" href="http://scholia.test/subjects/history/revolutions"/>');
    expect(topic.body).toMatch(/<meta name="description" content="Answered History homework questions about Revolutions/);
    const crumbs = /<script type="application\/ld\+json">(.*?)<\/script>/s.exec(topic.body)?.[1] as string;
    expect(JSON.parse(crumbs).itemListElement.map((i: { name: string }) => i.name)).toEqual(['Home', 'Subjects', 'History', 'Revolutions']);
  });

  it('answers 404 for an unknown topic or subject, or a malformed address', async () => {
    for (const url of [
      '/subjects/history/alchemy',
      '/subjects/alchemy/revolutions',
      '/subjects/history/Bad%20Topic',
      '/subjects/math/revolutions',
    ])
      expect((await get(url)).statusCode, url).toBe(404);
    // The subject's feed is not a topic.
    expect((await get('/subjects/history/feed.xml')).headers['content-type']).toContain('atom');
  });

  it('lists topics that have published questions in the sitemap', async () => {
    const pages = (await get('/sitemaps/pages.xml')).body;
    expect(pages).toContain('<loc>http://scholia.test/subjects/history/revolutions</loc>');
    expect(pages).toContain('<loc>http://scholia.test/subjects/history/cold-war</loc>');
    expect(pages).not.toContain('medieval-europe');
  });
});
