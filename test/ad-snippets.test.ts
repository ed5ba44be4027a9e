import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';
import { createUser } from '../src/modules/accounts/index.ts';
import { addHouseAd } from '../src/modules/ads/index.ts';
import { checkAdSnippet } from '../src/modules/ads/snippet.ts';
import { buildTestApp, type TestApp, testConfig } from './helpers/app.ts';
import { engines } from './helpers/databases.ts';
import { makeQuestion } from './helpers/factories.ts';
import { Client, TestClock } from './helpers/http.ts';
import { enrolTwoFactor } from './helpers/two-factor.ts';

const PW = 'ad snippet test password';
const ORIGIN = 'https://ads.example.net';
const SNIPPET =
  '<script async src="https://ads.example.net/tag.js?pub=7c41"></script>\n<ins class="adsbyexample" data-ad-client="pub-7c41" data-ad-unit="sidebar"></ins>';
const STORED =
  '<script src="https://ads.example.net/tag.js?pub=7c41" async></script>\n<ins class="adsbyexample" data-ad-client="pub-7c41" data-ad-unit="sidebar"></ins>';
const HOUSE_HEADLINE = 'Read every answer in full';
/** The policy of a site without AD_SNIPPET_ORIGINS, as it was before snippets existed. */
const STRICT_CSP =
  "default-src 'self';img-src 'self' data:;style-src 'self';script-src 'self';object-src 'none';base-uri 'self';form-action 'self';frame-ancestors 'none'";

/** Text of a page as a person reads it (Preact escapes quotes and apostrophes in text). */
const decode = (html: string) =>
  html
    .replace(/&quot;/g, '"')
    .replace(/&#x27;|&#39;|&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** The ad slot's markup on a page, or undefined when the page has none. */
const adSlot = (html: string) => /<aside class="ad" data-ad-slot="question-sidebar".*?<\/aside>/s.exec(html)?.[0];

function csp(res: { headers: Record<string, unknown> }): Map<string, string[]> {
  const header = String(res.headers['content-security-policy'] ?? '');
  return new Map(
    header
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...sources]) => [name as string, sources]),
  );
}

async function signIn(t: TestApp, email: string, ip: string): Promise<Client> {
  const c = new Client(t.app, ip);
  expect((await c.submit('/login', '/login', { email, password: PW })).statusCode).toBe(303);
  return c;
}

describe.each(engines)('network ad snippets on %s', (engine) => {
  let t: TestApp;
  const clock = new TestClock();
  let admin: Client;
  let url: string;

  beforeAll(async () => {
    t = await buildTestApp(engine, { clock, config: { adSnippetOrigins: [ORIGIN] } });
    const id = await makeQuestion(t.database.db, { title: 'How do ad networks fill a sidebar slot?' });
    url = `/q/${id}/how-do-ad-networks-fill-a-sidebar-slot`;
    await addHouseAd(
      t.database.db,
      { placement: 'question-sidebar', headline: HOUSE_HEADLINE, body: 'Members see no ads.', linkUrl: '/membership' },
      clock,
    );
    await createUser(t.database.db, { email: 'snippet-admin@example.org', name: 'Sam Admin', role: 'admin', password: PW });
    admin = await signIn(t, 'snippet-admin@example.org', '100.70.0.1');
    await enrolTwoFactor(admin, clock.now());
  });
  afterAll(async () => {
    await t.close();
  });

  /** A refused snippet comes back as the form (400); an added one goes to the list (303, post/redirect/get). */
  const addSnippet = (snippet: string, name = 'Example network sidebar') =>
    admin.submit('/admin/ads', '/admin/ads/snippets', { placement: 'question-sidebar', name, snippet });

  it('an admin adds a snippet from an allowed origin; visitors get it in the ad slot, under a policy that lists the origin', async () => {
    const form = await admin.get('/admin/ads');
    expect(form.body).toContain('<h2>Add a network snippet</h2>');
    expect(form.body).toContain(`From ${ORIGIN} (AD_SNIPPET_ORIGINS)`);
    // Before any snippet, the house ad fills the slot (the admin is not a member; their pages are never cached).
    expect(adSlot((await admin.get(url)).body)).toContain(HOUSE_HEADLINE);

    const added = await addSnippet(SNIPPET);
    expect(added.statusCode).toBe(303);
    expect(added.headers.location).toBe('/admin/ads');
    expect((await admin.follow(added)).body).toContain('<strong>Example network sidebar</strong> · showing');

    const visitor = new Client(t.app);
    const page = await visitor.get(url);
    expect(page.statusCode).toBe(200);
    const slot = adSlot(page.body) as string;
    expect(slot).toContain(`<div class="ad-snippet">${STORED}</div>`);
    // The newest snippet takes the slot from the house ads; there is one slot.
    expect(page.body).not.toContain(HOUSE_HEADLINE);
    expect(page.body.match(/data-ad-slot=/g)).toHaveLength(1);

    const policy = csp(page);
    expect(policy.get('script-src')).toEqual(["'self'", ORIGIN]);
    expect(policy.get('img-src')).toEqual(["'self'", 'data:', ORIGIN]);
    expect(policy.get('frame-src')).toEqual(["'self'", ORIGIN]);
    expect(policy.get('connect-src')).toEqual(["'self'", ORIGIN]);
    // The rest of the policy is as strict as ever: no inline script or style.
    expect(policy.get('default-src')).toEqual(["'self'"]);
    expect(policy.get('style-src')).toEqual(["'self'"]);
    expect(policy.get('object-src')).toEqual(["'none'"]);

    // The second visit comes from the page cache: same bytes, same header.
    const again = await new Client(t.app).get(url);
    expect(again.body).toBe(page.body);
    expect(again.headers['content-security-policy']).toBe(page.headers['content-security-policy']);

    // A signed-in reader without membership gets it too (rendered for them, not from the cache).
    await createUser(t.database.db, { email: 'free-reader@example.org', name: 'Free Reader', password: PW });
    const reader = await signIn(t, 'free-reader@example.org', '100.70.0.2');
    expect(adSlot((await reader.get(url)).body)).toContain(STORED);
  });

  it.each([
    [
      'a script from an origin not in AD_SNIPPET_ORIGINS',
      '<script async src="https://tracker.example.org/t.js?id=1"></script>',
      `The script comes from https://tracker.example.org, which is not in AD_SNIPPET_ORIGINS (it lists ${ORIGIN}).`,
    ],
    [
      'an inline script',
      '<script async src="https://ads.example.net/tag.js"></script>\n<script>(window.adq = window.adq || []).push({});</script>',
      "Inline scripts cannot run under the site's content security policy; use the script URL your ad network gives.",
    ],
    [
      'an event-handler attribute',
      '<img src="https://ads.example.net/pixel.png" alt="" onload="track(this)">',
      "Event-handler attributes such as onload cannot run under the site's content security policy",
    ],
    [
      'a style attribute',
      '<ins class="adsbyexample" style="display:block" data-ad-client="pub-7c41"></ins>',
      'The style attribute is not allowed',
    ],
  ])('refuses %s with the reason next to the field and the text kept', async (_what, typed, message) => {
    const res = await addSnippet(typed, 'Refused one');
    expect(res.statusCode).toBe(400);
    const error = /<span class="field-error" id="snippet-html-error">(.*?)<\/span>/s.exec(res.body)?.[1] as string;
    expect(decode(error)).toContain(message);
    const textarea = /<textarea id="snippet-html"[^>]*>(.*?)<\/textarea>/s.exec(res.body)?.[1] as string;
    expect(decode(textarea)).toBe(typed);
    expect(res.body).toContain('value="Refused one"');
    expect(res.body).toContain('aria-invalid="true"');
    // Nothing was stored and nothing changed for readers.
    expect(res.body).not.toContain('<strong>Refused one</strong>');
    const page = await new Client(t.app, '100.70.0.9').get(url);
    expect(adSlot(page.body)).toContain(STORED);
  });

  it('keeps ads from members: a trialing member gets no ad slot and no snippet', async () => {
    await createUser(t.database.db, { email: 'trialing@example.org', name: 'Tria Ling', password: PW });
    const member = await signIn(t, 'trialing@example.org', '100.70.0.3');
    expect((await member.submit(url, '/membership/trial', { next: url })).statusCode).toBe(303);
    const page = await member.get(url);
    expect(page.body).toContain('Free trial: 48 hours left.');
    expect(page.body).not.toContain('data-ad-slot');
    expect(page.body).not.toContain('class="ad"');
    expect(page.body).not.toContain('ads.example.net');
    expect(page.body).not.toContain('adsbyexample');
    expect(page.body).not.toContain(HOUSE_HEADLINE);
  });

  it('pauses and shows a snippet like a house ad; visitors’ cached pages follow within the cache’s lifetime', async () => {
    const list = await admin.get('/admin/ads');
    const id = /action="\/admin\/ads\/snippets\/(\d+)\/pause"/.exec(list.body)?.[1] as string;
    expect(id).toMatch(/^\d+$/);
    const paused = await admin.follow(await admin.submit('/admin/ads', `/admin/ads/snippets/${id}/pause`, {}));
    expect(paused.body).toContain('<strong>Example network sidebar</strong> · paused');
    expect(paused.body).toContain('Show “Example network sidebar”');

    // Signed-in readers' pages are rendered each time: the house ad is back at once.
    const reader = await signIn(t, 'free-reader@example.org', '100.70.0.4');
    const readerPage = await reader.get(url);
    expect(adSlot(readerPage.body)).toContain(HOUSE_HEADLINE);
    expect(readerPage.body).not.toContain('adsbyexample');
    // A visitor's page comes from the cache until its time is up, then follows.
    clock.advance(testConfig.pageCacheTtlMs + 1000);
    const visitorPage = await new Client(t.app).get(url);
    expect(adSlot(visitorPage.body)).toContain(HOUSE_HEADLINE);
    expect(visitorPage.body).not.toContain('adsbyexample');

    await admin.submit('/admin/ads', `/admin/ads/snippets/${id}/show`, {});
    expect(adSlot((await reader.get(url)).body)).toContain(STORED);
  });

  it('shows the newest snippet when several are showing', async () => {
    const newer =
      '<a href="https://shop.example.org/deal?src=scholia"><img src="https://ads.example.net/banner.png" alt="Spring deal"></a>';
    expect((await addSnippet(newer, 'Spring banner')).statusCode).toBe(303);
    const reader = await signIn(t, 'free-reader@example.org', '100.70.0.5');
    const slot = adSlot((await reader.get(url)).body) as string;
    expect(slot).toContain(
      '<a href="https://shop.example.org/deal?src=scholia" rel="sponsored noopener"><img src="https://ads.example.net/banner.png" alt="Spring deal" /></a>',
    );
    expect(slot).not.toContain('adsbyexample');
    expect((await admin.get('/admin/ads')).body).toContain('(a newer snippet fills the slot)');
  });

  it('lets only admins add snippets', async () => {
    const reader = await signIn(t, 'free-reader@example.org', '100.70.0.6');
    expect((await reader.get('/admin/ads')).statusCode).toBe(403);
    const res = await reader.post('/admin/ads/snippets', { name: 'Sneaky', snippet: SNIPPET, placement: 'question-sidebar' });
    expect(res.statusCode).toBe(403);
  });
});

describe.each(engines)('without AD_SNIPPET_ORIGINS on %s', (engine) => {
  let t: TestApp;
  const clock = new TestClock();
  let admin: Client;
  let url: string;

  beforeAll(async () => {
    t = await buildTestApp(engine, { clock });
    const id = await makeQuestion(t.database.db, { title: 'Why does the policy stay strict by default?' });
    url = `/q/${id}/why-does-the-policy-stay-strict-by-default`;
    await addHouseAd(t.database.db, { placement: 'question-sidebar', headline: HOUSE_HEADLINE, body: '', linkUrl: '/membership' }, clock);
    await createUser(t.database.db, { email: 'strict-admin@example.org', name: 'Stri Admin', role: 'admin', password: PW });
    admin = await signIn(t, 'strict-admin@example.org', '100.71.0.1');
    await enrolTwoFactor(admin, clock.now());
  });
  afterAll(async () => {
    await t.close();
  });

  it('keeps the strict policy on every page', async () => {
    for (const path of [url, '/', '/admin/ads']) {
      const res = path === '/admin/ads' ? await admin.get(path) : await new Client(t.app).get(path);
      expect(res.headers['content-security-policy'], path).toBe(STRICT_CSP);
    }
  });

  it('explains on /admin/ads why snippets cannot be added and which variable to set, and refuses one posted anyway', async () => {
    const page = await admin.get('/admin/ads');
    expect(page.body).toContain('<h2>Add a network snippet</h2>');
    expect(page.body).toContain('Network snippets are off');
    expect(page.body).toContain('<code>AD_SNIPPET_ORIGINS</code>');
    expect(page.body).not.toContain('action="/admin/ads/snippets"');
    const res = await admin.post('/admin/ads/snippets', {
      _csrf: /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] as string,
      placement: 'question-sidebar',
      name: 'Not now',
      snippet: SNIPPET,
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Network snippets are off');
    expect(res.body).toContain('No network snippets yet.');
  });

  it('never shows a stored snippet while the variable is empty: the house ad keeps the slot', async () => {
    // As if the variable had been set when it was added and taken out since.
    await t.database.db
      .insertInto('ad_snippets')
      .values({
        placement: 'question-sidebar',
        name: 'Old network',
        html: STORED,
        origins: ORIGIN,
        active: 1,
        created_at: clock.now().toISOString(),
      })
      .execute();
    const page = await new Client(t.app).get(url);
    expect(adSlot(page.body)).toContain(HOUSE_HEADLINE);
    expect(page.body).not.toContain('ads.example.net');
    expect((await admin.get('/admin/ads')).body).toContain('not shown: add https://ads.example.net to AD_SNIPPET_ORIGINS');
  });
});

describe('AD_SNIPPET_ORIGINS', () => {
  it('is empty by default and takes comma-separated https origins, tidied', () => {
    expect(loadConfig({}, '/x').adSnippetOrigins).toEqual([]);
    expect(
      loadConfig({ AD_SNIPPET_ORIGINS: ' https://Ads.Example.net/ , https://cdn.example.net:8443,https://ads.example.net' }, '/x')
        .adSnippetOrigins,
    ).toEqual(['https://ads.example.net', 'https://cdn.example.net:8443']);
  });

  it.each([
    ['http://ads.example.net', 'must use https'],
    ['https://ads.example.net/tag.js', 'must be an origin alone, with no path'],
    ['ads.example.net', 'is not a URL'],
    ['https://*.example.net', 'not a wildcard'],
    ["https://ads.example.net;script-src 'unsafe-inline'", 'not a URL'],
    ['https://ads.example.net?x=1', 'with no path'],
  ])('refuses %j, naming the variable', (value, why) => {
    let error: unknown;
    try {
      loadConfig({ AD_SNIPPET_ORIGINS: `https://ok.example.net,${value}` }, '/x');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe('AD_SNIPPET_ORIGINS');
    expect((error as Error).message).toMatch(/^AD_SNIPPET_ORIGINS: /);
    expect((error as Error).message).toContain(why);
  });

  it('stops the start with one line naming it', () => {
    const root = path.resolve(import.meta.dirname, '..');
    const r = spawnSync(process.execPath, [path.join(root, 'bin/scholia.js'), 'migrate'], {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        LOG_LEVEL: 'warn',
        DATA_DIR: mkdtempSync(path.join(tmpdir(), 'scholia-ads-')),
        AD_SNIPPET_ORIGINS: 'http://ads.example.net',
      },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      'Configuration error: AD_SNIPPET_ORIGINS: "http://ads.example.net" must use https; list https origins such as https://ads.example.net, separated by commas',
    ]);
  });
});

describe('checkAdSnippet', () => {
  const allowed = [ORIGIN, 'https://cdn.example.net'];

  it('writes the accepted snippet out again: comments gone, scripts async, links sponsored, attributes escaped', () => {
    const r = checkAdSnippet(
      '<!-- network tag v2 --><SCRIPT SRC="//ads.example.net/a.js?x=1&amp;y=2"> </SCRIPT><div class=unit data-note=\'say "hi"\'><a href="http://shop.example.org/">Shop</a></div>',
      allowed,
    );
    expect(r).toEqual({
      ok: true,
      html: '<script src="https://ads.example.net/a.js?x=1&amp;y=2" async></script><div class="unit" data-note="say &quot;hi&quot;"><a href="http://shop.example.org/" rel="sponsored noopener">Shop</a></div>',
      origins: [ORIGIN],
    });
    // Checking the stored form again changes nothing.
    if (r.ok) expect(checkAdSnippet(r.html, allowed)).toEqual(r);
  });

  it.each([
    ['<iframe src="https://cdn.example.net/f"><script>alert(1)</script></iframe>', 'Leave the <iframe> empty'],
    ['<script src="https://ads.example.net/a.js"><!--</script><script>alert(1)</script>-->', 'Inline scripts cannot run'],
    ['<svg><script href="https://ads.example.net/a.js"></script></svg>', '<svg> is not allowed'],
    ['<a href="javascript:alert(1)">Win</a>', 'Links must go to a full http:// or https:// address'],
    ['<img src="data:image/gif;base64,R0lGOD">', 'The image address must be a full https:// address'],
    ['<iframe src="https://ads.example.net.evil.example/f"></iframe>', 'The frame comes from https://ads.example.net.evil.example'],
    [
      '<script src="https://ads.example.net/a.js" type="module"></script>',
      '<script> may not carry type="…"; it may have only src and async.',
    ],
    ['<div id="ad"></div>', '<div> may not carry id="…"'],
    ['<script async></script>', 'Inline scripts cannot run'],
    ['Buy now', 'That is text'],
    ['', 'Paste the snippet'],
  ])('refuses %j', (snippet, message) => {
    const r = checkAdSnippet(snippet, allowed);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain(message);
  });
});
