import { describe, expect, it } from 'vitest';
import { bestPassage, bestSnippet } from './snippet.ts';

const marked = (segments: { text: string; mark: boolean }[] | null) => (segments ?? []).filter((s) => s.mark).map((s) => s.text);
const plain = (segments: { text: string; mark: boolean }[] | null) => (segments ?? []).map((s) => s.text).join('');

describe('bestPassage', () => {
  it('takes the passage with the most distinct query words, whichever text holds it', () => {
    const texts = ['The war began in the spring.', 'Causes of the war and its first battle were many.'];
    const found = bestPassage(texts, ['war', 'battle']);
    expect(found?.source).toBe(1);
    expect(marked(found?.segments ?? null)).toEqual(['war', 'battle']);
  });

  it('gives a tie to the earlier text, and never reads past a text that holds every word', () => {
    const found = bestPassage(['A cell divides.', 'Cells divide, cell by cell, cells again.'], ['cell']);
    expect(found?.source).toBe(0);
    expect(plain(found?.segments ?? null)).toBe('A cell divides.');
  });

  it('marks the forms a rough stem joins, and words with accents or outside ASCII', () => {
    expect(marked(bestSnippet(['Revolutions and a revolution: the revolutionary states.'], ['revolution']))).toEqual([
      'Revolutions',
      'revolution',
    ]);
    expect(marked(bestSnippet(['Visitors to Éire and to İstanbul wrote of 光合作用.'], ['eire', '光合作用']))).toEqual([
      'Éire',
      '光合作用',
    ]);
    // A combining mark belongs to the word it follows (e + U+0301), and never starts one; accents are folded.
    expect(marked(bestSnippet(['We saw the ete\u0301 and \u0301ete.'], ['ete\u0301']))).toEqual(['ete\u0301', 'ete']);
  });

  it('counts the words a typed start begins as that word', () => {
    const found = bestSnippet(['Photosynthesis needs light; photons carry it.'], ['light', 'photo'], 'photo');
    expect(marked(found)).toEqual(['Photosynthesis', 'light', 'photons']);
  });

  it('cuts a long text around the best passage, with ellipses where it was cut', () => {
    const filler = Array.from({ length: 60 }, (_, i) => `word${i}`).join(' ');
    const segments = bestSnippet([`${filler} the treaty was signed ${filler}`], ['treaty'], undefined, 10);
    expect(segments?.[0]).toEqual({ text: '…', mark: false });
    expect(segments?.at(-1)).toEqual({ text: '…', mark: false });
    expect(plain(segments)).toBe('…word57 word58 word59 the treaty was signed word0 word1 word2…');
  });

  it('finds nothing when no text holds a query word', () => {
    expect(bestPassage(['Nothing here matches.', ''], ['volcano'])).toBeNull();
  });
});
