import type { synonymLookup } from './synonyms.ts';

// What a search box's text means: words, and phrases in double quotes, all of which must match.
// Nothing the user types is ever passed on as query syntax: each engine gets an expression built from these words
// (see the adapters), so quotes, operators, brackets, emoji or control characters cannot make a query fail.

/**
 * PostgreSQL's English stop words (the snowball list its 'english' configuration uses). Both engines drop the
 * same words, so a query finds the same questions on either; on SQLite it also spares ranking the one word found
 * in every document ("the").
 */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  `i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers herself it
  its itself they them their theirs themselves what which who whom this that these those am is are was were be been
  being have has had having do does did doing a an the and but if or because as until while of at by for with about
  against between into through during before after above below to from up down in out on off over under again further
  then once here there when where why how all any both each few more most other some such no nor not only own same so
  than too very s t can will just don should now`.split(/\s+/),
);

/**
 * Words students put between the things they compare or around what they ask ("mitosis vs meiosis"): never part
 * of what a question says, so a query drops them like stop words rather than require them.
 */
export const CONNECTORS: ReadonlySet<string> = new Set(['vs', 'versus', 'v']);

/** Characters of the query read at most; anything longer is cut (a pasted page still gets an answer). */
export const MAX_QUERY_CHARS = 1000;
/** Words or phrases that must all match; more are ignored. */
export const MAX_CLAUSES = 8;
const MAX_PHRASE_WORDS = 8;
/** Longer "words" are noise (a pasted hash, a run of letters) and match nothing useful. */
const MAX_WORD_CHARS = 60;

export interface ParsedQuery {
  /** Each clause must match: one word, or several (a phrase from a quoted part, words in that order). */
  clauses: string[][];
  /** Every word kept, in order (for highlighting and "did you mean"). */
  words: string[];
  /** Words left out for being too common (stop words outside quotes). */
  dropped: string[];
  /** The query as it will be shown and put in links: the text, cleaned and cut. */
  text: string;
  /** Match the last clause (one word) as the start of a word too: what a student was still typing. */
  prefixLast?: boolean;
  /**
   * Groups of the synonym table the query names (synonyms.ts): each must match too, by any of its phrases. The
   * words that named one are not in `clauses`.
   */
  anyOf: string[][][];
}

/** The word to match as the start of a word too: the last clause, when prefixLast is set and it is one word. */
export function prefixWord(query: Pick<ParsedQuery, 'clauses' | 'prefixLast'>): string | undefined {
  const last = query.clauses[query.clauses.length - 1];
  return query.prefixLast && last?.length === 1 ? (last[0] as string) : undefined;
}

/** What a search holds: a clause, or a group of synonyms. */
export function isEmptyQuery(query: Pick<ParsedQuery, 'clauses' | 'anyOf'>): boolean {
  return query.clauses.length === 0 && query.anyOf.length === 0;
}

// Straight and typographic double quotes all open or close a phrase.
const QUOTES = /["“”„‟″«»]/;
const WORD = /[\p{L}\p{N}][\p{L}\p{N}\p{M}]*/gu;

/** Control characters (NUL included) and runs of white space become one space; the length is capped. */
export function cleanQueryText(raw: string): string {
  return raw
    .slice(0, MAX_QUERY_CHARS * 2)
    .normalize('NFKC')
    .replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028\u2029\ufeff]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, MAX_QUERY_CHARS);
}

function wordsOf(text: string): string[] {
  return (text.toLowerCase().match(WORD) ?? []).filter((w) => w.length <= MAX_WORD_CHARS);
}

/**
 * The words and phrases of a query. With synonyms (synonymLookup over the table), a run of words naming a group
 * ("ww1", "first world war") becomes that group, matched by any of its phrases, instead of words that must all match.
 */
export function parseQuery(raw: string, synonyms?: ReturnType<typeof synonymLookup>): ParsedQuery {
  const text = cleanQueryText(raw);
  const parts = text.split(QUOTES);
  // An odd number of quotes leaves the last one unmatched: what follows it is plain words, not a phrase.
  if (parts.length % 2 === 0) parts.splice(parts.length - 2, 2, `${parts[parts.length - 2]} ${parts[parts.length - 1]}`);
  const clauses: string[][] = [];
  const seen = new Set<string>();
  const words: string[] = [];
  const dropped: string[] = [];
  const anyOf: string[][][] = [];
  const groupsNamed = new Set<number>();
  /** The phrase of a synonym group that starts at ws[i], if any. */
  const synonymAt = (ws: readonly string[], i: number) =>
    synonyms?.byFirstWord.get(ws[i] as string)?.find((e) => e.words.every((w, k) => ws[i + k] === w));
  const add = (clause: string[]) => {
    const key = clause.join(' ');
    if (seen.has(key) || clauses.length >= MAX_CLAUSES) return;
    seen.add(key);
    clauses.push(clause);
    for (const w of clause) if (!STOP_WORDS.has(w) && !words.includes(w)) words.push(w);
  };
  parts.forEach((part, i) => {
    const ws = wordsOf(part);
    const quoted = i % 2 === 1;
    if (quoted && ws.some((w) => !STOP_WORDS.has(w))) {
      // A phrase keeps its stop words: "war of the worlds" means those words in that order.
      const phrase = ws.slice(0, MAX_PHRASE_WORDS);
      while (phrase.length > 0 && STOP_WORDS.has(phrase[0] as string)) phrase.shift();
      while (phrase.length > 0 && STOP_WORDS.has(phrase[phrase.length - 1] as string)) phrase.pop();
      add(phrase);
      return;
    }
    for (let i = 0; i < ws.length; i++) {
      const w = ws[i] as string;
      const named = synonymAt(ws, i);
      if (named && synonyms && clauses.length + anyOf.length < MAX_CLAUSES) {
        if (!groupsNamed.has(named.group)) {
          groupsNamed.add(named.group);
          const alternatives = synonyms.alternatives[named.group] as string[][];
          anyOf.push(alternatives);
          for (const alt of alternatives) for (const a of alt) if (!STOP_WORDS.has(a) && !words.includes(a)) words.push(a);
        }
        i += named.words.length - 1;
      } else if (STOP_WORDS.has(w) || CONNECTORS.has(w)) dropped.push(w);
      else add([w]);
    }
  });
  return { clauses, words, dropped, text, anyOf };
}
