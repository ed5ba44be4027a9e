import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../lib/markdown.ts';
import { countWords } from '../../lib/text.ts';
import { SyntheticTextGenerator } from './synthetic-text.ts';

describe('synthetic questions', () => {
  it('write the same HTML that renderMarkdown makes of their Markdown', () => {
    const gen = new SyntheticTextGenerator(42);
    for (let i = 0; i < 300; i++) {
      const q = gen.question();
      expect(q.answerHtml).toBe(renderMarkdown(q.answer));
      expect(q.detailsHtml).toBe(renderMarkdown(q.details));
    }
  });

  it('are deterministic for a seed and differ between seeds', () => {
    const a = new SyntheticTextGenerator(7).question();
    const b = new SyntheticTextGenerator(7).question();
    const c = new SyntheticTextGenerator(8).question();
    expect(a).toEqual(b);
    expect(a.title).not.toBe(c.title);
  });

  it('have realistic lengths: titles under 200 characters, answers of hundreds of words', () => {
    const gen = new SyntheticTextGenerator(1);
    const lengths = Array.from({ length: 500 }, () => gen.question());
    for (const q of lengths) {
      expect(q.title.length).toBeLessThanOrEqual(200);
      expect(q.title.endsWith('?')).toBe(true);
    }
    const words = lengths.map((q) => countWords(q.answer));
    const mean = words.reduce((x, y) => x + y, 0) / words.length;
    expect(mean).toBeGreaterThan(200);
    expect(mean).toBeLessThan(700);
  });

  it('draw words from a Zipf-like distribution: a few words are everywhere, most are rare', () => {
    const gen = new SyntheticTextGenerator(3);
    const counts = new Map<string, number>();
    for (let i = 0; i < 200_000; i++) {
      const w = gen.word();
      counts.set(w, (counts.get(w) ?? 0) + 1);
    }
    const ranked = [...counts.values()].sort((x, y) => y - x);
    expect(ranked[0] as number).toBeGreaterThan(10_000);
    // Rank 1 is roughly ten times rank 10 and a hundred times rank 100 under Zipf.
    expect((ranked[0] as number) / (ranked[9] as number)).toBeGreaterThan(6);
    expect((ranked[0] as number) / (ranked[99] as number)).toBeGreaterThan(50);
    expect(counts.size).toBeGreaterThan(10_000);
  });
});
