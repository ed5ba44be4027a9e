import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { expect } from 'vitest';
import { runCli } from '../../src/commands.ts';
import { connect, type DatabaseHandle, type Engine } from '../../src/db/connect.ts';
import { migrateToLatest } from '../../src/db/migrator.ts';
import { seedDemo } from '../../src/demo/seed.ts';
import { systemClock } from '../../src/lib/time.ts';
import { createBlobStore, DEFAULT_IMAGE_LIMITS, type StoredImage, storeImage } from '../../src/modules/images/index.ts';
import { COPIED_TABLES } from '../../src/modules/operations/index.ts';
import { solid } from './images.ts';
import { createOwnDatabase } from './own-database.ts';

// Whole sites for the backup, restore and move tests: a data directory and, on PostgreSQL, a database of its own,
// since the commands know only DATA_DIR and DATABASE_URL.

const root = path.resolve(import.meta.dirname, '../..');

/** Runs a `scholia` command in this process and collects what it writes. */
export async function scholia(args: string[], env: Record<string, string>) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    env: { LOG_LEVEL: 'warn', ...env },
    cwd: root,
    out: (line) => {
      stdout += `${line}\n`;
    },
    err: (text) => {
      stderr += text;
    },
  });
  return { code, stdout, stderr };
}

/** A site as the commands see it (its environment) and as the test sees it (a handle on its database). */
export interface Site {
  readonly engine: Engine;
  readonly env: Record<string, string>;
  readonly dataDir: string;
  readonly handle: DatabaseHandle;
  close(): Promise<void>;
}

/** A new, empty site: a data directory, and on PostgreSQL a database of its own. */
export async function openSite(engine: Engine): Promise<Site> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'scholia-site-'));
  if (engine === 'sqlite') {
    const handle = connect({ engine: 'sqlite', file: path.join(dataDir, 'scholia.db') });
    return {
      engine,
      env: { DATA_DIR: dataDir },
      dataDir,
      handle,
      async close() {
        await handle.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  const own = await createOwnDatabase();
  const handle = connect({ engine: 'postgres', url: own.url, poolSize: 4 });
  return {
    engine,
    env: { DATA_DIR: dataDir, DATABASE_URL: own.url },
    dataDir,
    handle,
    async close() {
      await handle.close();
      await own.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The image store a site of this engine uses by default (IMAGE_STORE unset). */
export function imagesOf(site: Site) {
  return createBlobStore({ store: site.engine === 'postgres' ? 'database' : 'files', dataDir: site.dataDir }, site.handle.db);
}

/** The demo site, `extra` generated questions, and a photo on the first question. */
export async function fillSite(site: Site, extra: number): Promise<StoredImage> {
  await migrateToLatest(site.handle);
  await seedDemo(site.handle.db);
  if (extra > 0) expect((await scholia(['generate', '--questions', String(extra), '--seed', '7'], site.env)).code).toBe(0);
  const db = site.handle.db;
  const owner = await db.selectFrom('users').select('id').orderBy('id').executeTakeFirstOrThrow();
  const image = await storeImage(
    { db, blobs: imagesOf(site), limits: DEFAULT_IMAGE_LIMITS, clock: systemClock },
    { bytes: await solid(120, 80, { alpha: 0.5 }).png().toBuffer(), ownerId: owner.id },
  );
  const question = await db.selectFrom('questions').select('id').orderBy('id').executeTakeFirstOrThrow();
  await db.insertInto('question_images').values({ question_id: question.id, image_id: image.id, position: 1 }).execute();
  return image;
}

/**
 * Every row of a table by its key, each as JSON with its columns by name (bytes as base64). With `columns`, only
 * those: a site a newer Scholia migrated has columns an older one's rows never had. A named column the table lacks
 * shows as missing, so it cannot pass for a null.
 */
export async function rowsOf(db: Kysely<any>, table: string, columns?: readonly string[]): Promise<Map<string, string>> {
  const key = COPIED_TABLES.find((t) => t.name === table)?.key ?? [];
  const rows = (await db.selectFrom(table).selectAll().execute()) as Record<string, unknown>[];
  const plain = (v: unknown) => (Buffer.isBuffer(v) ? v.toString('base64') : v);
  return new Map(
    rows.map((r) => [
      JSON.stringify(key.map((k) => r[k])),
      JSON.stringify([...(columns ?? Object.keys(r))].sort().map((c) => [c, c in r ? plain(r[c]) : '(missing column)'])),
    ]),
  );
}
