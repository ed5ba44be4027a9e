import { mathToText } from '../../lib/math.ts';

// Snippets under search results, made in TypeScript from text the viewer may read (the caller decides which),
// never by the engine: FTS5's snippet() or ts_headline would cut from the whole expert answer, paywalled part
// included. The result is plain text in pieces, some marked; the view escapes it like any text.

export interface Segment {
  text: string;
  /** A word of the query: shown in <mark>. */
  mark: boolean;
}

const TOKEN = /[\p{L}\p{N}][\p{L}\p{N}\p{M}]*/gu;
const PLURAL_KEEP = /(ss|is|us|ous)$/;
const SUFFIXES = [
  'ational',
  'ations',
  'ation',
  'ments',
  'ment',
  'ness',
  'ings',
  'ing',
  'ions',
  'ion',
  'edly',
  'ed',
  'ly',
  'ers',
  'er',
  'al',
];

/** A word as the matching compares it: lower case, accents off. */
const folded = (word: string) => word.toLowerCase().normalize('NFKD').replace(/\p{M}/gu, '');

/**
 * A rough English stem, for highlighting only: the engines stem properly when matching; here "revolutions",
 * "revolution" and "revolutionized" only need to light up for the query word "revolution".
 */
export function roughStem(word: string): string {
  let w = folded(word);
  if (w.length > 4 && w.endsWith('ies')) w = `${w.slice(0, -3)}y`;
  else if (w.length > 3 && w.endsWith('es') && /(ch|sh|x|z|ss)es$/.test(w)) w = w.slice(0, -2);
  else if (w.length > 3 && w.endsWith('s') && !PLURAL_KEEP.test(w)) w = w.slice(0, -1);
  for (const suffix of SUFFIXES) {
    if (w.length - suffix.length >= 4 && w.endsWith(suffix)) {
      w = w.slice(0, -suffix.length);
      break;
    }
  }
  if (w.length > 4 && w.endsWith('e')) w = w.slice(0, -1);
  if (w.length > 4 && w.endsWith('y')) w = `${w.slice(0, -1)}i`;
  return w;
}

interface Token {
  start: number;
  end: number;
  /** Index of the query word it matches, or -1. */
  term: number;
}

/** The word a search matched as the start of a word (the last one typed), and its index among the query's words. */
interface PrefixTerm {
  start: string;
  term: number;
}

function prefixTerm(words: readonly string[], prefix: string | undefined): PrefixTerm | undefined {
  const term = prefix === undefined ? -1 : words.indexOf(prefix);
  return prefix === undefined || term < 0 ? undefined : { start: folded(prefix), term };
}

const lower = (c: number) => (c >= 65 && c <= 90 ? c + 32 : c);
const isAsciiWordChar = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
/** TOKEN's first character, and the others, tested one code point at a time (past ASCII only). */
const WORD_START = /^[\p{L}\p{N}]$/u;
const WORD_PART = /^[\p{L}\p{N}\p{M}]$/u;

/**
 * How many UTF-16 units the character at `i` takes when it may stand there in a word (first, or later), else 0.
 * What TOKEN matches, without a match object made for each word: ASCII is tested by its code.
 */
function wordCharAt(text: string, i: number, first: boolean): number {
  const c = text.charCodeAt(i);
  if (c < 128) return isAsciiWordChar(c) ? 1 : 0;
  const point = text.codePointAt(i) as number;
  return (first ? WORD_START : WORD_PART).test(String.fromCodePoint(point)) ? (point > 0xffff ? 2 : 1) : 0;
}

/** A word's first one or two characters as a number, when they are ASCII letters (lower-cased), else -1. */
function asciiHead(text: string, start: number, end: number): number {
  const first = lower(text.charCodeAt(start));
  if (first < 97 || first > 122) return -1;
  if (end - start === 1) return first;
  const second = lower(text.charCodeAt(start + 1));
  return second < 97 || second > 122 ? -1 : first * 128 + second;
}

/** The words of a text, each with the query word it matches (-1 for none), and the indexes of those that match. */
function tokens(text: string, stems: readonly string[], prefix?: PrefixTerm): { toks: Token[]; hits: number[] } {
  // Stemming every word of a long answer is most of the cost; a word can only match a stem it starts like. A word
  // whose first two characters are not ASCII letters is always stemmed (a head is compared without a string made).
  const heads = new Set<number>();
  for (const s of [...stems, ...(prefix ? [prefix.start] : [])]) {
    const head = s.length === 0 ? -1 : asciiHead(s, 0, Math.min(2, s.length));
    if (head >= 0) heads.add(head);
  }
  const toks: Token[] = [];
  const hits: number[] = [];
  let i = 0;
  while (i < text.length) {
    const width = wordCharAt(text, i, true);
    if (width === 0) {
      i++;
      continue;
    }
    const start = i;
    i += width;
    while (i < text.length) {
      const more = wordCharAt(text, i, false);
      if (more === 0) break;
      i += more;
    }
    const head = asciiHead(text, start, Math.min(i, start + 2));
    let term = -1;
    if (head < 0 || heads.has(head)) {
      const word = text.slice(start, i);
      term = stems.indexOf(roughStem(word));
      if (term < 0 && prefix && folded(word).startsWith(prefix.start)) term = prefix.term;
    }
    if (term >= 0) hits.push(toks.length);
    toks.push({ start, end: i, term });
  }
  return { toks, hits };
}

function piece(text: string, toks: readonly Token[], from: number, to: number): Segment[] {
  const out: Segment[] = [];
  let at = from;
  for (const t of toks) {
    if (t.term < 0 || t.start < from || t.end > to) continue;
    if (t.start > at) out.push({ text: text.slice(at, t.start), mark: false });
    out.push({ text: text.slice(t.start, t.end), mark: true });
    at = t.end;
  }
  if (to > at) out.push({ text: text.slice(at, to), mark: false });
  return out;
}

interface Window {
  source: number;
  first: number;
  distinct: number;
  hits: number;
}

/**
 * The best passage of about `length` words among the texts (in order of preference): the one holding the most
 * distinct query words, then the most of them; an earlier text wins a tie. Null when no text holds any. With
 * `prefix` (a word of `words` the search matched as the start of a word), the words it starts count as it.
 */
export function bestSnippet(texts: readonly string[], words: readonly string[], prefix?: string, length = 28): Segment[] | null {
  return bestPassage(texts, words, prefix, length)?.segments ?? null;
}

/** bestSnippet, with which of the texts it was cut from. */
export function bestPassage(
  texts: readonly string[],
  words: readonly string[],
  prefix?: string,
  length = 28,
): { segments: Segment[]; source: number } | null {
  const stems = words.map(roughStem);
  const started = prefixTerm(words, prefix);
  // The most distinct query words a passage can hold: once one holds them all, no later text can win.
  const most = new Set([...stems.map((s) => stems.indexOf(s)), ...(started ? [started.term] : [])]).size;
  let best: (Window & { toks: Token[] }) | null = null;
  // The window each query word was last seen in: its distinct words are counted without a set made for each.
  const seenIn = new Int32Array(words.length);
  let window = 0;
  for (const [source, text] of texts.entries()) {
    if (best !== null && (best as Window).distinct >= most) break;
    const { toks, hits } = tokens(text, stems, started);
    for (const h of hits) {
      // Start a few words before the hit, so the passage reads as a sentence rather than starting on the word.
      const first = Math.max(0, Math.min(h - 4, toks.length - length));
      window++;
      let distinct = 0;
      let count = 0;
      for (let i = first; i < Math.min(toks.length, first + length); i++) {
        const term = (toks[i] as Token).term;
        if (term >= 0) {
          if (seenIn[term] !== window) {
            seenIn[term] = window;
            distinct++;
          }
          count++;
        }
      }
      if (!best || distinct > best.distinct || (distinct === best.distinct && count > best.hits && source === best.source)) {
        best = { source, first, distinct, hits: count, toks };
      }
    }
  }
  if (!best) return null;
  const b = best as Window & { toks: Token[] };
  const text = texts[b.source] as string;
  const last = Math.min(b.toks.length, b.first + length) - 1;
  const from = b.first === 0 ? 0 : (b.toks[b.first] as Token).start;
  const to = last === b.toks.length - 1 ? text.length : (b.toks[last] as Token).end;
  const segments = piece(text, b.toks, from, to);
  if (from > 0) segments.unshift({ text: '…', mark: false });
  if (to < text.length) segments.push({ text: '…', mark: false });
  return { segments, source: b.source };
}

/** The opening words of a text, unmarked: the snippet when the query matched nowhere the viewer may read. */
export function openingSnippet(text: string, length = 28): Segment[] {
  const toks = [...text.matchAll(TOKEN)];
  if (toks.length <= length) return text === '' ? [] : [{ text, mark: false }];
  const cut = toks[length - 1] as RegExpMatchArray;
  return [{ text: `${text.slice(0, (cut.index as number) + cut[0].length)} …`, mark: false }];
}

/** Markdown to plain text, roughly: enough for a snippet (which is escaped text, so leftovers do no harm). */
export function markdownPlain(markdown: string): string {
  return mathToText(markdown)
    .replace(/```[^\n]*\n?/g, ' ')
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/^\s{0,3}(#{1,6}|>|[-*+]|\d+[.)])\s+/gm, '')
    .replace(/[*_`~|]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}
