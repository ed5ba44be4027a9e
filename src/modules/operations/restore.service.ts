import type { Kysely } from 'kysely';
import type { DatabaseHandle } from '../../db/connect.ts';
import type { Database } from '../../db/database.ts';
import { refreshPlannerStatistics, withStartupLock } from '../../db/dialect.ts';
import { migrateToLatest } from '../../db/migrator.ts';
import { InputError } from '../../lib/errors.ts';
import type { BlobStore } from '../images/index.ts';
import { rebuildSearchIndex } from '../search/index.ts';
import { checkArchive, readRecords } from './archive.ts';
import { blobMatchesKey } from './blobs.ts';
import { beginTable, checkColumns, clearTables, endTable, TableLoader, tablesWithData } from './copier.repository.ts';
import { type ImagesCheck, listNames, type TableCheck } from './report.ts';
import { decodeValue, OperationInterrupted, type TableShape } from './rows.ts';
import { knownMigrations, listTables, migrateTo, schemaLevel } from './schema.repository.ts';
import { COPIED_TABLES } from './tables.ts';
import { verifyImages, verifyTables } from './verify.service.ts';

export type RestorePhase = 'check' | 'restore' | 'images' | 'verify' | 'reindex';

export interface RestoreOptions {
  readonly file: string;
  /** Replace a site the database (or image store) already holds. */
  readonly force?: boolean;
  /** The image store IMAGE_STORE names for the restored site, on the database given (the loading transaction). */
  readonly imageStore: (db: Kysely<Database>) => BlobStore;
  readonly signal?: AbortSignal;
  readonly onProgress?: (phase: RestorePhase, done: number, total: number) => void;
}

export interface RestoreReport {
  readonly interrupted: boolean;
  /** The backup's schema level, and the migrations applied after its rows were in. */
  readonly migration: string;
  readonly migratedAfter: readonly string[];
  readonly rows: number;
  readonly images: number;
  readonly checks: readonly TableCheck[];
  readonly imagesCheck: ImagesCheck;
  /** Whether every table and image file matches the backup. */
  readonly ok: boolean;
  /** Published questions in the rebuilt search index. */
  readonly indexed: number;
  readonly backupCreatedAt: string;
  readonly backupEngine: string;
}

/**
 * Loads a backup into an empty database (or, with force, over a site): checks the whole file first, brings the schema
 * to the backup's level, loads every row and image file in one transaction (so an interruption or failure leaves the
 * database as it was), reads everything back and compares it with the backup's digests, then migrates to this
 * Scholia's level and rebuilds the search index, which backups leave out.
 */
export async function restoreSite(handle: DatabaseHandle, options: RestoreOptions): Promise<RestoreReport> {
  try {
    return await restore(handle, options);
  } catch (err) {
    if (!(err instanceof OperationInterrupted)) throw err;
    return {
      interrupted: true,
      migration: '',
      migratedAfter: [],
      rows: 0,
      images: 0,
      checks: [],
      imagesCheck: { expected: 0, found: 0, ok: false },
      ok: false,
      indexed: 0,
      backupCreatedAt: '',
      backupEngine: '',
    };
  }
}

async function restore(handle: DatabaseHandle, options: RestoreOptions): Promise<RestoreReport> {
  const { engine } = handle;
  const { file, onProgress, signal } = options;
  const { manifest, trailer } = await checkArchive(file, (done, total) => {
    if (signal?.aborted) throw new OperationInterrupted();
    onProgress?.('check', done, total);
  });
  const rowsInFile = manifest.tables.reduce((n, t) => n + t.rows, 0);

  const latest = knownMigrations[knownMigrations.length - 1] as string;
  if (!knownMigrations.includes(manifest.migration))
    throw new InputError([
      {
        field: file,
        message: `was made by a newer Scholia (its schema is at ${manifest.migration}; this one knows up to ${latest}): upgrade Scholia, then restore`,
      },
    ]);
  const level = await schemaLevel(handle.db, engine);
  const where = engine === 'sqlite' ? 'data directory' : 'database';
  const before = await listTables(handle.db, engine);
  const held = level === null ? [] : await tablesWithData(handle.db, before);
  const images = options.imageStore(handle.db);
  // The database store's table exists once the database is migrated (that far); files or a bucket may be there before.
  const hasImages = images.kind === 'database' && !before.includes('blobs') ? false : (await images.list({ limit: 1 })).length > 0;
  if ((held.length > 0 || hasImages) && options.force !== true) {
    const what = [held.length > 0 ? `rows in ${listNames(held)}` : '', hasImages ? 'image files' : ''].filter(Boolean).join(' and ');
    throw new InputError([{ field: 'restore', message: `this ${where} already holds a site (${what}); pass --force to replace it` }]);
  }

  // Usually up from nothing; down when this database was migrated past an older backup's level (it holds no site,
  // or --force is replacing it, so the down migrations run over tables about to be emptied anyway).
  await migrateTo(handle, manifest.migration);
  const present = new Set(await listTables(handle.db, engine));
  const shapes = new Map<string, TableShape>();
  for (const t of manifest.tables) {
    if (!present.has(t.name)) throw new Error(`the backup's table ${t.name} is not in this database at ${manifest.migration}`);
    await checkColumns(handle.db, engine, t);
    shapes.set(t.name, t);
  }

  const expectedImages = new Map<string, number>();
  let loaded = 0;
  await (handle.db as Kysely<any>).transaction().execute(async (trx) => {
    // Whatever the database held goes: the rows a new database fills by itself, or with force a whole site.
    await clearTables(
      trx,
      [...COPIED_TABLES].reverse().flatMap((t) => (present.has(t.name) ? [t.name] : [])),
    );
    if (options.force === true && present.has('blobs')) await clearTables(trx, ['blobs']);
    const store = options.imageStore(trx as Kysely<Database>);
    let current: { shape: TableShape; loader: TableLoader } | undefined;
    const endCurrent = async () => {
      if (!current) return;
      await current.loader.flush();
      await endTable(trx, engine, current.shape);
      current = undefined;
    };
    for await (const record of readRecords(file)) {
      if (record.kind === 'row') {
        if (current?.shape.name !== record.table) {
          await endCurrent();
          const shape = shapes.get(record.table) as TableShape;
          await beginTable(trx, engine, shape.name);
          current = { shape, loader: new TableLoader(trx, shape) };
        }
        await current.loader.add(record.values.map(decodeValue));
        loaded++;
        if (loaded % 500 === 0) {
          if (signal?.aborted) throw new OperationInterrupted();
          onProgress?.('restore', loaded, rowsInFile);
        }
      } else {
        await endCurrent();
        if (signal?.aborted) throw new OperationInterrupted();
        if (!blobMatchesKey(record.key, record.bytes))
          throw new InputError([
            { field: file, message: `is damaged: the image file ${record.key} does not hold the bytes its name says` },
          ]);
        await store.put(record.key, record.bytes, record.contentType);
        expectedImages.set(record.key, record.bytes.length);
        onProgress?.('images', expectedImages.size, trailer.images.rows);
      }
    }
    await endCurrent();
    onProgress?.('restore', loaded, rowsInFile);
  });

  let verified = 0;
  const checks = await verifyTables(
    handle,
    manifest.tables,
    (shape) => trailer.tables[shape.name] ?? { rows: 0, digest: '' },
    (n) => {
      verified += n;
      onProgress?.('verify', verified, rowsInFile);
    },
  );
  const imagesCheck = await verifyImages(options.imageStore(handle.db), expectedImages);
  const ok = checks.every((c) => c.ok) && imagesCheck.ok;
  let migratedAfter: string[] = [];
  let indexed = 0;
  if (ok) {
    migratedAfter = await withStartupLock(handle, migrateToLatest);
    indexed = await rebuildSearchIndex(handle, { onProgress: (done, total) => onProgress?.('reindex', done, total) });
    await refreshPlannerStatistics(engine, handle.db);
  }
  return {
    interrupted: false,
    migration: manifest.migration,
    migratedAfter,
    rows: loaded,
    images: expectedImages.size,
    checks,
    imagesCheck,
    ok,
    indexed,
    backupCreatedAt: manifest.createdAt,
    backupEngine: manifest.engine,
  };
}
