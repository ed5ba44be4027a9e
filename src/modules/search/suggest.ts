import { STOP_WORDS } from './query.ts';

// "Did you mean": every spelling one edit away from a word that matched nothing (a letter deleted, swapped with
// its neighbour, replaced or inserted), looked up in the index in one query. About 50 spellings a letter, so a
// few hundred lookups a word: cheap enough for the one page that has no results.

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
/** Words worth correcting: plain lower-case Latin letters, of a length typos happen in. */
const CORRECTABLE = /^[a-z]{3,20}$/;

export function isCorrectable(word: string): boolean {
  return CORRECTABLE.test(word);
}

/** Spellings one edit from `word`, without the word itself and stop words (which the index is never asked). */
export function oneEditAway(word: string): string[] {
  const out = new Set<string>();
  for (let i = 0; i <= word.length; i++) {
    const head = word.slice(0, i);
    const tail = word.slice(i);
    if (tail.length > 0) out.add(head + tail.slice(1));
    if (tail.length > 1) out.add(head + (tail[1] as string) + (tail[0] as string) + tail.slice(2));
    for (const c of LETTERS) {
      if (tail.length > 0) out.add(head + c + tail.slice(1));
      out.add(head + c + tail);
    }
  }
  out.delete(word);
  return [...out].filter((w) => w.length >= 2 && !STOP_WORDS.has(w));
}

/** The most frequent known spelling (ties: alphabetical, so the choice is stable), or null. */
export function bestSpelling(counts: ReadonlyMap<string, number>): string | null {
  let best: [string, number] | null = null;
  for (const [w, n] of counts) {
    if (!best || n > best[1] || (n === best[1] && w < best[0])) best = [w, n];
  }
  return best ? best[0] : null;
}

/** The query text with each corrected word replaced (whole words, any case). */
export function applyCorrections(text: string, corrections: ReadonlyMap<string, string>): string {
  let out = text;
  for (const [from, to] of corrections) {
    out = out.replace(new RegExp(`(?<![\\p{L}\\p{N}])${from}(?![\\p{L}\\p{N}])`, 'giu'), to);
  }
  return out;
}
