import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../src/db/connect.ts';
import { migrateToLatest } from '../src/db/migrator.ts';
import { createUser } from '../src/modules/accounts/index.ts';
import { STAND_IN_MEMBER } from '../src/modules/questions/member-pages.tsx';
import { buildTestApp, type TestApp } from './helpers/app.ts';
import { engines } from './helpers/databases.ts';
import { makeQuestion } from './helpers/factories.ts';
import { Client } from './helpers/http.ts';

// Members' question pages are kept once per question for all members, with the header (who is reading) filled in
// per request (src/modules/questions/member-pages.tsx). Each member must still see their own header, the whole
// answer, and an edit at once; the page must decode the same in every content-coding.

const PW = 'a long enough passphrase';
const ANSWER_END = 'The members-only closing sentence about the aqueduct builders.';

function html(res: LightMyRequestResponse): string {
  const raw = res.rawPayload;
  const coding = res.headers['content-encoding'];
  if (coding === 'gzip') return gunzipSync(raw).toString();
  if (coding === 'br') return brotliDecompressSync(raw).toString();
  return raw.toString();
}

describe.each(engines)("members' question pages on %s", (engine) => {
  let t: TestApp;
  let questionUrl: string;
  let id: number;
  const members: Record<string, Client> = {};

  beforeAll(async () => {
    t = await buildTestApp(engine);
    id = await makeQuestion(t.database.db, {
      title: 'How did Roman aqueducts carry water so far?',
      answer: `${'Gravity did the work over long, gentle slopes. '.repeat(40)}\n\n${ANSWER_END}`,
    });
    questionUrl = (await t.app.inject({ url: `/q/${id}` })).headers.location as string;
    const accounts: Array<[string, string]> = [
      ['ana@example.org', 'Ana Member'],
      ['ben@example.org', 'Ben Member'],
    ];
    for (const [email, name] of accounts) {
      await createUser(t.database.db, { email, name, password: PW });
      const c = new Client(t.app);
      expect((await c.submit('/login', '/login', { email, password: PW })).statusCode).toBe(303);
      // The free trial makes them members (local mode).
      expect((await c.submit(questionUrl, '/membership/trial', { next: questionUrl })).statusCode).toBe(303);
      members[name] = c;
    }
  });

  afterAll(async () => {
    await t?.close();
  });

  it('shows each member their own header and the whole answer, never the stand-in', async () => {
    for (let round = 0; round < 2; round++) {
      for (const name of ['Ana Member', 'Ben Member']) {
        const page = html(await (members[name] as Client).get(questionUrl));
        expect(page).toContain(name);
        expect(page).toContain(ANSWER_END);
        expect(page).not.toContain(STAND_IN_MEMBER.name);
        expect(page).not.toContain(STAND_IN_MEMBER.csrfToken as string);
        // Their trial banner: members on a trial see the time left.
        expect(page).toContain('Free trial:');
        expect(page).not.toContain(name === 'Ana Member' ? 'Ben Member' : 'Ana Member');
      }
    }
  });

  it('sends the same page in gzip, brotli and no coding', async () => {
    const c = members['Ana Member'] as Client;
    const strip = (s: string) => s.replace(/name="_csrf" value="[^"]+"/g, '');
    c.headers = { 'accept-encoding': 'br, gzip' };
    const gz = await c.get(questionUrl);
    c.headers = { 'accept-encoding': 'br' };
    const br = await c.get(questionUrl);
    c.headers = {};
    const plain = await c.get(questionUrl);
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(br.headers['content-encoding']).toBe('br');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(strip(html(gz))).toBe(strip(html(plain)));
    expect(strip(html(br))).toBe(strip(html(plain)));
    expect(gz.headers['cache-control']).toBe('private, no-store');
    expect(gz.headers.vary).toContain('accept-encoding');
    // The form tokens are made per request, and each one works: Log out in the header is a real form.
    expect(html(gz)).toMatch(/action="\/logout"/);
  });

  it('gives every page its own form token, which signs the member out', async () => {
    const c = members['Ana Member'] as Client;
    const tokenOf = (page: string) => /action="\/logout"[\s\S]*?name="_csrf" value="([^"]+)"/.exec(page)?.[1];
    const first = tokenOf(html(await c.get(questionUrl)));
    const second = tokenOf(html(await c.get(questionUrl)));
    expect(first).toBeTruthy();
    expect(second).toBeTruthy();
    expect(first).not.toBe(second);
    expect((await c.post('/logout', { _csrf: first as string })).statusCode).toBe(303);
    const after = html(await c.get(questionUrl));
    expect(after).not.toContain('Ana Member');
    expect(after).toContain('Read the whole expert answer');
  });

  it('shows an edit at once', async () => {
    const c = members['Ben Member'] as Client;
    expect(html(await c.get(questionUrl))).toContain(ANSWER_END);
    const edited = 'A rewritten closing sentence about the siphons of Lyon.';
    await t.database.db
      .updateTable('answers')
      .set({ body: edited, body_html: `<p>${edited}</p>`, updated_at: new Date(Date.now() + 1000).toISOString() })
      .where('question_id', '=', id)
      .execute();
    const after = html(await c.get(questionUrl));
    expect(after).toContain('siphons of Lyon');
    expect(after).not.toContain(ANSWER_END);
  });
});

describe('members’ pages on SQLite, edited by another process', () => {
  it('shows the edit at once', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'scholia-members-'));
    const file = path.join(dir, 'site.db');
    const handle = connect({ engine: 'sqlite', file });
    await migrateToLatest(handle);
    const t = await buildTestApp('sqlite', { database: { ...handle, destroy: () => handle.close() } });
    try {
      const id = await makeQuestion(t.database.db, {
        title: 'Why do bridges have expansion joints?',
        answer: 'Because steel grows in the heat.',
      });
      const url = (await t.app.inject({ url: `/q/${id}` })).headers.location as string;
      await createUser(t.database.db, { email: 'cy@example.org', name: 'Cy Member', password: PW });
      const c = new Client(t.app);
      await c.submit('/login', '/login', { email: 'cy@example.org', password: PW });
      await c.submit(url, '/membership/trial', { next: url });
      expect(html(await c.get(url))).toContain('steel grows in the heat');
      expect(html(await c.get(url))).toContain('steel grows in the heat');
      const other = new Database(file);
      other
        .prepare('update answers set body_html = ?, updated_at = ? where question_id = ?')
        .run('<p>Steel and concrete move.</p>', new Date(Date.now() + 1000).toISOString(), id);
      other.close();
      const after = html(await c.get(url));
      expect(after).toContain('Steel and concrete move.');
      expect(after).toContain('Cy Member');
    } finally {
      await t.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
