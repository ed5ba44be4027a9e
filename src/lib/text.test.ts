import { describe, expect, it } from 'vitest';
import { slugify } from './slug.ts';
import { countWords, openingWords, truncate, words } from './text.ts';

describe('text helpers', () => {
  it('counts words', () => {
    expect(countWords('  one two\nthree ')).toBe(3);
    expect(countWords('')).toBe(0);
    // Punctuation, dashes and emoji are not words; numbers are.
    expect(countWords('Well — it’s 3.5 metres, isn’t it? 🙂')).toBe(6);
  });

  it.each([
    ['Chinese', '法国大革命的原因是多方面的，包括财政危机。', 9],
    ['Japanese', 'フランス革命の原因は財政危機でした。', 9],
    ['Thai', 'การปฏิวัติฝรั่งเศสเกิดขึ้นเพราะวิกฤตการเงิน', 9],
    ['Arabic', 'كانت أسباب الثورة الفرنسية كثيرة', 5],
    ['mixed', 'The 革命 began in 1789 และ ended ثورة.', 8],
  ])('counts words of %s text, written without spaces or with them', (_script, text, n) => {
    expect(countWords(text)).toBe(n);
    expect(words(text)).toHaveLength(n);
  });

  it('takes an opening of whole words within a word and a character limit', () => {
    expect(openingWords('one two three four', 2, 100)).toEqual({ text: 'one two', words: 2, cut: true });
    expect(openingWords('one two three four', 10, 9)).toEqual({ text: 'one two', words: 2, cut: true });
    expect(openingWords('one two.', 2, 100)).toEqual({ text: 'one two', words: 2, cut: false });
    const zh = openingWords('法国大革命的原因是多方面的，包括财政危机。', 3, 100);
    expect(zh.text).toBe('法国大革命的原因');
    expect(zh.cut).toBe(true);
  });

  it('cuts a single overlong word between characters, never inside an emoji or accented letter', () => {
    const long = 'ab'.repeat(500);
    expect(openingWords(long, 80, 10).text).toBe('ababababab');
    // An accented letter written as e + combining accent is one character to a reader: not split from its accent.
    const cut = openingWords(`${'y'.repeat(5)}e\u0301${'z'.repeat(20)}`, 80, 6).text;
    expect(cut).toBe('yyyyy');
    // The family emoji is one grapheme of 8 code units between two words: a cut keeps it whole or leaves it out.
    const family = 'ab👨‍👩‍👧cd';
    expect(openingWords(family, 80, 9).text).toBe('ab');
    expect(openingWords(family, 80, 12).text).toBe(family);
  });

  it('truncates at a word boundary with an ellipsis', () => {
    expect(truncate('short', 10)).toBe('short');
    expect(truncate('the quick brown fox jumps over', 17)).toBe('the quick brown…');
    expect(truncate('法国大革命的原因是多方面的，包括财政危机。', 10)).toBe('法国大革命的原因是…');
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
