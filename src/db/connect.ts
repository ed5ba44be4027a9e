import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import {
  type CompiledQuery,
  Kysely,
  type LogEvent,
  PostgresDialect,
  SqliteDialect,
  type SqliteDatabase as SqliteDialectDatabase,
  sql,
} from 'kysely';
import pg from 'pg';
import type { Config } from '../config.ts';
import { registerDirectReader } from './compiled.ts';
import type { Database } from './database.ts';
import { MAX_PARSED_ONCE, PARSED_ONCE, statementName } from './parsed-once.ts';

export type Engine = 'sqlite' | 'postgres';

/** What a query did, in a handful of words: enough to tell reads from writes, never its SQL or its values. */
export type QueryKind = 'select' | 'insert' | 'update' | 'delete' | 'other';

/** Told of every query once it is done: its kind, how long it took and whether it failed. */
export type QueryListener = (kind: QueryKind, ms: number, failed: boolean) => void;

export interface DatabaseHandle {
  readonly db: Kysely<Database>;
  readonly engine: Engine;
  /** PostgreSQL schema the tables live in, when not the default search path. */
  readonly pgSchema?: string;
  /** SQLite: the database file (its disk is the one /healthz watches for free space). */
  readonly file?: string;
  /** Runs a trivial query; throws if the database does not answer. */
  ping(): Promise<void>;
  /**
   * A number that changes whenever anything is committed to the database, by this process or any other; caches
   * compare it to skip their freshness query while nothing has changed. Undefined where there is no such cheap
   * signal (PostgreSQL, an in-memory SQLite): callers then check freshness every time.
   */
  changeStamp?(): number;
  /** Tells `listener` of every query from now on (for metrics); returns what stops it. */
  onQuery(listener: QueryListener): () => void;
  close(): Promise<void>;
}

const NODE_KINDS: Record<string, QueryKind> = {
  SelectQueryNode: 'select',
  InsertQueryNode: 'insert',
  UpdateQueryNode: 'update',
  DeleteQueryNode: 'delete',
};

/** A query built with Kysely says what it is; raw SQL (sql`...`, compiled templates) by its first word. */
function queryKind(query: CompiledQuery): QueryKind {
  const kind = NODE_KINDS[query.query.kind];
  if (kind) return kind;
  const word = /^\s*(\w+)/.exec(query.sql)?.[1]?.toLowerCase();
  return word === 'select' || word === 'insert' || word === 'update' || word === 'delete' ? word : 'other';
}

/**
 * The listeners of one handle, and what Kysely's `log` option calls. Kysely times each query itself, around the
 * driver's call (not the wait for a pooled connection). With no listener the cost is Kysely's timing alone.
 */
function queryListeners() {
  const listeners = new Set<QueryListener>();
  return {
    listeners,
    log(event: LogEvent): void {
      if (listeners.size === 0) return;
      const kind = queryKind(event.query);
      for (const l of listeners) l(kind, event.queryDurationMillis, event.level === 'error');
    },
    onQuery(listener: QueryListener): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export interface ConnectOptions {
  /** PostgreSQL only: put every table in this schema (tests use one schema each). */
  readonly pgSchema?: string;
}

export function connect(database: Config['database'], options: ConnectOptions = {}): DatabaseHandle {
  return database.engine === 'sqlite' ? connectSqlite(database.file) : connectPostgres(database.url, database.poolSize, options.pgSchema);
}

function connectSqlite(file: string): DatabaseHandle {
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
  const raw = new SqliteDatabase(file);
  raw.pragma('journal_mode = WAL');
  // WAL defaults to NORMAL, which may lose the last commits on power loss; an acknowledged write must survive.
  raw.pragma('synchronous = FULL');
  raw.pragma('foreign_keys = ON');
  raw.pragma('busy_timeout = 5000');
  raw.pragma('cache_size = -65536');
  raw.pragma('temp_store = MEMORY');
  const queries = queryListeners();
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(raw) }), log: queries.log });

  // Page reads (compileOnce queries) run on a second, read-only connection. Kysely drives SQLite through one
  // connection behind a mutex, so without it every page view would queue behind any open write transaction
  // (an import, a long admin change); with WAL the reader goes on while a writer works, and, being another
  // connection, it sees only committed data. Skipping Kysely's async path also saves a few µs a query.
  // An in-memory database cannot be opened twice, so there the reads stay on Kysely. See decision 0004.
  let reader:
    | { raw: SqliteDatabase.Database; prepare: (sql: string) => SqliteDatabase.Statement; dataVersion: SqliteDatabase.Statement }
    | undefined;
  const openReader = () => {
    if (!reader) {
      const r = new SqliteDatabase(file, { readonly: true, fileMustExist: true });
      r.pragma('busy_timeout = 5000');
      r.pragma('cache_size = -65536');
      // Reads through a memory map (up to 1 GiB of the file): a page already in the operating system's cache costs
      // no read() call and no copy. A question page's related links land on rows all over the file, which the
      // 64 MiB page cache above cannot hold for a large site; mapped, they come from the OS cache instead. Only the
      // read-only connection maps the file, so no write ever goes through the map.
      r.pragma('mmap_size = 1073741824');
      reader = {
        raw: r,
        prepare: withStatementCache(r).prepare as (sql: string) => SqliteDatabase.Statement,
        dataVersion: r.prepare('pragma data_version').pluck(),
      };
    }
    return reader;
  };
  if (file !== ':memory:')
    registerDirectReader(db, (sqlText, parameters) => {
      // These reads skip Kysely, and so its timing: they are timed here, as selects.
      if (queries.listeners.size === 0)
        return openReader()
          .prepare(sqlText)
          .all(...parameters);
      const started = performance.now();
      let failed = true;
      try {
        const rows = openReader()
          .prepare(sqlText)
          .all(...parameters);
        failed = false;
        return rows;
      } finally {
        const ms = performance.now() - started;
        for (const l of queries.listeners) l('select', ms, failed);
      }
    });
  return {
    db,
    engine: 'sqlite',
    ...(file !== ':memory:'
      ? {
          file,
          // SQLite's data_version, read on the read-only connection, changes whenever another connection (the
          // writer of this process, or any connection of another process) commits: about a microsecond, no table read.
          changeStamp: () => openReader().dataVersion.get() as number,
        }
      : {}),
    async ping() {
      await sql`select 1`.execute(db);
    },
    onQuery: queries.onQuery,
    async close() {
      reader?.raw.close();
      reader = undefined;
      await db.destroy();
    },
  };
}

/**
 * Kysely's SQLite driver prepares every query anew, and preparing costs more than running a small indexed query.
 * Statements are kept by SQL text (the SQL is the same for every call of a query; values are bound parameters).
 * Safe because better-sqlite3 is synchronous and Scholia never streams (`iterate`) a query: a statement is
 * never in use twice at once.
 */
function withStatementCache(raw: SqliteDatabase.Database, max = 500): SqliteDialectDatabase {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => raw.close(),
    prepare(sqlText: string) {
      let stmt = cache.get(sqlText);
      if (stmt) {
        // Refresh its place so the map's order is least recently used first.
        cache.delete(sqlText);
      } else {
        stmt = raw.prepare(sqlText);
        if (cache.size >= max) cache.delete(cache.keys().next().value as string);
      }
      cache.set(sqlText, stmt);
      return stmt;
    },
  } as SqliteDialectDatabase;
}

/**
 * A pg client that sends a statement marked PARSED_ONCE as a named statement (db/parsed-once.ts), for its first
 * MAX_PARSED_ONCE texts: a bound on what a connection keeps, whatever texts the marked statements come to have.
 */
class ParsingOnceClient extends pg.Client {
  readonly #named = new Set<string>();
  // pg's query() has a dozen overloads; this passes every call on as it came.
  override query(config: any, values?: any, callback?: any): any {
    if (typeof config === 'string' && Array.isArray(values) && config.includes(PARSED_ONCE)) {
      const name = statementName(config);
      if (this.#named.has(name) || this.#named.size < MAX_PARSED_ONCE) {
        this.#named.add(name);
        return super.query({ name, text: config, values }, callback);
      }
    }
    return super.query(config, values, callback);
  }
}

function connectPostgres(url: string, max: number, schema?: string): DatabaseHandle {
  if (schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema name ${schema}`);
  // JIT compilation off: it is made for long analytic statements, and a statement here runs for milliseconds. With
  // it on (PostgreSQL's default), a search statement whose estimated cost passed jit_above_cost spent 16 ms
  // compiling itself to run for 0.5 ms.
  // Statements marked PARSED_ONCE are prepared (db/parsed-once.ts), and planned each time with their values.
  const options = ['-c jit=off', '-c plan_cache_mode=force_custom_plan', ...(schema ? [`-c search_path=${schema}`] : [])].join(' ');
  // A connection once opened stays open (pg-pool closes one idle for 10 s by default): a new connection's first
  // search took 180-250 ms at a million questions, PostgreSQL reading its catalogs again, against 13-25 ms after.
  const pool = new pg.Pool({ connectionString: url, max, options, idleTimeoutMillis: 0, Client: ParsingOnceClient });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  const queries = queryListeners();
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), log: queries.log });
  return {
    db,
    engine: 'postgres',
    ...(schema ? { pgSchema: schema } : {}),
    async ping() {
      await sql`select 1`.execute(db);
    },
    onQuery: queries.onQuery,
    async close() {
      await db.destroy();
    },
  };
}
