import type { Kysely } from 'kysely';
import type { DatabaseHandle } from '../../db/connect.ts';
import type { Database } from '../../db/database.ts';
import { refreshPlannerStatistics, withStartupLock } from '../../db/dialect.ts';
import { migrateToLatest } from '../../db/migrator.ts';
import { InputError } from '../../lib/errors.ts';
import type { BlobStore } from '../images/index.ts';
import { rebuildSearchIndex } from '../search/index.ts';
import type { Tally } from './archive.ts';
import { blobMatchesKey, everyBlob } from './blobs.ts';
import {
  beginTable,
  checkColumns,
  clearTables,
  countRows,
  digestTable,
  endTable,
  readRows,
  TableLoader,
  tablesWithData,
} from './copier.repository.ts';
import { dropMarker, forgetDone, markDone, readMarker, startMarker } from './move.repository.ts';
import { type ImagesCheck, listNames, type TableCheck } from './report.ts';
import { canonicalOrder, canonicalRow, encodeValue, OperationInterrupted, RowsDigest, type TableShape } from './rows.ts';
import { columnsOf, listTables, migrateTo, readSnapshot, schemaLevel } from './schema.repository.ts';
import { COPIED_TABLES, MOVE_MARKER_TABLE, unknownTables } from './tables.ts';
import { storeContents, verifyImages, verifyTables } from './verify.service.ts';

export type MovePhase = 'copy' | 'images' | 'verify' | 'reindex';

export interface MoveOptions {
  /** Names the source site (its SQLite file's full path): a move interrupted half way resumes only from the same one. */
  readonly sourceId: string;
  /** The source's image store, on the database given (the snapshot's transaction). */
  readonly sourceImages: (db: Kysely<Database>) => BlobStore;
  /** The target site's image store; null when both sites use the same one (files on this disk, one bucket), which stays as it is. */
  readonly targetImages: ((db: Kysely<Database>) => BlobStore) | null;
  readonly signal?: AbortSignal;
  readonly onProgress?: (phase: MovePhase, done: number, total: number) => void;
}

export interface MoveReport {
  readonly interrupted: boolean;
  /** A run that found an interrupted move of this site and went on with it. */
  readonly resumed: boolean;
  readonly tables: number;
  /** Tables copied by this run (the others were copied by an earlier, interrupted one). */
  readonly tablesCopied: number;
  /** Tables an interrupted run had copied that the site changed since, so this run copied them again. */
  readonly recopied: readonly string[];
  readonly rows: number;
  readonly imagesCopied: number;
  readonly checks: readonly TableCheck[];
  readonly imagesCheck: ImagesCheck | null;
  readonly ok: boolean;
  readonly indexed: number;
  readonly unknownTables: readonly string[];
}

const tableItem = (name: string) => `table:${name}`;

/**
 * Copies a SQLite site into an empty PostgreSQL database. The source is read in one snapshot (stop the site first so
 * nothing written after it is left behind); each table is copied in one target transaction that also records it as
 * done, with its digest, in the target's `scholia_move` table. Run again after an interruption, the move checks the
 * tables done against the site as it is now (a table the site changed since is copied again, with the tables after
 * it) and copies the rest. Then every table is read back from both sides and compared; the search index is rebuilt
 * on PostgreSQL and the progress table dropped.
 */
async function move(source: DatabaseHandle, target: DatabaseHandle, options: MoveOptions): Promise<MoveReport> {
  const { signal, onProgress } = options;
  // Tables by name, the progress table included: the generic copier's view of the target.
  const tdb = target.db as Kysely<any>;
  const sourceTables = await listTables(source.db, source.engine);
  const level = await schemaLevel(source.db, source.engine);
  if (level === null)
    throw new InputError([{ field: 'move', message: 'this database holds no Scholia site yet (no migration has run): nothing to move' }]);
  const targetTables = await listTables(target.db, target.engine);
  const targetLevel = await schemaLevel(target.db, target.engine);
  let marker: Map<string, string> | undefined;
  if (targetTables.includes(MOVE_MARKER_TABLE)) {
    marker = await readMarker(tdb);
    if (marker.get('source') !== options.sourceId)
      throw new InputError([
        {
          field: 'move',
          message: `the target database holds an unfinished move of another site (${marker.get('source') ?? 'unknown'}); move into an empty database`,
        },
      ]);
  } else if (targetLevel !== null) {
    const held = await tablesWithData(target.db, targetTables);
    if (held.length > 0)
      throw new InputError([
        {
          field: 'move',
          message: `the target database already holds a site (rows in ${listNames(held)}); move copies a site only into an empty database`,
        },
      ]);
  }
  // Up from nothing, or down when the empty target was migrated by a newer Scholia than this site's schema.
  await migrateTo(target, level);
  const present = new Set(sourceTables);
  const copied = COPIED_TABLES.filter((t) => present.has(t.name));
  if (!marker) {
    // The rows a new database fills by itself (standard subjects, default synonyms) make way for the site's, and the
    // progress record starts, in one transaction: an interruption before it commits leaves an empty database.
    await tdb.transaction().execute(async (trx) => {
      await clearTables(
        trx,
        [...copied].reverse().map((t) => t.name),
      );
      await startMarker(trx, options.sourceId);
    });
    marker = new Map([['source', options.sourceId]]);
  }
  const done = marker;
  const resumed = [...done.keys()].some((k) => k.startsWith('table:'));

  let copiedNow = 0;
  let imagesCopied = 0;
  const recopied: string[] = [];
  const outcome = await readSnapshot(source, async (src) => {
    const shapes: (TableShape & { rows: number })[] = [];
    for (const t of copied) {
      const shape = { name: t.name, key: t.key, columns: await columnsOf(src, source.engine, t.name), rows: await countRows(src, t.name) };
      await checkColumns(target.db, target.engine, shape);
      shapes.push(shape);
    }
    const total = shapes.reduce((n, s) => n + s.rows, 0);
    const sourceTallies = new Map<string, Tally>();

    // Going on with an interrupted move: a table copied then must still be what the site holds now, or the tables
    // copied now could point at rows it lacks. The first that changed goes, with every table after it (any table
    // pointing at it comes later), to be copied again from this snapshot.
    for (const [i, shape] of shapes.entries()) {
      const recorded = done.get(tableItem(shape.name));
      if (recorded === undefined) continue;
      const now = await digestTable(src, shape, undefined, signal);
      sourceTallies.set(shape.name, now);
      const then = JSON.parse(recorded) as Tally;
      if (then.rows === now.rows && then.digest === now.digest) continue;
      const redo = shapes.slice(i).map((s) => s.name);
      await tdb.transaction().execute(async (trx) => {
        await clearTables(trx, [...redo].reverse());
        await forgetDone(trx, redo.map(tableItem));
      });
      for (const name of redo) {
        if (done.delete(tableItem(name))) recopied.push(name);
        sourceTallies.delete(name);
      }
      break;
    }

    let rows = 0;
    for (const shape of shapes) {
      if (done.has(tableItem(shape.name))) {
        rows += shape.rows;
        onProgress?.('copy', rows, total);
        continue;
      }
      if (signal?.aborted) throw new OperationInterrupted();
      const digest = new RowsDigest();
      const order = canonicalOrder(shape.columns);
      await tdb.transaction().execute(async (trx) => {
        await beginTable(trx, target.engine, shape.name);
        const loader = new TableLoader(trx, shape);
        for await (const batch of readRows(src, shape)) {
          if (signal?.aborted) throw new OperationInterrupted();
          for (const row of batch) {
            digest.add(canonicalRow(row.map(encodeValue), order));
            await loader.add(row);
          }
          rows += batch.length;
          onProgress?.('copy', rows, total);
        }
        await loader.flush();
        await endTable(trx, target.engine, shape);
        const tally: Tally = { rows: digest.rows, digest: digest.hex() };
        await markDone(trx, tableItem(shape.name), JSON.stringify(tally));
      });
      sourceTallies.set(shape.name, { rows: digest.rows, digest: digest.hex() });
      copiedNow++;
    }

    let imagesCheck: ImagesCheck | null = null;
    if (options.targetImages) {
      const from = options.sourceImages(src as Kysely<Database>);
      const to = options.targetImages(target.db);
      if (!done.has('images')) {
        // Puts of a key already there write nothing, so images copied by an interrupted run cost little.
        for await (const blob of everyBlob(from)) {
          if (signal?.aborted) throw new OperationInterrupted();
          if (!blobMatchesKey(blob.key, blob.bytes)) continue; // a damaged file: left behind, and the check below says so
          await to.put(blob.key, blob.bytes, blob.contentType);
          onProgress?.('images', ++imagesCopied, 0);
        }
        await markDone(tdb, 'images', 'done');
      }
      imagesCheck = await verifyImages(to, await storeContents(from));
    }

    let verified = 0;
    const checks = await verifyTables(
      target,
      shapes,
      async (shape) => sourceTallies.get(shape.name) ?? (await digestTable(src, shape, undefined, signal)),
      (n) => {
        verified += n;
        onProgress?.('verify', verified, total);
      },
    );
    return { checks, imagesCheck, rows: total };
  });

  const { checks, imagesCheck } = outcome;
  const firstBad = checks.findIndex((c) => !c.ok);
  const ok = firstBad < 0 && (imagesCheck?.ok ?? true);
  let indexed = 0;
  if (firstBad >= 0) {
    // A table that differs was copied from an earlier state of the site. It goes, with every table after it (any
    // table pointing at it comes later), so the next run copies them again from the site as it is then.
    const redo = checks.slice(firstBad).map((c) => c.name);
    await tdb.transaction().execute(async (trx) => {
      await clearTables(trx, [...redo].reverse());
      await forgetDone(trx, redo.map(tableItem));
    });
  } else if (!ok) {
    await forgetDone(tdb, ['images']);
  } else {
    await withStartupLock(target, migrateToLatest);
    indexed = await rebuildSearchIndex(target, { onProgress: (d, t) => onProgress?.('reindex', d, t) });
    await refreshPlannerStatistics(target.engine, target.db);
    await dropMarker(tdb);
  }
  return {
    interrupted: false,
    resumed,
    tables: checks.length,
    tablesCopied: copiedNow,
    recopied,
    rows: outcome.rows,
    imagesCopied,
    checks,
    imagesCheck,
    ok,
    indexed,
    unknownTables: unknownTables(sourceTables),
  };
}

/** Ctrl-C (options.signal) ends the move at a safe point: the table in flight is rolled back, the ones done stay done. */
export async function moveSite(source: DatabaseHandle, target: DatabaseHandle, options: MoveOptions): Promise<MoveReport> {
  try {
    return await move(source, target, options);
  } catch (err) {
    if (!(err instanceof OperationInterrupted)) throw err;
    return {
      interrupted: true,
      resumed: false,
      tables: 0,
      tablesCopied: 0,
      recopied: [],
      rows: 0,
      imagesCopied: 0,
      checks: [],
      imagesCheck: null,
      ok: false,
      indexed: 0,
      unknownTables: [],
    };
  }
}
