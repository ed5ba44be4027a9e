import type { BlobStore } from '../images/index.ts';
import type { Tally } from './archive.ts';
import { digestTable } from './copier.repository.ts';
import type { ImagesCheck, TableCheck } from './report.ts';
import type { TableShape } from './rows.ts';
import { type OperationsHandle, readSnapshot } from './schema.repository.ts';

/**
 * Reads every table back from the target in one snapshot and compares its row count and digest with what was
 * expected. `expectedOf` may read the source (move) or return the backup's trailer (restore).
 */
export async function verifyTables(
  target: OperationsHandle,
  shapes: readonly TableShape[],
  expectedOf: (shape: TableShape) => Promise<Tally> | Tally,
  onRows?: (n: number) => void,
): Promise<TableCheck[]> {
  return readSnapshot(target, async (trx) => {
    const checks: TableCheck[] = [];
    for (const shape of shapes) {
      const expected = await expectedOf(shape);
      const actual = await digestTable(trx, shape, onRows);
      checks.push({ name: shape.name, expected, actual, ok: expected.rows === actual.rows && expected.digest === actual.digest });
    }
    return checks;
  });
}

/** Every key and size of an image store. */
export async function storeContents(store: BlobStore): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  let after = '';
  for (;;) {
    const page = await store.list({ after, limit: 1000 });
    for (const entry of page) out.set(entry.key, entry.bytes);
    if (page.length < 1000) return out;
    after = (page[page.length - 1] as { key: string }).key;
  }
}

/** Whether the target store holds every expected file at its size (a key names the content, so that is the file). */
export async function verifyImages(store: BlobStore, expected: ReadonlyMap<string, number>): Promise<ImagesCheck> {
  if (expected.size === 0) return { expected: 0, found: 0, ok: true };
  const held = await storeContents(store);
  let found = 0;
  for (const [key, size] of expected) if (held.get(key) === size) found++;
  return { expected: expected.size, found, ok: found === expected.size };
}
