import { describe, expect, it } from 'vitest';
import { type BlockWalk, byWordBlocks, levelWalk, newestBlocks, nextWalk, wordBlockWalk } from './postgres-search.repository.ts';

/** The id ranges [low, high) a walk reads, in its order (ids from `below` up are never read). */
function rangesOf(walk: BlockWalk): Array<[number, number]> {
  return walk.blocks.map((b) => {
    if (b === '') return [0, walk.rest];
    const m = /^'id(\d+) (\d+)'$/.exec(b);
    if (!m) throw new Error(`not a block: ${b}`);
    const size = 2 ** Number(m[1]);
    return [Number(m[2]) * size, Math.min((Number(m[2]) + 1) * size, walk.below ?? Number.POSITIVE_INFINITY)];
  });
}

const ranges = (top: number) => rangesOf(newestBlocks(top));

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

describe('the walk after the newest blocks (PostgreSQL search)', () => {
  it.each([
    [998_400, 10, 5],
    [998_400, 16, 3],
    [65_536, 13, 100],
    [5000, 19, 2],
  ])('reads every id below %i once, newest first, in blocks of 2^%i (%i of them, then the rest)', (below, bits, count) => {
    const walk = levelWalk(below, bits, count);
    const read = rangesOf(walk);
    expect(read[0]?.[1]).toBe(below);
    for (let i = 1; i < read.length; i++) expect(read[i]?.[1]).toBe(read[i - 1]?.[0]);
    expect(read.at(-1)?.[0]).toBe(0);
    expect(walk.blocks.filter((b) => b !== '').length).toBeLessThanOrEqual(count);
    expect(walk.starts).toEqual(read.map(([low]) => low));
  });

  it('reads every older id at once when the newest blocks held no match, or few', () => {
    expect(nextWalk(0, 1_000_000, 998_400, 1000, 0.3).blocks).toEqual(['']);
    // One match in 1,600 ids: the 1,000 wanted lie over most of the table, and reading them all costs less.
    expect(nextWalk(1, 1_000_000, 998_400, 1000, 0.3).blocks).toEqual(['']);
  });

  it('walks blocks when the matches are dense, and fewer, larger ones the sparser they are', () => {
    const dense = nextWalk(300, 1_000_000, 998_400, 700, 0.3);
    const sparse = nextWalk(27, 1_000_000, 998_400, 973, 0.3);
    const size = (w: BlockWalk) => 2 ** Number(/^'id(\d+) /.exec(w.blocks[0] ?? '')?.[1]);
    expect(dense.blocks[0]).not.toBe('');
    expect(sparse.blocks[0]).not.toBe('');
    expect(size(sparse)).toBeGreaterThan(size(dense));
    // A slow look (a common word beside a rare one) makes for fewer looks.
    const looks = (w: BlockWalk) => w.blocks.filter((b) => b !== '').length;
    expect(looks(nextWalk(12, 1_000_000, 998_400, 988, 1.7))).toBeLessThan(looks(nextWalk(12, 1_000_000, 998_400, 988, 0.3)));
  });
});

describe('the walk over word blocks (PostgreSQL search)', () => {
  it('asks each block of 2^15 ids below the newest ones, newest first, for every lexeme of the query in it', () => {
    const walk = wordBlockWalk(['photosynthesi', 'leaf'], 998_400);
    expect(walk?.wordBlocks).toBe(true);
    // 998,399 is in block 30 (983,040 to 1,015,807); ids from 998,400 up were read with the newest blocks.
    expect(walk?.blocks[0]).toBe("'photosynthesi @30' & 'leaf @30'");
    expect(walk?.blocks.at(-1)).toBe("'photosynthesi @0' & 'leaf @0'");
    expect(walk?.blocks).toHaveLength(31);
    expect(walk?.starts.slice(0, 2)).toEqual([30 * 32_768, 29 * 32_768]);
    expect(walk?.below).toBe(998_400);
    expect(wordBlockWalk(['leaf'], 32_768)?.blocks).toEqual(["'leaf @0'"]);
  });

  it('quotes a lexeme as tsquery reads it, and leaves a query with no lexeme or an overlong one to the other walks', () => {
    expect(wordBlockWalk(["o'neil", 'a\\b'], 100)?.blocks).toEqual(["'o''neil @0' & 'a\\\\b @0'"]);
    expect(wordBlockWalk([], 998_400)).toBeNull();
    expect(wordBlockWalk(['x'.repeat(1000)], 998_400)).toBeNull();
    expect(wordBlockWalk(['leaf'], 0)).toBeNull();
  });

  it('is chosen when the matches are sparse in the newest ids and many more lie below them', () => {
    // Ten matches in the newest 1,601 ids: about 6,000 below, a block of 2^15 ids holds about 200.
    expect(byWordBlocks(10, 1_000_000, 998_400, 990)).toBe(true);
    // Dense (300 in 1,601 ids): a block of 2^15 ids would hold six times the 700 wanted; small blocks of ids do.
    expect(byWordBlocks(300, 1_000_000, 998_400, 700)).toBe(false);
    // One match: about 600 below, most of them wanted, but the estimate is rough: the blocks are asked until enough.
    expect(byWordBlocks(1, 1_000_000, 998_400, 999)).toBe(true);
    // About 250 below (a smaller site), far fewer than wanted: all of them are read at once.
    expect(byWordBlocks(1, 401_600, 400_000, 999)).toBe(false);
    expect(byWordBlocks(0, 1_000_000, 998_400, 1000)).toBe(false);
  });
});
