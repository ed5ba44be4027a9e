import { createHash, type Hash } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream, existsSync, readFileSync, statSync } from 'node:fs';
import { open, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip, createGzip } from 'node:zlib';
import { InputError } from '../../lib/errors.ts';
import type { EncodedValue } from './rows.ts';

/*
 * A backup file: gzip'd JSON lines.
 *   1. the manifest: format and version, when, from which engine, the schema's migration level, and each table with
 *      its columns, key and row count;
 *   2. the rows, table by table in key order: {"t": table, "r": [values in the manifest's column order]};
 *   3. the images' files: {"blob": key, "type": content type, "data": base64};
 *   4. the trailer: each table's row count and digest (copier.ts), the images' count and digest, and the SHA-256 of
 *      every line before it.
 * The counts and digests come last so a backup is one pass over the database. Beside FILE, FILE.sha256 holds the
 * SHA-256 of the compressed file in `sha256sum` format (`sha256sum -c FILE.sha256` checks a copy anywhere).
 */

export const BACKUP_FORMAT = 'scholia-backup';
export const BACKUP_VERSION = 1;

export interface ManifestTable {
  readonly name: string;
  readonly columns: readonly string[];
  readonly key: readonly string[];
  readonly rows: number;
}

export interface Manifest {
  readonly format: typeof BACKUP_FORMAT;
  readonly version: number;
  readonly createdAt: string;
  /** The engine backed up: 'sqlite' or 'postgres'. */
  readonly engine: string;
  /** The last migration applied to the database backed up. */
  readonly migration: string;
  readonly tables: readonly ManifestTable[];
  /** Which image store the files came from. */
  readonly imageStore: string;
}

export interface Tally {
  readonly rows: number;
  readonly digest: string;
}

export interface Trailer {
  readonly end: true;
  readonly tables: Readonly<Record<string, Tally>>;
  /** Images: how many files and the digest of their keys and sizes. */
  readonly images: Tally;
  /** SHA-256 (hex) of every line before this one, newlines included. */
  readonly sha256: string;
}

export type BackupRecord =
  | { readonly kind: 'row'; readonly table: string; readonly values: readonly EncodedValue[] }
  | { readonly kind: 'blob'; readonly key: string; readonly contentType: string; readonly bytes: Buffer };

/**
 * Level 1: compressing is the slowest part of a backup, and level 6 took three and a half times as long for files
 * 12% smaller. A megabyte of buffer (zlib streams pass it on to their Transform) lets the rows be read while the
 * previous ones are compressed on zlib's thread.
 */
const GZIP = { level: 1, writableHighWaterMark: 1 << 20 };

/** Writes a backup to FILE.partial and renames it to FILE only once it is whole, so FILE is never half a backup. */
export class ArchiveWriter {
  private readonly content = createHash('sha256');
  private readonly compressed = createHash('sha256');
  private readonly gzip = createGzip(GZIP);
  private readonly done: Promise<void>;
  private failure: unknown;
  bytes = 0;

  private constructor(
    readonly file: string,
    private readonly partial: string,
  ) {
    const compressed = this.compressed;
    const tap = new Transform({
      transform: (chunk: Buffer, _enc, callback) => {
        compressed.update(chunk);
        this.bytes += chunk.length;
        callback(null, chunk);
      },
    });
    this.done = pipeline(this.gzip, tap, createWriteStream(partial, { flags: 'wx' }));
    this.done.catch((err: unknown) => {
      this.failure = err;
    });
  }

  static async create(file: string, options: { force: boolean }): Promise<ArchiveWriter> {
    if (!options.force && existsSync(file))
      throw new InputError([{ field: file, message: 'already exists; choose another name, or pass --force to replace it' }]);
    const dir = path.dirname(file);
    if (!existsSync(dir) || !statSync(dir).isDirectory())
      throw new InputError([{ field: file, message: `cannot be written: there is no directory ${dir}` }]);
    const partial = `${file}.partial`;
    await rm(partial, { force: true });
    return new ArchiveWriter(file, partial);
  }

  // Lines are handed to gzip a few hundred kilobytes at a time: each write to it is a round trip to zlib's thread,
  // and a line at a time the backup spent most of its time waiting on those.
  private pending: string[] = [];
  private pendingLength = 0;

  async write(record: object): Promise<void> {
    if (this.failure) throw this.failure;
    const line = `${JSON.stringify(record)}\n`;
    this.content.update(line);
    this.pending.push(line);
    this.pendingLength += line.length;
    if (this.pendingLength >= 256 * 1024) await this.flush();
  }

  private async flush(): Promise<void> {
    const chunk = this.pending.join('');
    this.pending = [];
    this.pendingLength = 0;
    if (chunk !== '' && !this.gzip.write(chunk)) await once(this.gzip, 'drain');
  }

  /** Writes the trailer, then makes FILE (flushed to disk) and FILE.sha256; returns the compressed file's SHA-256. */
  async finish(trailer: Omit<Trailer, 'sha256' | 'end'>): Promise<string> {
    const line = `${JSON.stringify({ end: true, ...trailer, sha256: this.content.digest('hex') })}\n`;
    await this.flush();
    this.gzip.end(line);
    await this.done;
    const handle = await open(this.partial, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(this.partial, this.file);
    const sum = this.compressed.digest('hex');
    await writeFile(`${this.file}.sha256`, `${sum}  ${path.basename(this.file)}\n`);
    return sum;
  }

  /** Throws away what was written (an interrupted or failed backup). */
  async abandon(): Promise<void> {
    this.gzip.destroy();
    await this.done.catch(() => {});
    await rm(this.partial, { force: true });
  }
}

function damaged(file: string, message: string): InputError {
  return new InputError([{ field: file, message }]);
}

/** What zlib's error means for a person holding the file. */
function gzipProblem(file: string, err: unknown): InputError | undefined {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'Z_BUF_ERROR' || /unexpected end of file/i.test(String((err as Error)?.message)))
    return damaged(file, 'is cut short: the file ends before the backup does (was it copied or written completely?)');
  if (code === 'Z_DATA_ERROR' || code === 'Z_STREAM_ERROR')
    return damaged(file, 'is not a Scholia backup, or is damaged: it is not a valid gzip file');
  return undefined;
}

/** The file's lines, decompressed; `compressed` sees every byte of the file as read. */
async function* lines(file: string, compressed?: Hash): AsyncGenerator<string> {
  const source = createReadStream(file);
  const gunzip = createGunzip();
  source.on('error', (err) => gunzip.destroy(err));
  if (compressed) source.on('data', (chunk) => compressed.update(chunk as Buffer));
  source.pipe(gunzip);
  const decoder = new StringDecoder('utf8');
  let rest = '';
  try {
    for await (const chunk of gunzip) {
      rest += decoder.write(chunk as Buffer);
      let at = rest.indexOf('\n');
      while (at >= 0) {
        yield rest.slice(0, at);
        rest = rest.slice(at + 1);
        at = rest.indexOf('\n');
      }
    }
  } catch (err) {
    throw gzipProblem(file, err) ?? err;
  } finally {
    source.destroy();
    gunzip.destroy();
  }
  rest += decoder.end();
  if (rest !== '') yield rest;
}

function parse(file: string, line: string, n: number): Record<string, unknown> {
  try {
    const value = JSON.parse(line) as unknown;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {}
  throw damaged(file, `is damaged: line ${n} is not a record of a Scholia backup`);
}

export interface CheckedArchive {
  readonly manifest: Manifest;
  readonly trailer: Trailer;
  /** Keys and sizes of the images, in the order they come. */
  readonly images: number;
}

/**
 * Reads the whole file once before anything is restored: it must be a Scholia backup of a version this code reads,
 * whole (it ends with its trailer), unchanged since it was written (the trailer's SHA-256, and FILE.sha256 when it
 * is there), with the rows the manifest announces. Every problem is an InputError naming the file.
 */
export async function checkArchive(file: string, onRecord?: (done: number, total: number) => void): Promise<CheckedArchive> {
  if (!existsSync(file)) throw damaged(file, 'no such file');
  if (!statSync(file).isFile()) throw damaged(file, 'is not a file');
  const content = createHash('sha256');
  const compressed = createHash('sha256');
  let manifest: Manifest | undefined;
  let trailer: Trailer | undefined;
  const counts = new Map<string, number>();
  let images = 0;
  let n = 0;
  let expected = 0;
  for await (const line of lines(file, compressed)) {
    n++;
    if (trailer) throw damaged(file, `is damaged: there is more after its last record (line ${n})`);
    const record = parse(file, line, n);
    if (n === 1) {
      if (record.format !== BACKUP_FORMAT) throw damaged(file, 'is not a Scholia backup (its first record is not a backup manifest)');
      if (record.version !== BACKUP_VERSION)
        throw damaged(file, `was written by a newer Scholia (backup format ${String(record.version)}); upgrade Scholia to restore it`);
      manifest = record as unknown as Manifest;
      for (const t of manifest.tables) counts.set(t.name, 0);
      expected = manifest.tables.reduce((sum, t) => sum + t.rows, 1);
    } else if (record.end === true) {
      trailer = record as unknown as Trailer;
      continue;
    } else if (typeof record.t === 'string') {
      const seen = counts.get(record.t);
      if (seen === undefined || !Array.isArray(record.r)) throw damaged(file, `is damaged: line ${n} is not a row of a table it holds`);
      counts.set(record.t, seen + 1);
    } else if (typeof record.blob === 'string' && typeof record.data === 'string') {
      images++;
    } else {
      throw damaged(file, `is damaged: line ${n} is not a record of a Scholia backup`);
    }
    content.update(`${line}\n`);
    if (n % 1000 === 0) onRecord?.(n, Math.max(n, expected));
  }
  if (!manifest) throw damaged(file, 'is empty: it holds no backup');
  if (!trailer) throw damaged(file, 'is cut short: it ends before its last record (was it copied or written completely?)');
  if (trailer.sha256 !== content.digest('hex'))
    throw damaged(file, 'fails its checksum: its content changed after it was written (the file is damaged)');
  const sidecar = `${file}.sha256`;
  if (existsSync(sidecar)) {
    const expected = readFileSync(sidecar, 'utf8').trim().split(/\s+/)[0];
    if (expected !== compressed.digest('hex'))
      throw damaged(file, `does not match the checksum in ${path.basename(sidecar)}: one of the two files was changed or damaged`);
  }
  for (const t of manifest.tables) {
    const tally = trailer.tables[t.name];
    if (!tally || tally.rows !== t.rows || counts.get(t.name) !== t.rows)
      throw damaged(file, `is damaged: the table ${t.name} does not hold the ${t.rows} row(s) its manifest says`);
  }
  if (trailer.images.rows !== images) throw damaged(file, `is damaged: it holds ${images} image file(s), not ${trailer.images.rows}`);
  return { manifest, trailer, images };
}

/** The records of a checked backup, in order (the manifest and trailer left out). */
export async function* readRecords(file: string): AsyncGenerator<BackupRecord> {
  let n = 0;
  for await (const line of lines(file)) {
    n++;
    if (n === 1) continue;
    const record = parse(file, line, n);
    if (typeof record.t === 'string') yield { kind: 'row', table: record.t, values: record.r as EncodedValue[] };
    else if (typeof record.blob === 'string')
      yield { kind: 'blob', key: record.blob, contentType: String(record.type), bytes: Buffer.from(String(record.data), 'base64') };
  }
}
