import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from './helpers/app.ts';
import { engines } from './helpers/databases.ts';
import { makeQuestion } from './helpers/factories.ts';
import { Client } from './helpers/http.ts';

const meta = (html: string, attr: 'name' | 'property', key: string) =>
  new RegExp(`<meta ${attr}="${key.replace(/[.:]/g, '\\$&')}" content="([^"]*)"`).exec(html)?.[1];
const jsonLd = (html: string) =>
  [...html.matchAll(/<script type="application\/ld\+json">(.*?)<\/script>/gs)].map((m) => JSON.parse(m[1] as string));

describe.each(engines)('what search engines and link previews read on %s', (engine) => {
  let t: TestApp;
  let url: string;
  beforeAll(async () => {
    t = await buildTestApp(engine);
    const id = await makeQuestion(t.database.db, {
      subject: 'Science',
      title: 'Why do leaves change colour in autumn?',
      quickAnswer: 'Chlorophyll breaks down and the yellow and orange pigments show.',
      answer: `${'Leaves make food with chlorophyll all summer. '.repeat(30)}\n\nThe gated part explains anthocyanins 5be1.`,
    });
    url = `/q/${id}/why-do-leaves-change-colour-in-autumn`;
  });
  afterAll(async () => {
    await t.close();
  });

  it('gives a question page a canonical URL, a description from the quick answer and OpenGraph and Twitter tags', async () => {
    const html = (await new Client(t.app).get(url)).body;
    expect(html).toContain(`<link rel="canonical" href="http://scholia.test${url}"/>`);
    expect(meta(html, 'name', 'description')).toBe('Chlorophyll breaks down and the yellow and orange pigments show.');
    expect(meta(html, 'property', 'og:title')).toBe('Why do leaves change colour in autumn?');
    expect(meta(html, 'property', 'og:description')).toBe('Chlorophyll breaks down and the yellow and orange pigments show.');
    expect(meta(html, 'property', 'og:url')).toBe(`http://scholia.test${url}`);
    expect(meta(html, 'property', 'og:type')).toBe('article');
    expect(meta(html, 'name', 'twitter:card')).toBe('summary_large_image');
    expect(html).not.toMatch(/<meta[^>]*5be1/);
  });

  it('carries QAPage with the paywall markup and a BreadcrumbList in JSON-LD', async () => {
    const [qa, crumbs] = jsonLd((await new Client(t.app).get(url)).body);
    expect(qa['@type']).toBe('QAPage');
    expect(qa.isAccessibleForFree).toBe(false);
    expect(qa.hasPart.cssSelector).toBe('.expert-answer-body');
    expect(qa.mainEntity['@type']).toBe('Question');
    expect(qa.mainEntity.name).toBe('Why do leaves change colour in autumn?');
    expect(qa.mainEntity.answerCount).toBeGreaterThanOrEqual(1);
    // The accepted answer is the expert answer as a visitor sees it: its opening, with its author and dates.
    const accepted = qa.mainEntity.acceptedAnswer;
    expect(accepted.text).toMatch(/^Leaves make food with chlorophyll all summer\. Leaves make food/);
    expect(accepted.text.length).toBeLessThanOrEqual(600);
    expect(accepted.author).toEqual({
      '@type': 'Person',
      name: expect.any(String),
      url: expect.stringMatching(/^http:\/\/scholia\.test\/educators\/\d+-/),
    });
    expect(Date.parse(accepted.datePublished)).not.toBeNaN();
    expect(accepted.url).toBe(`http://scholia.test${url}#expert-answer`);
    expect(JSON.stringify(qa)).not.toContain('5be1');
    expect(crumbs['@type']).toBe('BreadcrumbList');
    expect(crumbs.itemListElement.map((i: { position: number; name: string; item: string }) => [i.position, i.name, i.item])).toEqual([
      [1, 'Home', 'http://scholia.test/'],
      [2, 'Subjects', 'http://scholia.test/subjects'],
      [3, 'Science', 'http://scholia.test/subjects/science'],
      [4, 'Why do leaves change colour in autumn?', `http://scholia.test${url}`],
    ]);
  });

  it('gives a subject page its breadcrumb trail and link previews', async () => {
    const html = (await new Client(t.app).get('/subjects/science')).body;
    const [crumbs] = jsonLd(html);
    expect(crumbs.itemListElement.at(-1)).toEqual({
      '@type': 'ListItem',
      position: 3,
      name: 'Science',
      item: 'http://scholia.test/subjects/science',
    });
    expect(meta(html, 'property', 'og:type')).toBe('website');
    expect(meta(html, 'property', 'og:url')).toBe('http://scholia.test/subjects/science');
  });
});
