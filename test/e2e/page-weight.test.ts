import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoSite, startDemoSite } from '../helpers/browser.ts';
import { chromiumPath } from '../helpers/environment.ts';

/** Issue #16: a question page, with its font, stays within 50 KB transferred on a first visit. */
const BUDGET = 50 * 1024;

interface Transfer {
  url: string;
  mimeType: string;
  /** Bytes on the wire (headers and the body as sent, compressed or not), from Network.loadingFinished. */
  bytes: number;
}

/**
 * Opens `url` in a new browser context (so an empty cache and no session: a first-time visitor), waits for the
 * load event, the fonts and a quiet network, and returns what came over the wire for every request it made.
 */
async function firstVisit(browser: Browser, url: string): Promise<Transfer[]> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    const responses = new Map<string, { url: string; mimeType: string }>();
    const transfers = new Map<string, Transfer>();
    const failed: string[] = [];
    cdp.on('Network.responseReceived', (e) => {
      responses.set(e.requestId, { url: e.response.url, mimeType: e.response.mimeType });
    });
    cdp.on('Network.loadingFinished', (e) => {
      const response = responses.get(e.requestId);
      transfers.set(e.requestId, { url: response?.url ?? '', mimeType: response?.mimeType ?? '', bytes: e.encodedDataLength });
    });
    cdp.on('Network.loadingFailed', (e) => {
      failed.push(`${responses.get(e.requestId)?.url ?? e.requestId}: ${e.errorText}`);
    });
    await cdp.send('Network.enable');

    const response = await page.goto(url, { waitUntil: 'load' });
    expect(response?.status()).toBe(200);
    const fonts = await page.evaluate(async () => {
      await document.fonts.ready;
      return [...document.fonts].filter((f) => f.status === 'loaded').map((f) => f.family);
    });
    expect(fonts.length, 'no web font was loaded').toBeGreaterThan(0);
    await page.waitForLoadState('networkidle');
    // Every response that began has been counted to its end, and nothing failed.
    expect([...responses.entries()].filter(([id]) => !transfers.has(id)).map(([, r]) => r.url)).toEqual([]);
    expect(failed).toEqual([]);
    return [...transfers.values()];
  } finally {
    await context.close();
  }
}

function describeTransfers(label: string, transfers: Transfer[]): string {
  const total = transfers.reduce((sum, t) => sum + t.bytes, 0);
  const lines = transfers.map((t) => `  ${String(t.bytes).padStart(7)}  ${t.mimeType.padEnd(24)} ${new URL(t.url).pathname}`);
  return `${label}: ${total} bytes (${(total / 1024).toFixed(1)} KB) transferred, budget ${BUDGET}\n${lines.join('\n')}`;
}

describe.skipIf(!chromiumPath)('page weight in Chromium', () => {
  let site: DemoSite | undefined;
  let questionPath = '';

  beforeAll(async () => {
    site = await startDemoSite();
    const q = await site.t.database.db
      .selectFrom('questions')
      .select(['id', 'slug'])
      .where('status', '=', 'published')
      .orderBy('id')
      .executeTakeFirstOrThrow();
    questionPath = `/q/${q.id}/${q.slug}`;
  });
  afterAll(async () => {
    await site?.close();
  });

  for (const [name, pathOf] of [
    ['a question page', () => questionPath],
    ['the home page', () => '/'],
  ] as const) {
    it(`${name} stays within 50 KB transferred, its font included, on a first visit`, async () => {
      const { browser, base } = site as DemoSite;
      const transfers = await firstVisit(browser, `${base}${pathOf()}`);
      const report = describeTransfers(`${name} (${pathOf()})`, transfers);
      console.log(report);

      expect(transfers.find((t) => new URL(t.url).pathname === pathOf())?.bytes, report).toBeGreaterThan(0);
      for (const kind of ['text/css', 'font/woff2']) {
        const found = transfers.filter((t) => t.mimeType === kind || (kind === 'font/woff2' && t.url.endsWith('.woff2')));
        expect(found.length, `no ${kind} among the responses\n${report}`).toBeGreaterThan(0);
        expect(
          found.every((t) => t.bytes > 0),
          report,
        ).toBe(true);
      }
      const total = transfers.reduce((sum, t) => sum + t.bytes, 0);
      expect(total, report).toBeLessThanOrEqual(BUDGET);
    });
  }
});
