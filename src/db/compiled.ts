import { type Compilable, CompiledQuery, type Kysely } from 'kysely';

/*
 * Building and compiling a Kysely query costs several times what SQLite needs to run a primary-key lookup.
 * For the queries of the hottest pages, compileOnce builds the query once per database handle with sentinel
 * values in place of the arguments, remembers where each argument lands among the bound parameters, and from
 * then on only swaps the values in. The query must have a fixed shape: no argument may change the SQL text
 * (so no IN lists built from arrays, no optional clauses), and it must be a SELECT.
 */

/** Runs a SELECT synchronously outside Kysely; registered per database handle by db/connect.ts (SQLite only). */
export type DirectReader = (sql: string, parameters: readonly unknown[]) => unknown[];

const directReaders = new WeakMap<object, DirectReader>();

export function registerDirectReader(db: object, reader: DirectReader): void {
  directReaders.set(db, reader);
}

const sentinel = (i: number) => `\u0000compileOnce:${i}\u0000`;

interface Template {
  sql: string;
  parameters: readonly unknown[];
  /** For each bound parameter, the index of the argument that fills it, or -1 for a constant of the query. */
  slots: number[];
}

export function compileOnce<DB, A extends readonly unknown[], R>(
  build: (db: Kysely<DB>, ...args: A) => Compilable<R>,
): (db: Kysely<DB>, ...args: A) => Promise<R[]> {
  const templates = new WeakMap<Kysely<DB>, Template>();
  return async (db, ...args) => {
    let t = templates.get(db);
    if (!t) {
      const sentinels = args.map((_, i) => sentinel(i));
      const compiled = build(db, ...(sentinels as unknown as A)).compile();
      if (!/^\s*select\b/i.test(compiled.sql)) throw new Error('compileOnce is for SELECT queries only');
      const slots = compiled.parameters.map((p) => sentinels.indexOf(p as string));
      if (new Set(slots.filter((s) => s >= 0)).size !== args.length) {
        throw new Error('compileOnce: every argument must be bound exactly as a parameter of the query');
      }
      t = { sql: compiled.sql, parameters: compiled.parameters, slots };
      templates.set(db, t);
    }
    const tpl = t;
    const parameters = tpl.parameters.map((p, i) => {
      const slot = tpl.slots[i] as number;
      return slot >= 0 ? args[slot] : p;
    });
    // A transaction (`trx`) is its own Kysely instance with no direct reader, so it keeps reading its own writes.
    const direct = directReaders.get(db);
    if (direct) return direct(tpl.sql, parameters) as R[];
    const result = await db.executeQuery<R>(CompiledQuery.raw(tpl.sql, parameters));
    return result.rows;
  };
}
