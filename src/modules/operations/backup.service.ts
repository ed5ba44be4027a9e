import type { Kysely } from 'kysely';
import type { DatabaseHandle } from '../../db/connect.ts';
import type { Database } from '../../db/database.ts';
import { InputError } from '../../lib/errors.ts';
import { type Clock, isoNow, systemClock } from '../../lib/time.ts';
import type { BlobStore } from '../images/index.ts';
import { ArchiveWriter, BACKUP_FORMAT, BACKUP_VERSION, type Manifest, type ManifestTable, type Tally } from './archive.ts';
import { everyBlob, imageEntry } from './blobs.ts';
import { countImageFiles, countRows, readRows } from './copier.repository.ts';
import { canonicalOrder, canonicalRow, encodeValue, OperationInterrupted, RowsDigest } from './rows.ts';
import { columnsOf, listTables, readSnapshot, schemaLevel } from './schema.repository.ts';
import { COPIED_TABLES, unknownTables } from './tables.ts';

export type BackupPhase = 'rows' | 'images';

export interface BackupOptions {
  readonly file: string;
  /** Replace FILE when it exists. */
  readonly force?: boolean;
  /**
   * The image store IMAGE_STORE names, on the database given: the snapshot's transaction, so images kept in the
   * database are read at the same moment as the rows.
   */
  readonly imageStore: (db: Kysely<Database>) => BlobStore;
  readonly signal?: AbortSignal;
  readonly onProgress?: (phase: BackupPhase, done: number, total: number) => void;
  readonly clock?: Clock;
}

export interface BackupReport {
  readonly interrupted: boolean;
  readonly file: string;
  /** SHA-256 of the file as written (also in FILE.sha256). */
  readonly sha256: string;
  readonly bytes: number;
  readonly migration: string;
  readonly tables: number;
  readonly rows: number;
  readonly images: number;
  /** Tables in the database that are not Scholia's: left out of the backup. */
  readonly unknownTables: readonly string[];
}

/**
 * Writes a backup of the site while it runs: every row of every table Scholia copies (tables.ts), read in one
 * snapshot, then the image store's files, into one file (archive.ts). An interruption leaves no FILE behind.
 */
export async function backupSite(handle: DatabaseHandle, options: BackupOptions): Promise<BackupReport> {
  const { engine } = handle;
  const tables = await listTables(handle.db, engine);
  if (!tables.includes('kysely_migration'))
    throw new InputError([
      { field: 'backup', message: 'this database holds no Scholia site yet (no migration has run): nothing to back up' },
    ]);
  const present = new Set(tables);
  const unknown = unknownTables(tables);
  const writer = await ArchiveWriter.create(options.file, { force: options.force === true });
  const report = (interrupted: boolean, sha256 = '', m: Partial<BackupReport> = {}): BackupReport => ({
    interrupted,
    file: options.file,
    sha256,
    bytes: writer.bytes,
    migration: '',
    tables: 0,
    rows: 0,
    images: 0,
    unknownTables: unknown,
    ...m,
  });
  try {
    const taken = await readSnapshot(handle, async (trx) => {
      const migration = (await schemaLevel(trx, engine)) as string;
      const store = options.imageStore(trx as Kysely<Database>);
      const shapes: ManifestTable[] = [];
      for (const t of COPIED_TABLES) {
        if (!present.has(t.name)) continue; // an older schema, before the table existed
        shapes.push({ name: t.name, key: t.key, columns: await columnsOf(trx, engine, t.name), rows: await countRows(trx, t.name) });
      }
      const manifest: Manifest = {
        format: BACKUP_FORMAT,
        version: BACKUP_VERSION,
        createdAt: isoNow(options.clock ?? systemClock),
        engine,
        migration,
        tables: shapes,
        imageStore: store.kind,
      };
      await writer.write(manifest);

      const total = shapes.reduce((n, s) => n + s.rows, 0);
      const tallies: Record<string, Tally> = {};
      let done = 0;
      for (const shape of shapes) {
        const digest = new RowsDigest();
        const order = canonicalOrder(shape.columns);
        for await (const batch of readRows(trx, shape)) {
          if (options.signal?.aborted) throw new OperationInterrupted();
          for (const row of batch) {
            const encoded = row.map(encodeValue);
            await writer.write({ t: shape.name, r: encoded });
            digest.add(canonicalRow(encoded, order));
          }
          done += batch.length;
          options.onProgress?.('rows', done, total);
        }
        // Counted and read in one snapshot, the two agree; if they do not, the read was not one moment.
        if (digest.rows !== shape.rows)
          throw new Error(`the table ${shape.name} changed while it was read (${shape.rows} rows counted, ${digest.rows} read)`);
        tallies[shape.name] = { rows: digest.rows, digest: digest.hex() };
      }

      const images = new RowsDigest();
      const expected = present.has('image_variants') ? await countImageFiles(trx) : 0;
      // A schema from before images has no blobs table for the database store to read.
      const blobs = store.kind === 'database' && !present.has('blobs') ? [] : everyBlob(store);
      for await (const blob of blobs) {
        if (options.signal?.aborted) throw new OperationInterrupted();
        await writer.write({ blob: blob.key, type: blob.contentType, data: blob.bytes.toString('base64') });
        images.add(imageEntry(blob.key, blob.bytes.length));
        options.onProgress?.('images', images.rows, Math.max(expected, images.rows));
      }
      return { migration, shapes, tallies, images: { rows: images.rows, digest: images.hex() }, total };
    });
    const sha256 = await writer.finish({ tables: taken.tallies, images: taken.images });
    return report(false, sha256, {
      migration: taken.migration,
      tables: taken.shapes.length,
      rows: taken.total,
      images: taken.images.rows,
    });
  } catch (err) {
    await writer.abandon();
    if (err instanceof OperationInterrupted) return report(true);
    throw err;
  }
}
