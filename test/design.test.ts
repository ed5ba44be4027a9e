import { readFileSync } from 'node:fs';
import { h } from 'preact';
import { renderToString } from 'preact-render-to-string';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../src/modules/accounts/index.ts';
import { LOGO_LEFT_PAGE, LOGO_LINES, LOGO_RIGHT_PAGE } from '../src/views/icons.tsx';
import { Layout, type Site } from '../src/views/layout.tsx';
import { buildTestApp, type TestApp } from './helpers/app.ts';
import { makeQuestion } from './helpers/factories.ts';

const stylesheet = readFileSync(new URL('../public/app.css', import.meta.url), 'utf8');

/** The value of each custom property in a rule block of the stylesheet: the light tokens (`:root {`) or the dark ones. */
function tokens(scheme: 'light' | 'dark'): Map<string, string> {
  const start =
    scheme === 'light' ? stylesheet.indexOf(':root {') : stylesheet.indexOf(':root {', stylesheet.indexOf('(prefers-color-scheme: dark)'));
  const block = stylesheet.slice(start, stylesheet.indexOf('\n}', start));
  return new Map([...block.matchAll(/(--[\w-]+):\s*([^;]+);/g)].map((m) => [m[1] as string, (m[2] as string).trim()]));
}

/** WCAG 2 contrast ratio of two #rrggbb colours. */
function contrast(a: string, b: string): number {
  const luminance = (hex: string) => {
    const [r, g, bl] = [1, 3, 5].map((i) => {
      const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    }) as [number, number, number];
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

describe('the design system: tokens, typeface, logo and icons', () => {
  let t: TestApp;
  let questionPath: string;

  beforeAll(async () => {
    t = await buildTestApp('sqlite');
    const db = t.database.db;
    const editor = await createUser(db, { email: 'editor@example.org', name: 'Edith Editor', role: 'editor' });
    const educator = await createUser(db, { email: 'teacher@example.org', name: 'Mr. Okonkwo', role: 'educator' });
    const id = await makeQuestion(db, {
      subject: 'History',
      title: 'Why did the Bastille fall so quickly in 1789?',
      quickAnswer: 'Its garrison was small and the crowd was large.',
      answer: 'A long answer about the Bastille and its garrison, with [a source](https://example.org/bastille) in it.',
      educatorId: educator.id,
      approvedBy: editor.id,
    });
    questionPath = (await t.app.inject({ method: 'GET', url: `/q/${id}` })).headers.location as string;
  });
  afterAll(async () => {
    await t?.close();
  });

  const get = (url: string) => t.app.inject({ method: 'GET', url });

  it('serves the typeface it preloads, from this site, named by content hash and cached for a year', async () => {
    const home = await get('/');
    const preload =
      /<link rel="preload" href="(\/static\/figtree-latin-wght-normal\.[0-9a-f]{12}\.woff2)" as="font" type="font\/woff2" crossorigin="anonymous"\/?>/.exec(
        home.body,
      );
    expect(preload, 'a preload link for the main font').not.toBeNull();
    const fontUrl = preload?.[1] as string;
    const font = await get(fontUrl);
    expect(font.statusCode).toBe(200);
    expect(font.headers['content-type']).toBe('font/woff2');
    expect(font.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(font.rawPayload.subarray(0, 4).toString('latin1')).toBe('wOF2');

    // The stylesheet's @font-face names the same hashed file (not the relative path written in public/app.css), swaps
    // the fallback for it when it arrives, and every other font file it names is served too.
    const cssUrl = /<link rel="stylesheet" href="(\/static\/app\.[0-9a-f]{12}\.css)"/.exec(home.body)?.[1] as string;
    const css = (await get(cssUrl)).body;
    expect(css).toContain(`src: url(${fontUrl}) format("woff2")`);
    expect(css).not.toMatch(/url\(fonts\//);
    expect(css).toMatch(/@font-face \{[^}]*font-display: swap;/);
    const named = [...css.matchAll(/url\((\/static\/[\w.-]+\.woff2)\)/g)].map((m) => m[1] as string);
    expect(named.length).toBe(2);
    for (const url of named) expect((await get(url)).headers['content-type'], url).toBe('font/woff2');
  });

  it('lets the page load its own fonts under the content security policy', async () => {
    const csp = (await get('/')).headers['content-security-policy'] as string;
    const directives = new Map(
      csp
        .split(';')
        .map((d) => d.trim().split(/\s+/) as [string, ...string[]])
        .map(([name, ...values]) => [name, values]),
    );
    // font-src falls back to default-src when it is not given.
    const fontSources = directives.get('font-src') ?? directives.get('default-src');
    expect(fontSources).toContain("'self'");
  });

  it('serves the logo mark as the favicon and the home-screen icon, the same drawing as the header', async () => {
    const home = await get('/');
    const href = /<link rel="icon" href="(\/static\/favicon\.[0-9a-f]{12}\.svg)" type="image\/svg\+xml"/.exec(home.body)?.[1] as string;
    const favicon = await get(href);
    expect(favicon.statusCode).toBe(200);
    expect(favicon.headers['content-type']).toBe('image/svg+xml');
    for (const d of [LOGO_LEFT_PAGE, LOGO_RIGHT_PAGE, LOGO_LINES]) expect(favicon.body).toContain(`d="${d}"`);
    // Phones' home screens get the same mark as a PNG.
    const touch = /<link rel="apple-touch-icon" href="(\/static\/apple-touch-icon\.[0-9a-f]{12}\.png)"/.exec(home.body)?.[1] as string;
    const png = await get(touch);
    expect(png.statusCode).toBe(200);
    expect(png.headers['content-type']).toBe('image/png');
    expect(png.rawPayload.subarray(1, 4).toString('latin1')).toBe('PNG');
    // The header: the mark beside the site's name, which is what the link says.
    const brand = /<a class="brand" href="\/">([\s\S]*?)<\/a>/.exec(home.body)?.[1] as string;
    expect(brand).toContain('<svg class="logo-mark"');
    expect(brand).toContain('aria-hidden="true"');
    expect(brand.replace(/<svg[\s\S]*?<\/svg>/, '').replace(/<[^>]+>/g, '')).toBe('Scholia');
  });

  it('draws the header icons and the approval check as decorative SVG beside words that say what they are', async () => {
    const site: Site = { name: 'Scholia', url: 'http://scholia.test', cssUrl: '/static/app.css', faviconUrl: '/static/favicon.svg' };
    const html = renderToString(
      h(Layout, { site, title: 'Home', viewer: { name: 'Ann Lee', role: 'student', unread: 3, csrfToken: 't' }, children: 'Hello' }),
    );
    const header = /<header class="site-header">[\s\S]*?<\/header>/.exec(html)?.[0] as string;
    const svgs = [...header.matchAll(/<svg[^>]*>/g)].map((m) => m[0]);
    // The mark, the menu, the search, the bell, the person and the chevron: none of them read out, none a tab stop.
    expect(svgs.length).toBe(6);
    for (const svg of svgs) {
      expect(svg).toContain('aria-hidden="true"');
      expect(svg).toContain('focusable="false"');
    }
    expect(header).toMatch(
      /<a href="\/notifications" class="bell"><svg[^>]*>[\s\S]*?<\/svg><span class="visually-hidden">Notifications<\/span>/,
    );
    expect(header).toMatch(/<summary class="menu-button"><svg[^>]*>[\s\S]*?<\/svg><span class="visually-hidden">Menu<\/span>/);
    expect(header).toMatch(/<button type="submit"><svg[^>]*>[\s\S]*?<\/svg><span class="search-label">Search<\/span><\/button>/);
    // No emoji stands in for an icon (it shows as an empty box where no emoji font is installed).
    expect(header).not.toMatch(/\p{Extended_Pictographic}/u);

    const page = (await get(questionPath)).body;
    expect(page).toMatch(
      /<span class="badge"><svg class="icon"[^>]*aria-hidden="true"[^>]*>[\s\S]*?<\/svg>Approved by Scholia Editorial<\/span>/,
    );
  });

  it('keeps the stylesheet on its tokens: every colour is a token, every token used is defined', () => {
    const light = tokens('light');
    const dark = tokens('dark');
    // Outside the token blocks, data: URLs (icons drawn in black for masks), mask gradients (alpha, not colour) and
    // print, no colour is written out.
    const rules = stylesheet
      .replace(/:root \{[\s\S]*?\n {0,2}\}/g, '')
      .replace(/url\("data:[^"]*"\)/g, '')
      .replace(/^\s*(-webkit-)?mask-image:.*$/gm, '')
      .replace(/@media print \{[\s\S]*?\n\}/g, '');
    expect(rules.match(/#[0-9a-fA-F]{3,8}\b/g) ?? []).toEqual([]);
    const used = new Set([...stylesheet.matchAll(/var\((--[\w-]+)/g)].map((m) => m[1] as string));
    const local = new Set([...rules.matchAll(/(--[\w-]+):/g)].map((m) => m[1] as string));
    for (const name of used) expect(light.has(name) || local.has(name), `${name} is defined`).toBe(true);
    // The dark scheme only gives other values to tokens the light one has (a misspelt name would change nothing).
    for (const name of dark.keys()) expect(light.has(name), `${name} is a light token too`).toBe(true);
  });

  it('pairs text and its background at WCAG AA contrast in both schemes', () => {
    // [text, background]: body text, secondary text, links, buttons, notices and badges.
    const pairs: Array<[string, string]> = [
      ['--color-text', '--color-bg'],
      ['--color-text', '--color-surface'],
      ['--color-text', '--color-surface-2'],
      ['--color-muted', '--color-bg'],
      ['--color-muted', '--color-surface'],
      ['--color-muted', '--color-surface-2'],
      ['--color-muted', '--color-primary-soft'],
      ['--color-link', '--color-bg'],
      ['--color-link', '--color-surface'],
      ['--color-link', '--color-primary-soft'],
      ['--color-primary-soft-text', '--color-primary-soft'],
      ['--color-on-primary', '--color-primary'],
      ['--color-on-primary', '--color-primary-hover'],
      ['--color-on-danger', '--color-danger-solid'],
      ['--color-success', '--color-success-bg'],
      ['--color-info', '--color-info-bg'],
      ['--color-warning', '--color-warning-bg'],
      ['--color-danger', '--color-danger-bg'],
      ['--color-danger', '--color-surface'],
      ['--color-text', '--color-danger-bg'],
      ['--color-text', '--color-success-bg'],
      ['--color-on-mark', '--color-mark'],
      ['--color-code-keyword', '--color-code-bg'],
      ['--color-code-string', '--color-code-bg'],
      ['--color-code-comment', '--color-code-bg'],
      ['--color-code-number', '--color-code-bg'],
      ['--color-code-title', '--color-code-bg'],
      ['--color-code-type', '--color-code-bg'],
    ];
    const light = tokens('light');
    for (const [scheme, own] of [
      ['light', light],
      ['dark', tokens('dark')],
    ] as const) {
      const value = (name: string) => (own.get(name) ?? light.get(name)) as string;
      for (const [fg, bg] of pairs) expect(contrast(value(fg), value(bg)), `${scheme}: ${fg} on ${bg}`).toBeGreaterThanOrEqual(4.5);
    }
  });
});
