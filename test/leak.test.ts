import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../src/modules/accounts/index.ts';
import { importGuides } from '../src/modules/guides/index.ts';
import { readOutbox } from '../src/modules/mail/index.ts';
import { sendTrialReminders } from '../src/modules/membership/membership.service.ts';
import { buildTestApp, type TestApp } from './helpers/app.ts';
import { engines } from './helpers/databases.ts';
import { makeQuestion } from './helpers/factories.ts';
import { Client, TestClock } from './helpers/http.ts';

// The paywall's promise, tested from outside: a unique sentence at the end of an expert answer never reaches a
// reader without membership, on any surface the site serves. Surfaces are found by crawling every same-site
// link (pages, sitemaps, feeds) as each reader, plus the endpoints no page links to, so a surface added later is
// covered without editing this test.

const PW = 'leak test password';
const CANARY_WORDS = 'zephyrine quartzwing marmalith';
const CANARY = `The ${CANARY_WORDS} canary ends this expert answer.`;
// A formula behind the paywall: its TeX must not reach a non-member either, as source, MathML or KaTeX's HTML.
const FORMULA_MARKERS = ['quillonite', 'vexmorite'];
const FORMULA_ANSWER = `${'The members-only part below holds two formulas. '.repeat(30)}\n\nInline: $\\mathrm{quillonite} = \\frac{a}{b}$.\n\n$$\\operatorname{vexmorite}(x) = \\sqrt{x^2 + 1}$$`;
const FILLER = Array.from({ length: 14 }, (_, i) => `Step ${i} of the argument adds one more reason in plain words.`).join('\n\n');

// The same promise in scripts written without spaces (Chinese, Japanese, Thai), right to left (Arabic) and mixed:
// each answer and members-only guide section ends with a sentence whose marker must never reach a non-member.
// The search queries name the words before the marker, as the English ones do.
interface Script {
  name: string;
  filler: (i: number) => string;
  canary: string;
  marker: string;
  query: string;
}
const SCRIPTS: Script[] = [
  {
    name: 'Chinese',
    filler: (i) => `第${i}步论证再补充一个理由，用简单的话说明国家财政为什么濒临崩溃。`,
    canary: '秘密结论是麒麟琥珀鸳鸯。',
    marker: '麒麟琥珀鸳鸯',
    query: '秘密结论',
  },
  {
    name: 'Japanese',
    filler: (i) => `第${i}の段階では、国の財政が破綻しかけた理由をもう一つ、やさしい言葉で説明します。`,
    canary: '秘密の結論はかげろう琥珀堂です。',
    marker: 'かげろう琥珀堂',
    query: '秘密の結論',
  },
  {
    name: 'Thai',
    filler: (i) => `ขั้นที่${i}ของการให้เหตุผลเพิ่มอีกหนึ่งเหตุผลว่าทำไมการเงินของรัฐจึงเกือบล่มสลายด้วยคำง่ายๆ`,
    canary: 'ข้อสรุปลับคือมรกตนกยูงทอง',
    marker: 'มรกตนกยูงทอง',
    query: 'ข้อสรุปลับ',
  },
  {
    name: 'Arabic',
    filler: (i) => `الخطوة ${i} من الحجة تضيف سببا آخر بكلمات بسيطة يشرح لماذا كادت خزينة الدولة تنهار.`,
    canary: 'الخلاصة السرية هي زمردالطاووس.',
    marker: 'زمردالطاووس',
    query: 'الخلاصة السرية',
  },
  {
    name: 'mixed',
    filler: (i) => `Step ${i} 论证 adds เหตุผล one more سبب in plain words ขั้นตอน.`,
    canary: 'The secret 结论 is quartzมรกต麒麟 indeed.',
    marker: 'quartzมรกต麒麟',
    query: 'secret 结论',
  },
];
const scriptAnswer = (s: Script) => [...Array.from({ length: 14 }, (_, i) => s.filler(i + 1)), s.canary].join('\n\n');

const CRAWLER_UA = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';

/** Endpoints that pages do not link to (JSON, suggestions, machine files); a 404 for one not built yet is fine. */
const UNLINKED = [
  '/robots.txt',
  '/sitemap.xml',
  '/feed.xml',
  // The queries name the canary's first words; the last one ("marmalith") must never come back, not even as a
  // "did you mean" for a near miss.
  `/search?q=${encodeURIComponent('zephyrine quartzwing')}`,
  `/search?q=${encodeURIComponent('"zephyrine quartzwing"')}`,
  `/search?q=${encodeURIComponent('marmalit')}`,
  `/search?q=${encodeURIComponent('zephyrine quartzwing')}&type=guides`,
  `/search/suggest?q=${encodeURIComponent('zephyrine')}`,
  `/ask/similar?q=${encodeURIComponent('zephyrine quartzwing')}`,
  ...SCRIPTS.flatMap((s) => [
    `/search?q=${encodeURIComponent(s.query)}`,
    `/search?q=${encodeURIComponent(s.filler(3))}`,
    `/search?q=${encodeURIComponent(s.query)}&type=guides`,
    `/search/suggest?q=${encodeURIComponent(s.query)}`,
    `/ask/similar?q=${encodeURIComponent(s.query)}`,
  ]),
];

const SKIP = /^\/(static\/|logout|healthz|webhooks\/)/;

type Fetch = (path: string) => Promise<{ statusCode: number; body: string; headers: Record<string, unknown> }>;

/** Every same-site URL reachable from the start list, with the body each returned. */
async function crawl(fetch: Fetch, site: string, limit = 400): Promise<Map<string, string>> {
  const seen = new Map<string, string>();
  const queue = ['/', ...UNLINKED];
  while (queue.length > 0 && seen.size < limit) {
    const path = queue.shift() as string;
    if (seen.has(path) || SKIP.test(path)) continue;
    const res = await fetch(path);
    seen.set(path, res.body);
    const links = [...res.body.matchAll(/(?:href|src|action)="([^"#]+)"|<loc>([^<]+)<\/loc>|<link[^>]*href="([^"]+)"/g)]
      .map((m) => (m[1] ?? m[2] ?? m[3] ?? '').replaceAll('&amp;', '&'))
      .map((u) => (u.startsWith(site) ? u.slice(site.length) || '/' : u))
      .filter((u) => u.startsWith('/') && !u.startsWith('//'));
    for (const link of links) if (!seen.has(link)) queue.push(link);
  }
  return seen;
}

describe.each(engines)('gated text never leaves the server on %s', (engine) => {
  let t: TestApp;
  const clock = new TestClock();
  let questionUrl: string;
  let formulaUrl: string;
  const scriptQuestions = new Map<string, number>();
  let n = 0;
  const site = 'http://scholia.test';
  const signedIn = async (email: string) => {
    const c = new Client(t.app, `100.83.0.${++n}`);
    expect((await c.submit('/login', '/login', { email, password: PW })).statusCode).toBe(303);
    return c;
  };

  beforeAll(async () => {
    t = await buildTestApp(engine, { clock });
    const id = await makeQuestion(t.database.db, {
      subject: 'Literature',
      title: 'Why does the narrator distrust the lighthouse keeper?',
      quickAnswer: 'Because the keeper lies about the storm. The quick answer is free to read.',
      answer: `${FILLER}\n\n${CANARY}`,
    });
    questionUrl = `/q/${id}/why-does-the-narrator-distrust-the-lighthouse-keeper`;
    // A published study guide whose members-only section ends with the canary too.
    await importGuides(
      t.database.db,
      [
        {
          subject: 'Literature',
          title: 'The Lighthouse Keeper: A Study Guide',
          overview: 'A guide to the novel of the storm and the keeper. The overview is free to read.',
          sections: [
            { title: 'Summary', body: `${FILLER}`, membersOnly: false },
            { title: 'Analysis', body: `${FILLER}\n\n${CANARY}`, membersOnly: true },
          ],
          importKey: 'leak-test-guide',
        },
      ],
      { clock },
    );
    for (const [i, script] of SCRIPTS.entries()) {
      scriptQuestions.set(
        script.name,
        await makeQuestion(t.database.db, {
          subject: 'History',
          title: `Why did the treasury fail? (asked in ${script.name})`,
          quickAnswer: `${script.filler(1)} The quick answer is free to read.`,
          answer: scriptAnswer(script),
        }),
      );
      await importGuides(
        t.database.db,
        [
          {
            subject: 'History',
            title: `The Treasury in ${script.name}: A Study Guide`,
            overview: `${script.filler(2)} The overview is free to read.`,
            sections: [
              { title: 'Summary', body: script.filler(4), membersOnly: false },
              { title: 'Analysis', body: scriptAnswer(script), membersOnly: true },
            ],
            importKey: `leak-test-guide-${i}`,
          },
        ],
        { clock },
      );
    }
    const formulaId = await makeQuestion(t.database.db, {
      subject: 'Math',
      title: 'How do the two secret formulas relate?',
      quickAnswer: 'They are related by $y = x^2$, which anyone may read.',
      answer: FORMULA_ANSWER,
    });
    formulaUrl = `/q/${formulaId}/how-do-the-two-secret-formulas-relate`;
    // Another question in the subject, so lists, related questions and feeds have more than one entry.
    await makeQuestion(t.database.db, {
      subject: 'Literature',
      title: 'What does the lighthouse stand for in the novel?',
      quickAnswer: 'Guidance and isolation at once.',
      answer: `${FILLER}\n\nThe light stands for what the keeper cannot say.`,
    });
  });
  afterAll(async () => {
    await t.close();
  });

  it('shows the canary to nobody without membership, on any page, feed, sitemap, search or JSON response', async () => {
    await createUser(t.database.db, { email: 'no-member@example.org', name: 'Nomi Member', password: PW });
    await createUser(t.database.db, { email: 'lapsed@example.org', name: 'Lapsed Member', password: PW });
    const lapsed = await signedIn('lapsed@example.org');
    expect((await lapsed.submit(questionUrl, '/membership/trial', { next: questionUrl })).statusCode).toBe(303);
    expect((await lapsed.get(questionUrl)).body).toContain(CANARY);
    // The reminder mail goes out during the trial; it must not carry answers either.
    clock.advance(45 * 3600_000);
    await sendTrialReminders(
      t.database.db,
      { kind: 'outbox', send: async (m) => void (await mailed.push(m)) },
      { name: 'Scholia', url: site },
      6,
      clock,
    );
    clock.advance(3 * 3600_000);
    const lapsedAgain = await signedIn('lapsed@example.org');

    const readers: Array<[string, Fetch]> = [
      ['visitor', (p) => new Client(t.app).get(p)],
      ['crawler', (p) => t.app.inject({ method: 'GET', url: p, headers: { 'user-agent': CRAWLER_UA } })],
      ['student without membership', await signedIn('no-member@example.org').then((c) => (p: string) => c.get(p))],
      ['expired member', (p) => lapsedAgain.get(p)],
    ];
    for (const [who, fetch] of readers) {
      const pages = await crawl(fetch, site);
      expect(pages.has(questionUrl), `${who} reached the question`).toBe(true);
      expect(pages.has(formulaUrl), `${who} reached the question with formulas`).toBe(true);
      expect(pages.get(formulaUrl), who).toContain('<annotation encoding="application/x-tex">y = x^2</annotation>');
      expect(pages.size, who).toBeGreaterThan(8);
      // The machine-read surfaces were among them.
      for (const surface of [
        '/guides',
        '/guides/the-lighthouse-keeper-a-study-guide/analysis',
        '/feed.xml',
        '/subjects/literature/feed.xml',
        '/sitemap.xml',
        '/sitemaps/questions-1.xml',
        '/robots.txt',
      ])
        expect(pages.has(surface), `${who} fetched ${surface}`).toBe(true);
      for (const [name, id] of scriptQuestions)
        expect(
          [...pages.keys()].some((p) => p.startsWith(`/q/${id}/`)),
          `${who} reached the question in ${name}`,
        ).toBe(true);
      for (const script of SCRIPTS)
        expect(
          pages.has(`/guides/the-treasury-in-${script.name.toLowerCase()}-a-study-guide/analysis`),
          `${who}: ${script.name} guide`,
        ).toBe(true);
      for (const [path, body] of pages) {
        expect(body, `${who} at ${path}`).not.toContain('marmalith');
        for (const marker of FORMULA_MARKERS) expect(body, `${who} at ${path}`).not.toContain(marker);
        for (const script of SCRIPTS) expect(body, `${who} at ${path} (${script.name})`).not.toContain(script.marker);
      }
    }
    const markers = ['marmalith', ...FORMULA_MARKERS, ...SCRIPTS.map((s) => s.marker)];
    for (const m of mailed) for (const marker of markers) expect(`${m.subject}\n${m.text}\n${m.html}`).not.toContain(marker);
    for (const m of await readOutbox(t.database.db, { limit: 500 }))
      for (const marker of markers) expect(`${m.subject}\n${m.text}`).not.toContain(marker);
  });

  it('shows it to a trialing member', async () => {
    await createUser(t.database.db, { email: 'trialing@example.org', name: 'Trina Trial', password: PW });
    const c = await signedIn('trialing@example.org');
    await c.submit(questionUrl, '/membership/trial', { next: questionUrl });
    expect((await c.get(questionUrl)).body).toContain(CANARY);
    expect((await c.get('/guides/the-lighthouse-keeper-a-study-guide/analysis')).body).toContain(CANARY);
    const formulas = (await c.get(formulaUrl)).body;
    expect(formulas).toContain('<annotation encoding="application/x-tex">\\mathrm{quillonite} = \\frac{a}{b}</annotation>');
    expect(formulas).toContain('<math xmlns="http://www.w3.org/1998/Math/MathML" display="block">');
    for (const script of SCRIPTS) {
      const moved = await c.get(`/q/${scriptQuestions.get(script.name)}/x`);
      const page = await c.get(String(moved.headers.location));
      expect(page.body, script.name).toContain(script.marker);
      const guide = await c.get(`/guides/the-treasury-in-${script.name.toLowerCase()}-a-study-guide/analysis`);
      expect(guide.body, script.name).toContain(script.marker);
    }
  });
});

const mailed: Array<{ subject: string; text: string; html?: string }> = [];
