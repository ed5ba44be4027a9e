import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { createUser } from '../src/modules/accounts/index.ts';
import { createBlobStore, openVariant, type StoredImage } from '../src/modules/images/index.ts';
import { COPIED_TABLES, moveSite } from '../src/modules/operations/index.ts';
import { listTables } from '../src/modules/operations/schema.repository.ts';
import { postgresUrl } from './helpers/environment.ts';
import { makeQuestion } from './helpers/factories.ts';
import { fillSite, imagesOf, openSite, rowsOf, type Site, scholia } from './helpers/sites.ts';

/** Rows of every copied table on both sides, compared table by table. */
async function differences(a: Site, b: Site): Promise<string[]> {
  const out: string[] = [];
  for (const t of COPIED_TABLES) {
    const [left, right] = [await rowsOf(a.handle.db, t.name), await rowsOf(b.handle.db, t.name)];
    if (left.size !== right.size) out.push(`${t.name}: ${left.size} rows here, ${right.size} there`);
    else for (const [key, row] of left) if (right.get(key) !== row) out.push(`${t.name} ${key}`);
  }
  return out;
}

/** Starts `scholia move` in this process and stops it (as Ctrl-C would) once `rows` rows are copied. */
async function interruptedMove(source: Site, target: Site, rows: number) {
  const controller = new AbortController();
  const report = await moveSite(source.handle, target.handle, {
    sourceId: path.join(source.dataDir, 'scholia.db'),
    sourceImages: (db) => createBlobStore({ store: 'files', dataDir: source.dataDir }, db),
    targetImages: (db) => createBlobStore({ store: 'database', dataDir: target.dataDir }, db),
    signal: controller.signal,
    onProgress: (phase, done) => {
      if (phase === 'copy' && done >= rows) controller.abort();
    },
  });
  expect(report.interrupted).toBe(true);
}

const opened: Site[] = [];
async function site(engine: 'sqlite' | 'postgres'): Promise<Site> {
  const s = await openSite(engine);
  opened.push(s);
  return s;
}

afterEach(async () => {
  for (const s of opened.splice(0)) await s.close();
});

describe.skipIf(!postgresUrl)('scholia move --to postgres://', () => {
  let image: StoredImage;

  it('copies a SQLite site into an empty PostgreSQL database, verifies every table, and the site works there', async () => {
    const source = await site('sqlite');
    const target = await site('postgres');
    image = await fillSite(source, 300);

    const r = await scholia(['move', '--to', target.env.DATABASE_URL as string], source.env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const tables = COPIED_TABLES.length;
    expect(r.stdout).toMatch(new RegExp(`^Copied \\d+ row\\(s\\) in ${tables} tables from `));
    expect(r.stdout).toContain('Verification, SQLite against PostgreSQL (rows and SHA-256 digest of each table):');
    expect(r.stdout).toMatch(/\n {2}questions +\d+ rows {2}[0-9a-f]{16} {2}match\n/);
    expect(r.stdout).toContain(`All ${tables} tables match (row counts and SHA-256 digests).`);
    expect(r.stdout).toContain(`Images: ${image.variants.length} file(s) copied into the database`);

    // Every row, bytes and whole numbers alike, is the same on PostgreSQL; the progress table is gone.
    expect(await differences(source, target)).toEqual([]);
    expect(await listTables(target.handle.db, 'postgres')).not.toContain('scholia_move');

    // The photo's files are in PostgreSQL's blobs table (IMAGE_STORE=database, PostgreSQL's default).
    for (const v of image.variants) {
      const moved = await openVariant({ db: target.handle.db, blobs: imagesOf(target) }, v.key);
      const kept = await openVariant({ db: source.handle.db, blobs: imagesOf(source) }, v.key);
      expect(moved.kind === 'found' && kept.kind === 'found' && moved.bytes.equals(kept.bytes)).toBe(true);
    }

    // The search index holds every published question, and finds one by its title; new ids follow the moved ones.
    const published = await target.handle.db
      .selectFrom('questions')
      .innerJoin('answers', 'answers.question_id', 'questions.id')
      .select(['questions.id', 'questions.title'])
      .where('questions.status', '=', 'published')
      .orderBy('questions.id')
      .execute();
    expect(r.stdout).toContain(`Search index rebuilt: ${published.length} published question(s).`);
    const first = published[0] as { id: number; title: string };
    const hits = await sql<{ question_id: number }>`select question_id from search_documents
      where document @@ plainto_tsquery('english', ${first.title})`.execute(target.handle.db);
    expect(hits.rows.map((h) => h.question_id)).toContain(first.id);
    const last = await target.handle.db
      .selectFrom('questions')
      .select((eb) => eb.fn.max('id').as('id'))
      .executeTakeFirstOrThrow();
    expect(await makeQuestion(target.handle.db)).toBeGreaterThan(Number(last.id));

    // Moved, the target holds a site: a second move into it is refused.
    const again = await scholia(['move', '--to', target.env.DATABASE_URL as string], source.env);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(
      /^move: the target database already holds a site \(rows in users, .*\); move copies a site only into an empty database\n$/,
    );
  }, 180_000);

  it('interrupted half way, run again, goes on and finishes the job', async () => {
    const source = await site('sqlite');
    const target = await site('postgres');
    await fillSite(source, 1500);
    await interruptedMove(source, target, 1200);
    const marker = await sql<{ item: string }>`select item from scholia_move order by item`.execute(target.handle.db);
    const done = marker.rows.filter((r) => r.item.startsWith('table:')).length;
    expect(done).toBeGreaterThan(0);
    expect(done).toBeLessThan(COPIED_TABLES.length);

    const r = await scholia(['move', '--to', target.env.DATABASE_URL as string], source.env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Went on with an interrupted move: ${COPIED_TABLES.length - done} table(s) copied now, ${done} before.`);
    expect(r.stdout).toContain(`All ${COPIED_TABLES.length} tables match`);
    expect(await differences(source, target)).toEqual([]);
  }, 180_000);

  it('run again after the site changed, copies again what changed since the interruption', async () => {
    const source = await site('sqlite');
    const target = await site('postgres');
    await fillSite(source, 0);
    const users = (await rowsOf(source.handle.db, 'users')).size;
    await interruptedMove(source, target, users);
    // The users were copied before the interruption; then someone signed up.
    await createUser(source.handle.db, { email: 'late@example.org', name: 'Late Comer', role: 'educator', subjects: ['history'] });

    const r = await scholia(['move', '--to', target.env.DATABASE_URL as string], source.env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('The site had changed since the interrupted run: copied again users.');
    expect(r.stdout).toContain(`Went on with an interrupted move: ${COPIED_TABLES.length} table(s) copied now, 0 before.`);
    expect(r.stdout).toContain(`All ${COPIED_TABLES.length} tables match`);
    expect(await differences(source, target)).toEqual([]);
  }, 180_000);

  it('refuses, in one line, a move it cannot make', async () => {
    const source = await site('sqlite');
    const other = await site('sqlite');
    const target = await site('postgres');
    await fillSite(source, 0);
    await fillSite(other, 0);
    await interruptedMove(source, target, 1);

    // Half-moved from one site, the target is no place for another.
    const mixed = await scholia(['move', '--to', target.env.DATABASE_URL as string], other.env);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toBe(
      `move: the target database holds an unfinished move of another site (${path.join(source.dataDir, 'scholia.db')}); move into an empty database\n`,
    );

    const notPg = await scholia(['move', '--to', 'mysql://localhost/site'], source.env);
    expect(notPg.code).toBe(2);
    expect(notPg.stderr).toMatch(/^--to must be a PostgreSQL URL/);

    const unreachable = await scholia(['move', '--to', 'postgres://nobody:secret@127.0.0.1:1/none'], source.env);
    expect(unreachable.code).toBe(2);
    expect(unreachable.stderr).toMatch(/^--to: cannot reach the PostgreSQL database postgres:\/\/nobody:\*\*\*@127\.0\.0\.1:1\/none: /);
    expect(unreachable.stderr).not.toContain('secret');
    expect(unreachable.stderr.trim().split('\n')).toHaveLength(1);

    const fromPg = await scholia(['move', '--to', target.env.DATABASE_URL as string], target.env);
    expect(fromPg.code).toBe(2);
    expect(fromPg.stderr).toContain('move: this site already runs on PostgreSQL');
  }, 180_000);
});
