import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../src/demo/seed.ts';
import { axeViolations, type DemoSite, startDemoSite } from '../helpers/browser.ts';
import { chromiumPath } from '../helpers/environment.ts';

// Times are written by the server in UTC inside <time datetime="…Z">; public/time.js says them again in the
// reader's time zone (and how far off a deadline is), and the day of an event as the day it was there. Without
// JavaScript the UTC text stays.

const ZONE = 'America/New_York';

/** What the page should say for an instant in New York, worked out here in Node (spaces made plain: ICU versions differ there). */
function newYork(iso: string): string {
  return plain(
    new Intl.DateTimeFormat('en-US', {
      year: 'numeric',
      month: 'long',
      day: 'numeric',
      hour: 'numeric',
      minute: '2-digit',
      timeZoneName: 'short',
      timeZone: ZONE,
    }).format(new Date(iso)),
  );
}
const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

async function times(page: Page): Promise<Array<{ datetime: string; text: string; relative: boolean; title: string }>> {
  return page.locator('time[datetime]').evaluateAll((els) =>
    els.map((el) => ({
      datetime: el.getAttribute('datetime') as string,
      text: (el.textContent ?? '').trim(),
      relative: el.hasAttribute('data-relative'),
      title: el.getAttribute('title') ?? '',
    })),
  );
}

describe.skipIf(!chromiumPath)('times in the reader’s time zone, in Chromium', () => {
  let site: DemoSite;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    site = await startDemoSite();
    ({ base, browser } = site);
  });
  afterAll(async () => {
    await site?.close();
  });

  /** The demo member Jordan Lee (two questions waiting, a complimentary membership) in a browser set to New York. */
  async function jordan(javaScriptEnabled: boolean): Promise<Page> {
    const context = await browser.newContext({ bypassCSP: true, javaScriptEnabled, timezoneId: ZONE, locale: 'en-US' });
    const page = await context.newPage();
    await page.goto(`${base}/login`);
    await page.getByLabel('Email').fill('jordan.lee@demo.scholia.test');
    await page.getByLabel('Password').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(`${base}/`);
    return page;
  }

  it('says the expected answer times and the membership end in New York time, deadlines with how far off they are', async () => {
    const page = await jordan(true);
    await page.goto(`${base}/account/questions`);
    const due = (await times(page)).filter((t) => t.relative);
    expect(due.length).toBeGreaterThanOrEqual(2);
    for (const t of due) {
      expect(t.datetime).toMatch(/Z$/);
      // "November 28, 2026 at 7:00 AM EST (in 24 hours)": the local time, its zone, and the wait.
      expect(plain(t.text)).toMatch(/^(.*) \((in \d+ hours|tomorrow|in \d+ minutes)\)$/);
      expect(plain(t.text).startsWith(newYork(t.datetime))).toBe(true);
      expect(t.text).toMatch(/\bE[SD]T\b/);
      expect(t.text).not.toContain('UTC');
      // The server's words stay on hover.
      expect(t.title).toMatch(/ UTC$/);
    }
    expect(await axeViolations(page)).toEqual([]);

    await page.goto(`${base}/membership`);
    const [until] = await times(page);
    expect(until?.relative).toBe(false);
    expect(plain(until?.text ?? '')).toBe(newYork(until?.datetime as string));
    await expect(page.locator('main').textContent()).resolves.toContain(`until ${until?.text}.`);
    await page.context().close();
  });

  it('keeps the UTC text without JavaScript', async () => {
    const page = await jordan(false);
    await page.goto(`${base}/account/questions`);
    const due = (await times(page)).filter((t) => t.relative);
    expect(due.length).toBeGreaterThanOrEqual(2);
    for (const t of due) {
      const utc = new Date(t.datetime);
      const date = new Intl.DateTimeFormat('en-US', { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' }).format(utc);
      expect(t.text).toBe(`${date}, ${t.datetime.slice(11, 16)} UTC`);
    }
    await page.context().close();
  });

  it('links the script only on pages that show a time or a date', async () => {
    const timeScript = /\/static\/time\.[0-9a-f]+\.js/;
    expect(await (await fetch(`${base}/login`)).text()).not.toMatch(timeScript);
    // The home page lists recent answers with the day each was answered.
    expect(await (await fetch(`${base}/`)).text()).toMatch(timeScript);
    const page = await jordan(true);
    await page.goto(`${base}/ask`);
    expect(await page.locator('time[datetime]').count()).toBe(0);
    expect(await page.locator('script[src*="/static/time."]').count()).toBe(0);
    await page.goto(`${base}/account/questions`);
    const after = await page.locator('script[src*="/static/time."]').count();
    expect(after).toBe(1);
    await page.context().close();
  });

  it('says the day of an event as it was where the reader is, near midnight UTC', async () => {
    // Asked at 02:30 UTC on November 20: still the evening of November 19 in New York.
    const db = site.t.database.db;
    const question = await db
      .selectFrom('questions')
      .select(['id', 'slug'])
      .where('status', '=', 'published')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    const asked = '2026-11-20T02:30:00.000Z';
    await db.updateTable('questions').set({ created_at: asked }).where('id', '=', question.id).execute();
    const path = `/q/${question.id}/${question.slug}`;
    const askedOn = async (javaScriptEnabled: boolean) => {
      const context = await browser.newContext({ bypassCSP: true, javaScriptEnabled, timezoneId: ZONE, locale: 'en-US' });
      const page = await context.newPage();
      await page.goto(`${base}${path}`);
      const meta = (await page.locator('p.meta', { hasText: 'Asked' }).first().textContent()) ?? '';
      const time = page.locator(`time[datetime="${asked}"]`);
      const title = (await time.getAttribute('title')) ?? '';
      const text = plain((await time.textContent()) ?? '');
      await context.close();
      return { meta: plain(meta), text, title };
    };
    // The day alone, in the style of the server's (no time of day, no zone).
    const local = await askedOn(true);
    expect(local.text).toBe('November 19, 2026');
    expect(local.meta).toContain('Asked November 19, 2026');
    expect(local.title).toBe('November 20, 2026 (UTC)');
    // Without JavaScript the server's UTC day stays.
    const utc = await askedOn(false);
    expect(utc.text).toBe('November 20, 2026');
    expect(utc.meta).toContain('Asked November 20, 2026');
  });
});
