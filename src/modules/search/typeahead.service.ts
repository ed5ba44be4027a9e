import type { DatabaseHandle } from '../../db/connect.ts';
import { guidePath } from '../guides/index.ts';
import { questionPath } from '../questions/index.ts';
import { cleanQueryText } from './query.ts';
import { type GuideTitle, newestTitleMatches, publishedGuideTitles, type TitleTerms } from './typeahead.repository.ts';

// Suggestions while typing in a search box: titles of published questions and study guides that hold every word
// typed, the last one possibly unfinished. Whatever arrives is read as words (letters, digits and marks); nothing
// of it reaches an engine as query syntax (see typeahead.repository.ts).

export const SUGGESTION_LIMIT = 8;
/** Guides come first (a guide on the book is likelier what is wanted than one question about it), a few at most. */
const MAX_GUIDES = 3;
/** Published guides read per keystroke; past this (no site is near it) the rest are not suggested. */
const GUIDE_SCAN_LIMIT = 2000;
/** Complete words used ahead of the one being typed; one more hardly narrows a list of eight. */
const MAX_WORDS = 6;
/** A longer "word" (a pasted hash) is in no title. */
const MAX_WORD_CHARS = 60;
/** The shortest word typed that is looked up as a prefix; one letter would match nearly every title. */
const MIN_PREFIX_CHARS = 2;

const WORD = /[\p{L}\p{N}][\p{L}\p{N}\p{M}]*/gu;

export interface Suggestion {
  title: string;
  url: string;
  kind: 'question' | 'guide';
  subject: string;
}

/** The words of a box's text, or null when there is nothing worth looking up. */
export function typedTerms(raw: string): TitleTerms | null {
  const words = cleanQueryText(raw).toLowerCase().match(WORD) ?? [];
  if (words.some((w) => w.length > MAX_WORD_CHARS)) return null;
  // A one-letter last word is a word just begun: the words before it decide until the next letter comes.
  if (words.length > 0 && (words[words.length - 1] as string).length < MIN_PREFIX_CHARS) words.pop();
  const prefix = words.pop();
  if (prefix === undefined || prefix.length < MIN_PREFIX_CHARS) return null;
  const complete = [...new Set(words)].filter((w) => w !== prefix).slice(0, MAX_WORDS);
  return { words: complete, prefix };
}

/**
 * Shorter prefixes to try when the one typed finds nothing. SQLite's index holds stems (porter): "difference" is
 * stored as "differ", so the prefix "differen" is in no title until the word is finished; one to three letters
 * fewer find it. On both engines this also forgives a typo near the end of a long word.
 */
function shorterPrefixes(prefix: string): string[] {
  const out: string[] = [];
  for (let cut = 1; cut <= 3 && prefix.length - cut >= 4; cut++) out.push(prefix.slice(0, -cut));
  return out;
}

/** Lower case without accents, so "Ete" finds "Été" as FTS5 (remove_diacritics) does for questions. */
function fold(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

/** Every word typed begins a word of the title (guides are few: matched here rather than by an index). */
function guideMatches(guides: readonly GuideTitle[], terms: TitleTerms): GuideTitle[] {
  const typed = [...terms.words, terms.prefix].map(fold);
  return guides.filter((g) => {
    const words = fold(g.title).match(WORD) ?? [];
    return typed.every((t) => words.some((w) => w.startsWith(t)));
  });
}

export async function suggest(database: DatabaseHandle, raw: string): Promise<Suggestion[]> {
  const terms = typedTerms(raw);
  if (!terms) return [];
  // Side by side: on PostgreSQL they are two round trips, on two connections of the pool.
  const [allGuides, found] = await Promise.all([
    publishedGuideTitles(database, GUIDE_SCAN_LIMIT),
    newestTitleMatches(database, terms, SUGGESTION_LIMIT),
  ]);
  let questions = found;
  for (const prefix of questions.length === 0 ? shorterPrefixes(terms.prefix) : []) {
    questions = await newestTitleMatches(database, { words: terms.words, prefix }, SUGGESTION_LIMIT);
    if (questions.length > 0) break;
  }
  const guides = guideMatches(allGuides, terms).slice(0, MAX_GUIDES);
  return [
    ...guides.map((g): Suggestion => ({ title: g.title, url: guidePath(g), kind: 'guide', subject: g.subject })),
    ...questions
      .slice(0, SUGGESTION_LIMIT - guides.length)
      .map((q): Suggestion => ({ title: q.title, url: questionPath(q), kind: 'question', subject: q.subject })),
  ];
}
