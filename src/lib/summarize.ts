import MarkdownIt from 'markdown-it';
import { countWords, openingWords, words as wordsOf } from './text.ts';

// Pure text helpers behind the automatic quick-answer draft and the editor's word count and reading
// level. Everything here is deterministic and offline: the same Markdown always gives the same result.

// Raw HTML is parsed (not shown as text) so that its tags can be dropped; nothing here is rendered.
const parser = new MarkdownIt({ html: true, linkify: false, typographer: false });

type Token = ReturnType<typeof parser.parse>[number];

/* ------------------------------------------------------------------------------------------------ */
/* Markdown to plain text                                                                            */
/* ------------------------------------------------------------------------------------------------ */

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', '#39': "'" };

function stripHtml(html: string): string {
  return html
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<(script|style|textarea|noscript|iframe|object)\b[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(amp|lt|gt|quot|apos|nbsp|#39);/g, (_, name: string) => ENTITIES[name] ?? ' ');
}

function inlineText(children: Token[] | null): string {
  let out = '';
  for (const t of children ?? []) {
    switch (t.type) {
      case 'text':
      case 'code_inline':
        out += t.content;
        break;
      case 'softbreak':
      case 'hardbreak':
        out += ' ';
        break;
      case 'html_inline':
        // A dropped <br> must still separate the words on either side.
        out += /^<br\b/i.test(t.content) ? ' ' : '';
        break;
      // Images, link and emphasis markers carry no prose of their own.
      default:
        break;
    }
  }
  return out.replace(/\s+/g, ' ').trim();
}

type BlockKind = 'paragraph' | 'heading' | 'item' | 'quote' | 'row' | 'html';

interface Block {
  text: string;
  kind: BlockKind;
}

/** The prose blocks of Markdown, each on one line, with what kind of block it came from. */
function plainBlocks(md: string): Block[] {
  const blocks: Block[] = [];
  let row: string[] | null = null;
  let heading = false;
  let items = 0;
  let quotes = 0;
  for (const t of parser.parse(md, {})) {
    switch (t.type) {
      case 'heading_open':
        heading = true;
        break;
      case 'heading_close':
        heading = false;
        break;
      case 'list_item_open':
        items++;
        break;
      case 'list_item_close':
        items--;
        break;
      case 'blockquote_open':
        quotes++;
        break;
      case 'blockquote_close':
        quotes--;
        break;
      case 'tr_open':
        row = [];
        break;
      case 'tr_close': {
        const cells = (row ?? []).filter((c) => c !== '');
        if (cells.length > 0) {
          blocks.push({ text: cells.length === 1 ? cells[0]! : `${cells[0]}: ${cells.slice(1).join('; ')}`, kind: 'row' });
        }
        row = null;
        break;
      }
      case 'inline': {
        const text = inlineText(t.children);
        if (row) row.push(text);
        else if (text !== '') blocks.push({ text, kind: heading ? 'heading' : items > 0 ? 'item' : quotes > 0 ? 'quote' : 'paragraph' });
        break;
      }
      case 'html_block': {
        const text = stripHtml(t.content).replace(/\s+/g, ' ').trim();
        if (text !== '') blocks.push({ text, kind: 'html' });
        break;
      }
      // fence, code_block and hr are dropped: code is not prose.
      default:
        break;
    }
  }
  return blocks;
}

/**
 * Markdown to prose. Every block (paragraph, heading, list item, table row) becomes one line of text
 * and blocks are separated by a blank line, so block boundaries survive as paragraph breaks; code
 * blocks, images, rules and HTML tags are dropped; links keep their text; table rows become
 * "first cell: second cell; third cell".
 */
export function markdownToPlainText(md: string): string {
  return plainBlocks(md)
    .map((b) => b.text)
    .join('\n\n');
}

/* ------------------------------------------------------------------------------------------------ */
/* Sentences                                                                                         */
/* ------------------------------------------------------------------------------------------------ */

// Never end a sentence: titles and Latin abbreviations are followed by more of the same sentence.
const ALWAYS_ABBREVIATIONS = new Set(
  'mr mrs ms dr prof st mt e.g i.e vs cf fig figs approx gen gov sen rep capt lt col sgt rev hon'.split(' '),
);

// Abbreviations only before a number ("No. 40", "c. 1140", "p. 12"); otherwise "no." or a variable "c."
// can well end a sentence.
const NUMBER_ABBREVIATIONS = new Set(['no', 'nos', 'nr', 'c', 'ca', 'p', 'pp', 'vol', 'ch', 'sec', 'eq', 'art', 'op']);

// These often end a sentence too ("...born in the U.S."), so they end one only when the next word is a
// typical sentence opener.
const AMBIGUOUS_ABBREVIATIONS = new Set(['etc', 'jr', 'sr', 'inc', 'ltd', 'co', 'corp', 'ph.d', 'a.d', 'b.c']);

const SENTENCE_OPENERS = new Set(
  (
    'the a an this that these those it its he she they we i you there here in on at but and so if when while after before ' +
    'then however as for his her their our my your what why how who where which one some many most all each both not to ' +
    'by with from during since because although though yet also today now once later finally first second next instead'
  ).split(' '),
);

const TERMINATOR = /[.!?…]+/g;
const CLOSERS = '"\'”’)]}»';
const OPENERS = '"\'“‘([{«¿¡';
const LIST_MARKER = /^[ \t]*(?:[-*+•]|\d{1,3}[.)])[ \t]+/;

function isSpace(ch: string | undefined): boolean {
  return ch !== undefined && /\s/.test(ch);
}

/** Decides whether a single "." ending `word` (without the dot) closes the sentence before `next`. */
function periodEndsSentence(word: string, next: string): boolean {
  const lower = word.toLowerCase();
  const nextWord = (next.match(/^[\p{L}\p{N}]+/u)?.[0] ?? '').toLowerCase();
  const opener = SENTENCE_OPENERS.has(nextWord);
  const nextIsNumber = /^\p{N}/u.test(next);
  if (ALWAYS_ABBREVIATIONS.has(lower)) return false;
  if (NUMBER_ABBREVIATIONS.has(lower) && nextIsNumber) return false;
  if (AMBIGUOUS_ABBREVIATIONS.has(lower)) return opener;
  // Dotted acronyms: U.S, U.K, a.m, p.m.
  if (/^(?:\p{L}\.)+\p{L}$/u.test(word)) return opener;
  // An initial (J. R. R. Tolkien, K. 550) unless the next word clearly starts a new sentence ("plan B. Then").
  if (/^\p{Lu}$/u.test(word)) return opener && !nextIsNumber;
  return true;
}

/** Character ranges [start, end) of the paragraphs and list items of `text`. */
function chunkRanges(text: string): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  let start = 0;
  let pos = 0;
  let blank = false;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const lineStart = pos;
    pos += line.length + 1;
    if (line.trim() === '') {
      blank = true;
      continue;
    }
    const marker = line.match(LIST_MARKER);
    if (blank || marker) {
      if (lineStart > start) ranges.push([start, lineStart]);
      // The list marker is not part of the item's sentence.
      start = lineStart + (marker ? marker[0].length : 0);
    }
    blank = false;
  }
  if (text.length > start) ranges.push([start, text.length]);
  return ranges;
}

/**
 * English sentences of plain text, trimmed and exactly as they appear in it. Paragraph breaks and list
 * items always end a sentence; inside a paragraph a single line break is just a space.
 */
export function splitSentences(text: string): string[] {
  const sentences: string[] = [];
  const push = (from: number, to: number) => {
    const s = text.slice(from, to).trim();
    if (s !== '') sentences.push(s);
  };
  for (const [chunkStart, chunkEnd] of chunkRanges(text)) {
    const chunk = text.slice(chunkStart, chunkEnd);
    let from = 0;
    for (const m of chunk.matchAll(TERMINATOR)) {
      const at = m.index;
      let end = at + m[0].length;
      while (end < chunk.length && CLOSERS.includes(chunk[end]!)) end++;
      // Decimals, "U.S.-backed", "e.g.," and ".com" have no space after the dot.
      if (end < chunk.length && !isSpace(chunk[end])) continue;
      let k = end;
      while (k < chunk.length && (isSpace(chunk[k]) || OPENERS.includes(chunk[k]!))) k++;
      if (k >= chunk.length) continue; // the chunk ends here anyway
      const next = chunk.slice(k);
      // A lower-case continuation ("e.g. this", "Why?" she asked) stays in the sentence.
      if (/^\p{Ll}/u.test(next)) continue;
      if (m[0] === '.') {
        const before = chunk.slice(from, at);
        const word = (before.match(/\S+$/)?.[0] ?? '').replace(/^[^\p{L}\p{N}]+/u, '');
        if (word !== '' && !periodEndsSentence(word, next)) continue;
      }
      push(chunkStart + from, chunkStart + end);
      from = end;
    }
    push(chunkStart + from, chunkEnd);
  }
  return sentences;
}

/* ------------------------------------------------------------------------------------------------ */
/* Quick-answer draft                                                                                */
/* ------------------------------------------------------------------------------------------------ */

const STOPWORDS = new Set(
  (
    'a about above after again against all also am an and any are as at be because been before being below between both but ' +
    'by can could did do does doing down during each even few for from further had has have having he her here hers him his how ' +
    'i if in into is it its itself just let like made make makes many may me might more most much must my no nor not now of off ' +
    'on once one only or other our ours out over own same says she should so some such than that the their theirs them then there ' +
    'these they this those through to too two under until up upon us use used very was way we well were what when where which ' +
    'while who whom why will with within without would yet you your yours'
  ).split(' '),
);

/** Light suffix stripping so that "revolution"/"revolutions" and "solve"/"solving"/"solved" share a term. */
function stem(word: string): string {
  let w = word;
  if (w.length > 4 && w.endsWith('ies')) w = `${w.slice(0, -3)}y`;
  else if (w.endsWith('sses')) w = w.slice(0, -2);
  else if (w.length > 4 && /(?:sh|ch|x|z)es$/.test(w)) w = w.slice(0, -2);
  else if (w.length > 3 && w.endsWith('s') && !/(?:ss|us|is)$/.test(w)) w = w.slice(0, -1);
  for (const suffix of ['ing', 'ed']) {
    const base = w.slice(0, -suffix.length);
    // "speed" and "need" are not past tenses.
    if (w.endsWith(suffix) && base.length >= 3 && /[aeiouy]/.test(base) && !(suffix === 'ed' && base.endsWith('e'))) {
      // running -> run, but keep "fall", "miss", "buzz".
      w = /([^aeiouylsz])\1$/.test(base) ? base.slice(0, -1) : base;
      break;
    }
  }
  if (w.length > 5 && w.endsWith('ly')) w = w.slice(0, -2);
  if (w.length > 3 && w.endsWith('e')) w = w.slice(0, -1);
  return w;
}

function terms(sentence: string): string[] {
  const words =
    sentence
      .toLowerCase()
      .replace(/['’]s\b/g, '')
      .replace(/['’]/g, '')
      .match(/[\p{L}\p{N}]+/gu) ?? [];
  return words.filter((w) => w.length > 1 && !STOPWORDS.has(w)).map(stem);
}

/** Sublinear weights, so one word repeated ten times does not drown the rest. */
function vectorOf(termList: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const t of termList) counts.set(t, (counts.get(t) ?? 0) + 1);
  for (const [t, n] of counts) counts.set(t, 1 + Math.log(n));
  return counts;
}

function norm(v: Map<string, number>): number {
  let sum = 0;
  for (const x of v.values()) sum += x * x;
  return Math.sqrt(sum);
}

function cosineOf(a: Map<string, number>, b: Map<string, number>): number {
  let dot = 0;
  for (const [t, w] of a) dot += w * (b.get(t) ?? 0);
  return dot / ((norm(a) || 1) * (norm(b) || 1));
}

// A full sentence, not a heading, table row or lead-in ending in a colon.
const ENDS_LIKE_A_SENTENCE = /[.!?…]["'”’)\]]*$/;

// Out of their list or quotation, items ("Dashes: they create pauses") and quoted lines read worse
// than sentences of the answer's own paragraphs.
const KIND_WEIGHT: Record<BlockKind, number> = { paragraph: 1, html: 1, quote: 0.8, item: 0.6, heading: 0.5, row: 0.5 };

// Sentences opening like this lean on the sentence before them, which the draft may not include.
const LEANS_ON_CONTEXT = /^(?:this|that|these|those|so|but|and|or|then|however|also|instead|such|thus|meanwhile)\b/i;

export interface DraftOptions {
  /** Upper bound on the words of the draft (as lib/text counts them). */
  maxWords?: number;
  minSentences?: number;
  maxSentences?: number;
}

interface Candidate {
  text: string;
  index: number;
  kind: BlockKind;
  terms: string[];
}

/**
 * An extractive quick answer: the 2–4 sentences of the expert answer whose terms are closest to the
 * answer's overall term profile, within `maxWords`, in their original order. Every sentence of the
 * draft is a sentence of `markdownToPlainText(markdown)`, verbatim.
 */
export function draftQuickAnswer(markdown: string, opts: DraftOptions = {}): string {
  const maxWords = opts.maxWords ?? 80;
  const minSentences = opts.minSentences ?? 2;
  const maxSentences = Math.max(1, opts.maxSentences ?? 4);
  if (maxWords < 1) return '';
  // Splitting block by block gives exactly the sentences of the joined plain text (blocks are paragraphs).
  const all: Candidate[] = plainBlocks(markdown).flatMap((b) =>
    splitSentences(b.text).map((text) => ({ text, kind: b.kind, terms: terms(text), index: 0 })),
  );
  all.forEach((c, i) => {
    c.index = i;
  });
  if (all.length === 0) return '';

  // A lower-case start means the sentence continues a formula or code block the plain text dropped.
  const full = all.filter((c) => ENDS_LIKE_A_SENTENCE.test(c.text) && !/^\p{Ll}/u.test(c.text) && c.kind !== 'heading');
  const pool = full.length > 0 ? full : all;
  // Headings and table rows still say what the answer is about, so they shape the profile.
  const centroid = vectorOf(all.flatMap((c) => c.terms));

  const ranked = pool
    .map((c, rank) => {
      const v = vectorOf(c.terms);
      const cosine = cosineOf(v, centroid);
      const words = countWords(c.text);
      // Fragments such as "Both work." can match one central term perfectly but say little.
      const lengthFactor = Math.min(1, words / 8);
      // Answers usually open with the point; favour the first sentences a little.
      const leadBonus = 1 + 0.3 * Math.max(0, (4 - rank) / 4);
      const context = LEANS_ON_CONTEXT.test(c.text) ? 0.85 : 1;
      // A quick answer answers; the answer's own rhetorical questions make poor summaries.
      const question = /\?["'”’)\]]*$/.test(c.text) ? 0.7 : 1;
      return { ...c, vector: v, words, score: cosine * lengthFactor * leadBonus * context * question * KIND_WEIGHT[c.kind] };
    })
    .sort((a, b) => b.score - a.score || a.index - b.index);

  const best = ranked[0]!;
  const chosen: typeof ranked = [];
  let total = 0;
  for (const s of ranked) {
    if (chosen.length >= maxSentences) break;
    // Past the minimum, only sentences that are still clearly on topic are worth the reader's time.
    if (chosen.length >= minSentences && s.score < best.score * 0.5) break;
    if (total + s.words > maxWords) continue;
    // Two sentences making the same point waste the few the draft has.
    if (chosen.some((c) => cosineOf(c.vector, s.vector) >= 0.6)) continue;
    chosen.push(s);
    total += s.words;
  }

  if (chosen.length === 0) {
    const cut = openingWords(best.text, maxWords, Number.POSITIVE_INFINITY).text;
    return `${cut.replace(/[\s,.;:!?…、，。-]+$/u, '')}…`;
  }
  return chosen
    .sort((a, b) => a.index - b.index)
    .map((s) => s.text)
    .join(' ');
}

/* ------------------------------------------------------------------------------------------------ */
/* Word count and readability                                                                        */
/* ------------------------------------------------------------------------------------------------ */

/**
 * The word count of an answer, shown in the editor and stored with it however it arrived: words of its plain
 * text in any script (lib/text), code and markup excluded.
 */
export function countMarkdownWords(markdown: string): number {
  return countWords(markdownToPlainText(markdown));
}

/** English syllables by vowel groups, with the usual silent-e, -es, -ed and -le adjustments. */
export function countSyllables(word: string): number {
  const w = word
    .normalize('NFD')
    .toLowerCase()
    .replace(/[^a-z]/g, '');
  if (w === '') return 1; // numbers and symbols: read as one beat each
  if (w.length <= 3) return 1;
  // A leading y is a consonant (yes, year).
  let count = (w.replace(/^y/, '').match(/[aeiouy]+/g) ?? []).length;
  if (/[^aeiouy]e$/.test(w) && !/[^aeiouyl]le$/.test(w))
    count--; // make, whale; but table, little
  else if (/[^aeiouysxzcg]es$/.test(w) && !/(?:ch|sh)es$/.test(w))
    count--; // makes; but boxes, pages, wishes
  else if (/[^aeiouytd]ed$/.test(w)) count--; // jumped; but wanted, needed (and "played" is one group already)
  return Math.max(1, count);
}

export interface Readability {
  words: number;
  sentences: number;
  syllables: number;
  /** Flesch–Kincaid grade level, one decimal, at least 0. */
  fleschKincaidGrade: number;
  /** Flesch reading ease (higher is easier), one decimal, within 0–100. */
  fleschReadingEase: number;
  label: string;
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

function gradeLabel(grade: number): string {
  const g = Math.round(grade);
  if (g > 16) return 'College graduate level';
  if (g > 12) return 'College level';
  const shown = Math.max(1, g);
  const ease =
    shown <= 5 ? 'very easy' : shown === 6 ? 'easy' : shown === 7 ? 'fairly easy' : shown <= 9 ? 'plain English' : 'fairly difficult';
  return `Grade ${shown} (${ease})`;
}

/** Flesch–Kincaid grade and Flesch reading ease of the answer's prose. */
export function readability(markdown: string): Readability {
  let words = 0;
  let sentences = 0;
  let syllables = 0;
  for (const sentence of splitSentences(markdownToPlainText(markdown))) {
    const ws = wordsOf(sentence);
    if (ws.length === 0) continue;
    sentences++;
    words += ws.length;
    for (const w of ws) syllables += countSyllables(w);
  }
  if (words === 0) return { words: 0, sentences: 0, syllables: 0, fleschKincaidGrade: 0, fleschReadingEase: 0, label: 'Not enough text' };
  const wordsPerSentence = words / sentences;
  const syllablesPerWord = syllables / words;
  // The formulas run below 0 and above 100 for very short words and sentences; those values mean nothing to a reader.
  const grade = round1(Math.max(0, 0.39 * wordsPerSentence + 11.8 * syllablesPerWord - 15.59));
  const ease = round1(Math.min(100, Math.max(0, 206.835 - 1.015 * wordsPerSentence - 84.6 * syllablesPerWord)));
  return { words, sentences, syllables, fleschKincaidGrade: grade, fleschReadingEase: ease, label: gradeLabel(grade) };
}
