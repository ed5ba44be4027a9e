import { createHash } from 'node:crypto';

// What backup, restore and move agree on about a row: a value encoding that carries every value both engines hold
// (text, whole numbers, null, bytes) through JSON unchanged, and a digest of a table's rows that comes out the same
// on either engine.

/** A table as copied: its columns in the source's order and its key. */
export interface TableShape {
  readonly name: string;
  readonly columns: readonly string[];
  readonly key: readonly string[];
}

/** A value as written in a backup: JSON as it is, bytes as {"$b": base64}. */
export type EncodedValue = string | number | null | { readonly $b: string };

export function encodeValue(value: unknown): EncodedValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number') return value;
  if (value instanceof Uint8Array) return { $b: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  throw new Error(`cannot copy a value of type ${typeof value}`);
}

export function decodeValue(value: EncodedValue): string | number | null | Buffer {
  return value !== null && typeof value === 'object' ? Buffer.from(value.$b, 'base64') : value;
}

const MODULUS = (1n << 256n) - 1n;

/**
 * A digest of a set of rows that does not depend on their order: the sum, modulo 2^256, of the SHA-256 of each
 * row's canonical encoding. Rows are read in key order, but a text key sorts by the database's collation, which
 * differs between SQLite (bytes) and PostgreSQL (the locale's rules), so a digest over the rows in the order read
 * would differ between engines holding the same rows. Keys are unique, so no two rows of a table are the same and
 * none cancels another.
 */
export class RowsDigest {
  rows = 0;
  private sum = 0n;

  add(canonical: string): void {
    this.rows++;
    this.sum = (this.sum + BigInt(`0x${createHash('sha256').update(canonical).digest('hex')}`)) & MODULUS;
  }

  hex(): string {
    return this.sum.toString(16).padStart(64, '0');
  }
}

/** The order of the canonical encoding: columns by name, so two engines' column orders give the same digest. */
export function canonicalOrder(columns: readonly string[]): number[] {
  return columns
    .map((c, i) => [c, i] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([, i]) => i);
}

/** A row's canonical encoding: its encoded values, by column name, as JSON. */
export function canonicalRow(encoded: readonly EncodedValue[], order: readonly number[]): string {
  return JSON.stringify(order.map((i) => encoded[i]));
}

/** Thrown at a safe point after Ctrl-C: the work in flight is rolled back. */
export class OperationInterrupted extends Error {
  constructor() {
    super('interrupted');
    this.name = 'OperationInterrupted';
  }
}
