import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, parseQuestionId, questionPath } from './question.ts';

describe('question ids and paths', () => {
  it.each([
    ['1', 1],
    ['2147483647', 2147483647],
    ['2147483648', null],
    ['0', null],
    ['01', null],
    ['-1', null],
    ['1e3', null],
    ['abc', null],
    ['', null],
    ['99999999999999999999', null],
  ])('parseQuestionId(%j) is %j', (raw, expected) => {
    expect(parseQuestionId(raw)).toBe(expected);
  });

  it('builds the canonical path', () => {
    expect(questionPath({ id: 7, slug: 'why-ice-floats' })).toBe('/q/7/why-ice-floats');
  });
});

describe('keyset cursors', () => {
  it('round-trips', () => {
    const c = { publishedAt: '2026-11-26T14:37:38.123Z', id: 12345 };
    expect(decodeCursor(encodeCursor(c))).toEqual(c);
  });

  it.each(['', 'x', '1.', '.1', 'zzzzzzzzzzzzz.1', '1.0', 'abc.zzzzzzzz', '1.1;drop'])('rejects %j', (raw) => {
    expect(decodeCursor(raw)).toBeNull();
  });
});
