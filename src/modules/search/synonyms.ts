// Synonyms and abbreviations: groups of words and phrases a search treats as one ("ww1", "world war i", "first
// world war"), kept in search_synonyms and edited by admins at /admin/search. They are applied to the query, never
// to the index, so a change takes effect on the next search with nothing to rebuild. Pure: parsing what an admin
// typed, and the lookup parseQuery uses.

export const SYNONYM_LIMITS = {
  groups: 500,
  phrasesPerGroup: 12,
  wordsPerPhrase: 6,
  phraseChars: 60,
  /** The whole text of the form. */
  textChars: 60_000,
} as const;

const WORD = /[\p{L}\p{N}][\p{L}\p{N}\p{M}]*/gu;

/** A phrase as the words search reads in it (lower case; punctuation between words does not count). */
export function phraseWords(phrase: string): string[] {
  return phrase.normalize('NFKC').toLowerCase().match(WORD) ?? [];
}

export interface SynonymProblem {
  line: number;
  message: string;
}

/**
 * The groups in an admin's text: one group a line, its phrases separated by commas; blank lines are skipped.
 * Every problem is reported with its line number, and nothing is taken while there is one.
 */
export function parseSynonymText(text: string): { groups: string[][]; problems: SynonymProblem[] } {
  const groups: string[][] = [];
  const problems: SynonymProblem[] = [];
  if (text.length > SYNONYM_LIMITS.textChars) {
    const message = `The list is longer than ${SYNONYM_LIMITS.textChars.toLocaleString('en-US')} characters.`;
    return { groups, problems: [{ line: 1, message }] };
  }
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    if (raw.trim() === '') continue;
    const read = readLine(raw);
    if (typeof read === 'string') problems.push({ line: i + 1, message: read });
    else groups.push(read);
  }
  if (groups.length > SYNONYM_LIMITS.groups) problems.push({ line: 1, message: `At most ${SYNONYM_LIMITS.groups} lines.` });
  return { groups, problems };
}

/** One line's phrases, or what is wrong with it. */
function readLine(raw: string): string[] | string {
  const phrases: string[] = [];
  for (const part of raw.split(',')) {
    const trimmed = part.trim();
    if (trimmed === '') continue;
    const words = phraseWords(trimmed);
    if (words.length === 0) return `"${trimmed.slice(0, 40)}" has no letters or digits.`;
    if (trimmed.length > SYNONYM_LIMITS.phraseChars || words.length > SYNONYM_LIMITS.wordsPerPhrase)
      return `"${trimmed.slice(0, 40)}" is too long: at most ${SYNONYM_LIMITS.wordsPerPhrase} words and ${SYNONYM_LIMITS.phraseChars} characters.`;
    const phrase = words.join(' ');
    if (!phrases.includes(phrase)) phrases.push(phrase);
  }
  if (phrases.length < 2) return 'A line needs at least two words or phrases, separated by commas.';
  if (phrases.length > SYNONYM_LIMITS.phrasesPerGroup) return `At most ${SYNONYM_LIMITS.phrasesPerGroup} words or phrases a line.`;
  return phrases;
}

/** The groups as the form shows them: one a line. */
export function formatSynonyms(groups: readonly (readonly string[])[]): string {
  return groups.map((g) => g.join(', ')).join('\n');
}

/** A phrase of a group, as the words a query must hold in a row to name the group. */
export interface SynonymEntry {
  words: string[];
  group: number;
}

/**
 * The lookup parseQuery uses: for each word, the phrases starting with it, longest first (so "world war 1" wins
 * over "1" where both could be read).
 */
export function synonymLookup(groups: readonly (readonly string[])[]): {
  byFirstWord: Map<string, SynonymEntry[]>;
  alternatives: string[][][];
} {
  const byFirstWord = new Map<string, SynonymEntry[]>();
  const alternatives = groups.map((g) => g.map((p) => p.split(' ')));
  alternatives.forEach((phrases, group) => {
    for (const words of phrases) {
      const first = words[0] as string;
      byFirstWord.set(first, [...(byFirstWord.get(first) ?? []), { words, group }]);
    }
  });
  for (const list of byFirstWord.values()) list.sort((a, b) => b.words.length - a.words.length);
  return { byFirstWord, alternatives };
}

/**
 * Spellings that may join a name and the adjective made from it ("Darwin", "Darwinian"; "Shakespeare",
 * "Shakespearean"; "Pythagoras", "Pythagorean"; "Victoria", "Victorian"), which no stemmer joins. Only candidates:
 * search keeps those its free text holds. Short words are left alone (a three-letter word plus "-an" is too often
 * another word).
 */
export function nameForms(word: string): string[] {
  if (!/^[a-z]{6,}$/.test(word)) return [];
  const out = new Set<string>();
  if (word.endsWith('ian')) {
    out.add(word.slice(0, -3)); // darwinian -> darwin
    out.add(word.slice(0, -1)); // victorian -> victoria
    out.add(`${word.slice(0, -3)}e`); // shakespearian -> shakespeare
  } else if (word.endsWith('ean')) {
    out.add(word.slice(0, -2)); // shakespearean -> shakespeare, european -> europe
    out.add(`${word.slice(0, -3)}as`); // pythagorean -> pythagoras
  } else if (word.endsWith('an')) {
    out.add(word.slice(0, -2)); // elizabethan -> elizabeth
    out.add(word.slice(0, -1)); // american -> america
  } else {
    if (word.endsWith('a'))
      out.add(`${word}n`); // victoria -> victorian
    else if (word.endsWith('e')) {
      out.add(`${word}an`); // shakespeare -> shakespearean
      out.add(`${word.slice(0, -1)}ian`);
    } else if (/(as|us)$/.test(word)) {
      out.add(`${word.slice(0, -2)}ean`); // pythagoras -> pythagorean
      out.add(`${word.slice(0, -2)}ian`);
      out.add(`${word.slice(0, -2)}an`); // confucius -> confucian
    } else {
      out.add(`${word}ian`); // darwin -> darwinian
      out.add(`${word}ean`);
      out.add(`${word}an`); // elizabeth -> elizabethan
    }
  }
  out.delete(word);
  return [...out];
}
