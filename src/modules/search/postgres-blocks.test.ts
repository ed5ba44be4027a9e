import { describe, expect, it } from 'vitest';
import { newestBlocks } from './postgres-search.repository.ts';

/** The id ranges [low, high) a walk reads, in its order. */
function ranges(top: number): Array<[number, number]> {
  const walk = newestBlocks(top);
  return walk.blocks.map((b) => {
    if (b === '') return [0, walk.rest];
    const m = /^'id(\d+) (\d+)'$/.exec(b);
    if (!m) throw new Error(`not a block: ${b}`);
    const size = 2 ** Number(m[1]);
    return [Number(m[2]) * size, (Number(m[2]) + 1) * size];
  });
}

describe('the newest-first walk over blocks of ids (PostgreSQL search)', () => {
  it.each([0, 1, 1023, 1024, 5000, 99_999, 1_000_000, 1_048_575, 1_048_576, 3_333_333, 50_000_000])(
    'reads every id up to %i once, newest first, in few reads',
    (top) => {
      const read = ranges(top);
      // Newest first, each range just below the last: nothing is read twice and nothing is skipped.
      expect(read[0]?.[0]).toBeLessThanOrEqual(top);
      expect(read[0]?.[1]).toBeGreaterThan(top);
      for (let i = 1; i < read.length; i++) expect(read[i]?.[1]).toBe(read[i - 1]?.[0]);
      expect(read.at(-1)?.[0]).toBe(0);
      // Ranges never shrink, and the walk is short whatever the size of the site.
      const walk = newestBlocks(top);
      const size = (i: number) => (read[i]?.[1] ?? 0) - (read[i]?.[0] ?? 0);
      for (let i = 1; i < read.length; i++) if (walk.blocks[i] !== '') expect(size(i)).toBeGreaterThanOrEqual(size(i - 1));
      expect(read.length).toBeLessThanOrEqual(32);
      // Each entry's first id is where it starts.
      expect(walk.starts).toEqual(read.map(([low]) => low));
    },
  );

  it('starts with at least two small blocks, so a common word need not read a large one', () => {
    // 1,048,576 starts a block of every size: the newest small block holds one question.
    expect(newestBlocks(1_048_576).blocks.slice(0, 2)).toEqual(["'id10 1024'", "'id10 1023'"]);
  });
});
