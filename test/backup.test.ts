import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openVariant } from '../src/modules/images/index.ts';
import { COPIED_TABLES, unknownTables } from '../src/modules/operations/index.ts';
import { columnsOf, knownMigrations, listTables, migrateTo, schemaLevel } from '../src/modules/operations/schema.repository.ts';
import { createTestDatabase, engines } from './helpers/databases.ts';
import { postgresUrl } from './helpers/environment.ts';
import { makeQuestion } from './helpers/factories.ts';
import { fillSite, imagesOf, openSite, rowsOf, type Site, scholia } from './helpers/sites.ts';

interface BackupFile {
  manifest: { migration: string; engine: string; tables: { name: string; rows: number }[] };
  trailer: { tables: Record<string, { rows: number }>; images: { rows: number } };
  lines: string[];
}

function readBackup(file: string): BackupFile {
  const lines = gunzipSync(readFileSync(file)).toString('utf8').trimEnd().split('\n');
  return { manifest: JSON.parse(lines[0] as string), trailer: JSON.parse(lines[lines.length - 1] as string), lines };
}

function backupDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'scholia-backups-'));
}

/** A failed command says one thing on one line, and no stack trace. */
function expectOneLine(stderr: string) {
  expect(stderr.trim().split('\n')).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at /);
}

describe.each(engines)('the tables on %s', (engine) => {
  it('are each either copied or skipped with a reason, so a new table cannot miss the backups', async () => {
    const database = await createTestDatabase(engine);
    try {
      const tables = await listTables(database.db, engine);
      expect(unknownTables(tables)).toEqual([]);
      expect(COPIED_TABLES.map((t) => t.name).filter((t) => !tables.includes(t))).toEqual([]);
    } finally {
      await database.destroy();
    }
  });
});

describe('the copy order', () => {
  it('puts every table after the tables its foreign keys point to', async () => {
    const database = await createTestDatabase('sqlite');
    try {
      const order = COPIED_TABLES.map((t) => t.name);
      const late: string[] = [];
      for (const [i, table] of order.entries()) {
        const refs = await sql<{ table: string }>`select "table" from pragma_foreign_key_list(${table})`.execute(database.db);
        for (const r of refs.rows) if (order.indexOf(r.table) >= i) late.push(`${table} -> ${r.table}`);
      }
      expect(late).toEqual([]);
    } finally {
      await database.destroy();
    }
  });
});

describe.each(engines)('backup and restore on %s', (engine) => {
  it('backs up while questions are being asked, and restores exactly the moment the backup began', async () => {
    const source = await openSite(engine);
    const target = await openSite(engine);
    const dir = backupDir();
    try {
      const image = await fillSite(source, 1500);
      const file = path.join(dir, 'site.backup.gz');

      // Questions keep coming while the backup runs (a separate connection from the command's).
      let backingUp = true;
      const writer = (async () => {
        let n = 0;
        while (backingUp) {
          await makeQuestion(source.handle.db);
          n++;
          // A pause between questions, as between requests: SQLite's calls never wait on I/O, so a loop of them
          // alone would hold the rest of the process (the backup's file writes) back for ever.
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        return n;
      })();
      const backup = await scholia(['backup', file], source.env).finally(() => {
        backingUp = false;
      });
      const written = await writer;
      expect(backup.stderr).toBe('');
      expect(backup.code).toBe(0);
      expect(backup.stdout).toMatch(/^Backed up \d+ row\(s\) in \d+ tables and \d+ image file\(s\) to /);
      expect(readFileSync(`${file}.sha256`, 'utf8')).toMatch(/^[0-9a-f]{64} {2}site\.backup\.gz\n$/);
      expect(written).toBeGreaterThan(0);

      const { manifest, trailer } = readBackup(file);
      const rowsInBackup = (t: string) => manifest.tables.find((m) => m.name === t)?.rows;
      // The writes went on during the backup, and the ones after its snapshot are not in it.
      const questionsNow = await source.handle.db
        .selectFrom('questions')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(questionsNow.n)).toBeGreaterThan(rowsInBackup('questions') as number);
      expect(trailer.images.rows).toBe(image.variants.length);

      const restore = await scholia(['restore', file], target.env);
      expect(restore.stderr).toBe('');
      expect(restore.code).toBe(0);
      expect(restore.stdout).toContain(`All ${manifest.tables.length} tables match`);

      // Row for row, the restored site is the source as it was when the backup began: the same count as the
      // manifest recorded, each row as the source still holds it (the writer only adds rows).
      const differences: string[] = [];
      for (const t of manifest.tables) {
        const restored = await rowsOf(target.handle.db, t.name);
        if (restored.size !== t.rows) differences.push(`${t.name}: ${restored.size} rows, not ${t.rows}`);
        const original = await rowsOf(source.handle.db, t.name);
        for (const [key, row] of restored) if (original.get(key) !== row) differences.push(`${t.name} ${key}`);
      }
      expect(differences).toEqual([]);

      // The photo's files came along, and the search index was rebuilt.
      for (const v of image.variants) {
        const there = await openVariant({ db: target.handle.db, blobs: imagesOf(target) }, v.key);
        const here = await openVariant({ db: source.handle.db, blobs: imagesOf(source) }, v.key);
        expect(there.kind).toBe('found');
        expect(there.kind === 'found' && here.kind === 'found' && there.bytes.equals(here.bytes)).toBe(true);
      }
      const published = await target.handle.db
        .selectFrom('questions')
        .innerJoin('answers', 'answers.question_id', 'questions.id')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('questions.status', '=', 'published')
        .executeTakeFirstOrThrow();
      expect(restore.stdout).toContain(`Search index rebuilt: ${Number(published.n)} published question(s).`);

      // New ids go on after the restored ones (PostgreSQL's identity sequences were moved past them).
      const last = await target.handle.db
        .selectFrom('questions')
        .select((eb) => eb.fn.max('id').as('id'))
        .executeTakeFirstOrThrow();
      expect(await makeQuestion(target.handle.db)).toBeGreaterThan(Number(last.id));
    } finally {
      await source.close();
      await target.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);
});

describe.skipIf(!postgresUrl)('a backup across engines', () => {
  it('made on PostgreSQL (images in the database) restores into SQLite (images as files)', async () => {
    const source = await openSite('postgres');
    const target = await openSite('sqlite');
    const dir = backupDir();
    try {
      const image = await fillSite(source, 0);
      const file = path.join(dir, 'pg.backup.gz');
      expect((await scholia(['backup', file], source.env)).code).toBe(0);
      const { manifest } = readBackup(file);
      expect(manifest.engine).toBe('postgres');
      const restore = await scholia(['restore', file], target.env);
      expect(restore.stderr).toBe('');
      expect(restore.code).toBe(0);
      expect(restore.stdout).toContain(`All ${manifest.tables.length} tables match`);
      for (const t of ['users', 'questions', 'answers', 'images', 'image_variants', 'question_images']) {
        expect(await rowsOf(target.handle.db, t)).toEqual(await rowsOf(source.handle.db, t));
      }
      const key = image.variants[0]?.key as string;
      const there = await openVariant({ db: target.handle.db, blobs: imagesOf(target) }, key);
      expect(there.kind).toBe('found');
      expect(existsSync(path.join(target.dataDir, 'images', key.slice(0, 2), key))).toBe(true);
    } finally {
      await source.close();
      await target.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe.each(engines)('a backup from an older Scholia on %s', (engine) => {
  it('restores into a database a newer Scholia already migrated, then brings the schema up to date', async () => {
    const source = await openSite(engine);
    const target = await openSite(engine);
    const dir = backupDir();
    try {
      // A site whose schema stopped before the images (as made by an older release).
      const older = knownMigrations[knownMigrations.indexOf('20261204T1600_images') - 1] as string;
      await migrateTo(source.handle, older);
      const ids = [await makeQuestion(source.handle.db), await makeQuestion(source.handle.db)];
      const file = path.join(dir, 'older.gz');
      expect((await scholia(['backup', file], source.env)).code).toBe(0);
      expect(readBackup(file).manifest.migration).toBe(older);
      expect(readBackup(file).manifest.tables.map((t) => t.name)).not.toContain('images');

      expect((await scholia(['migrate'], target.env)).code).toBe(0);
      const r = await scholia(['restore', file], target.env);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('Then brought the schema up to date: 20261204T1600_images, ');
      expect(await schemaLevel(target.handle.db, engine)).toBe(knownMigrations[knownMigrations.length - 1]);
      const restored = await target.handle.db.selectFrom('questions').select('id').orderBy('id').execute();
      expect(restored.map((q) => q.id)).toEqual(ids);
      // Compared on the older site's columns: the migrations run after the restore may add columns to these tables.
      for (const t of ['users', 'questions', 'answers', 'question_topics']) {
        const columns = await columnsOf(source.handle.db, engine, t);
        expect(await rowsOf(target.handle.db, t, columns)).toEqual(await rowsOf(source.handle.db, t, columns));
      }
    } finally {
      await source.close();
      await target.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('backup and restore refuse what they should, in one line', () => {
  let source: Site;
  let dir: string;
  let good: string;

  beforeAll(async () => {
    source = await openSite('sqlite');
    await fillSite(source, 0);
    dir = backupDir();
    good = path.join(dir, 'good.gz');
    expect((await scholia(['backup', good], source.env)).code).toBe(0);
  });

  afterAll(async () => {
    await source.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function restoreFresh(file: string) {
    const target = await openSite('sqlite');
    try {
      return await scholia(['restore', file], target.env);
    } finally {
      await target.close();
    }
  }

  it('a missing file', async () => {
    const r = await restoreFresh(path.join(dir, 'nothing-here.gz'));
    expect(r.code).toBe(2);
    expectOneLine(r.stderr);
    expect(r.stderr).toContain('nothing-here.gz: no such file');
  });

  it('a file that is not a backup', async () => {
    const plain = path.join(dir, 'notes.txt');
    writeFileSync(plain, 'my shopping list\n');
    const r = await restoreFresh(plain);
    expect(r.code).toBe(2);
    expectOneLine(r.stderr);
    expect(r.stderr).toContain('notes.txt: is not a Scholia backup, or is damaged: it is not a valid gzip file');

    const otherJson = path.join(dir, 'other.gz');
    writeFileSync(otherJson, gzipSync('{"hello":"world"}\n'));
    const o = await restoreFresh(otherJson);
    expect(o.code).toBe(2);
    expect(o.stderr).toContain('other.gz: is not a Scholia backup');
  });

  it('a truncated backup', async () => {
    const bytes = readFileSync(good);
    const cut = path.join(dir, 'cut.gz');
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const r = await restoreFresh(cut);
    expect(r.code).toBe(2);
    expectOneLine(r.stderr);
    expect(r.stderr).toContain('cut.gz: is cut short');
  });

  it('a backup changed after it was written: the checksum inside, and the one beside it', async () => {
    const { lines } = readBackup(good);
    const at = lines.findIndex((l) => l.includes('"t":"questions"'));
    const changed = [...lines];
    changed[at] = (changed[at] as string).replace(/"[^"]{12,}?"/, '"Someone rewrote this question title"');
    const tampered = path.join(dir, 'tampered.gz');
    writeFileSync(tampered, gzipSync(`${changed.join('\n')}\n`));
    const r = await restoreFresh(tampered);
    expect(r.code).toBe(2);
    expectOneLine(r.stderr);
    expect(r.stderr).toContain('tampered.gz: fails its checksum');

    const copy = path.join(dir, 'copy.gz');
    writeFileSync(copy, readFileSync(good));
    writeFileSync(`${copy}.sha256`, `${'0'.repeat(64)}  copy.gz\n`);
    const s = await restoreFresh(copy);
    expect(s.code).toBe(2);
    expectOneLine(s.stderr);
    expect(s.stderr).toContain('copy.gz: does not match the checksum in copy.gz.sha256');
  });

  it('a database that holds a site, unless --force', async () => {
    const r = await scholia(['restore', good], source.env);
    expect(r.code).toBe(2);
    expectOneLine(r.stderr);
    expect(r.stderr).toMatch(/^restore: this data directory already holds a site \(rows in users, .*\); pass --force to replace it\n$/);

    // With --force the site is replaced by the backup: a question asked since is gone.
    const extra = await makeQuestion(source.handle.db);
    const forced = await scholia(['restore', good, '--force'], source.env);
    expect(forced.stderr).toBe('');
    expect(forced.code).toBe(0);
    expect(await source.handle.db.selectFrom('questions').select('id').where('id', '=', extra).executeTakeFirst()).toBeUndefined();
  });

  it('writing over a file, unless --force; a site that is not there', async () => {
    const r = await scholia(['backup', good], source.env);
    expect(r.code).toBe(2);
    expectOneLine(r.stderr);
    expect(r.stderr).toContain('good.gz: already exists; choose another name, or pass --force to replace it');
    expect((await scholia(['backup', good, '--force'], source.env)).code).toBe(0);

    const empty = mkdtempSync(path.join(tmpdir(), 'scholia-empty-'));
    const none = await scholia(['backup', path.join(dir, 'none.gz')], { DATA_DIR: empty });
    expect(none.code).toBe(2);
    expectOneLine(none.stderr);
    expect(none.stderr).toMatch(/^backup: there is no site to back up: .*scholia\.db does not exist/);
    expect(existsSync(path.join(dir, 'none.gz'))).toBe(false);
    rmSync(empty, { recursive: true, force: true });

    const usage = await scholia(['restore'], source.env);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('restore takes one file: scholia restore FILE');
  });
});
