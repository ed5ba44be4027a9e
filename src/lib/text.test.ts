import { describe, expect, it } from 'vitest';
import { slugify } from './slug.ts';
import { countWords, truncate } from './text.ts';

describe('text helpers', () => {
  it('counts words', () => {
    expect(countWords('  one two\nthree ')).toBe(3);
    expect(countWords('')).toBe(0);
  });

  it('truncates at a word boundary with an ellipsis', () => {
    expect(truncate('short', 10)).toBe('short');
    expect(truncate('the quick brown fox jumps over', 17)).toBe('the quick brown…');
  });
});

describe('slugify', () => {
  it('makes lowercase ASCII slugs', () => {
    expect(slugify('What were Napoléon’s aims in 1812?')).toBe('what-were-napoleon-s-aims-in-1812');
    expect(slugify('Rock & Roll')).toBe('rock-and-roll');
    expect(slugify('¿¿??')).toBe('question');
  });

  it('cuts long titles at a hyphen', () => {
    const s = slugify('word '.repeat(50), 30);
    expect(s.length).toBeLessThanOrEqual(30);
    expect(s.endsWith('-')).toBe(false);
  });
});
