import { createRandom, pick, randomInt } from '../../lib/random.ts';

/*
 * Synthetic questions for load tests: English-like words drawn from a Zipf distribution (a few words are
 * everywhere, most are rare), in sentences, paragraphs, headings and lists of realistic length.
 * The generator writes the Markdown and, alongside it, the exact HTML renderMarkdown would make of it,
 * so a million answers need no Markdown pass (a test holds the two equal).
 */

// The head of the distribution: real function words and subject words, so realistic queries hit real terms.
const COMMON = `the of and to in a is that for it as was with be by on not he this are or his from at which but have an they
you were her she there been one all we their has would when what so if no more out up into do any your can some could
them than other time these two may first then only new like over such our also most after made many before must through
back where much should well people down own just because good each those very still between under never last might
while same another great little world year years life part state hand high place long old day point small against
early change power war history government society century economic political social science theory energy cell water
light force motion equation function number value area rate growth trade land law rights people nation empire king
revolution treaty army leader reform church culture art music poem novel play character theme author story reader
writer language meaning image symbol conflict family death love freedom justice truth nature human body plant animal
species evolution gene protein atom molecule reaction acid carbon oxygen heat temperature pressure earth climate ocean
river city market price money labor class vote court constitution president congress parliament colony slavery
independence industry factory railway famine plague crusade castle knight peasant monk bishop pope emperor republic
senate citizen democracy tyranny poet painter sculptor symphony melody rhythm chord harmony film camera scene frame
tragedy comedy irony metaphor simile narrator protagonist villain hero quest journey garden island ship sea storm
mountain valley desert forest winter summer spring autumn morning night shadow mirror letter dream memory`
  .split(/\s+/)
  .filter((w) => w !== '');

const ONSETS = [
  'b',
  'c',
  'd',
  'f',
  'g',
  'h',
  'l',
  'm',
  'n',
  'p',
  'r',
  's',
  't',
  'v',
  'w',
  'br',
  'cl',
  'cr',
  'dr',
  'fl',
  'gr',
  'pl',
  'pr',
  'sh',
  'sl',
  'st',
  'str',
  'th',
  'tr',
];
const VOWELS = ['a', 'e', 'i', 'o', 'u', 'ai', 'ea', 'ee', 'ou', 'io'];
const CODAS = ['', '', 'n', 'r', 's', 't', 'l', 'm', 'nd', 'st', 'nt', 'rd', 'ck', 'ng'];
const SUFFIXES = ['', '', '', 'ion', 'ing', 'ed', 'er', 'ly', 'ment', 'ness', 'al', 'ous', 'ity', 'ive'];

export const VOCABULARY_SIZE = 40_000;
const ZIPF_EXPONENT = 1.05;

interface Vocabulary {
  words: string[];
  /** Maps 2^16 uniform buckets to a starting rank, so a sample costs one lookup and a short scan. */
  buckets: Uint32Array;
  cumulative: Float64Array;
}

let shared: Vocabulary | undefined;

function buildVocabulary(): Vocabulary {
  const rand = createRandom(0x5c401a);
  const seen = new Set<string>();
  const words: string[] = [];
  for (const w of COMMON) {
    if (seen.has(w)) continue;
    seen.add(w);
    words.push(w);
  }
  while (words.length < VOCABULARY_SIZE) {
    const syllables = randomInt(rand, 1, 3);
    let w = '';
    for (let s = 0; s < syllables; s++) w += pick(rand, ONSETS) + pick(rand, VOWELS) + (s === syllables - 1 ? pick(rand, CODAS) : '');
    w += pick(rand, SUFFIXES);
    if (w.length >= 3 && w.length <= 14 && !seen.has(w)) {
      seen.add(w);
      words.push(w);
    }
  }
  const cumulative = new Float64Array(words.length);
  let sum = 0;
  for (let r = 0; r < words.length; r++) {
    sum += 1 / (r + 1) ** ZIPF_EXPONENT;
    cumulative[r] = sum;
  }
  for (let r = 0; r < words.length; r++) cumulative[r] = (cumulative[r] as number) / sum;
  const buckets = new Uint32Array(65_537);
  let r = 0;
  for (let b = 0; b <= 65_536; b++) {
    const u = b / 65_536;
    while (r < words.length - 1 && (cumulative[r] as number) < u) r++;
    buckets[b] = r;
  }
  return { words, buckets, cumulative };
}

function vocabulary(): Vocabulary {
  shared ??= buildVocabulary();
  return shared;
}

export interface SyntheticQuestion {
  title: string;
  details: string;
  detailsHtml: string;
  quickAnswer: string;
  answer: string;
  answerHtml: string;
  wordCount: number;
}

const STARTERS = [
  'Why did the',
  'How does the',
  'What is the role of the',
  'How do you explain the',
  'What were the main causes of the',
  'What does the',
  'How should I analyze the',
  'What is the difference between the',
  'Why is the',
  'How can I describe the',
];

export class SyntheticTextGenerator {
  private readonly rand: () => number;
  private readonly vocab = vocabulary();

  constructor(seed: number) {
    this.rand = createRandom(seed);
  }

  word(): string {
    const u = this.rand();
    const { buckets, cumulative, words } = this.vocab;
    let r = buckets[Math.floor(u * 65_536)] as number;
    while (r < words.length - 1 && (cumulative[r] as number) < u) r++;
    return words[r] as string;
  }

  words(n: number): string {
    let s = this.word();
    for (let i = 1; i < n; i++) s += ` ${this.word()}`;
    return s;
  }

  sentence(min = 8, max = 24): string {
    const s = this.words(randomInt(this.rand, min, max));
    return `${s.charAt(0).toUpperCase()}${s.slice(1)}.`;
  }

  paragraph(sentencesMin: number, sentencesMax: number): string {
    const n = randomInt(this.rand, sentencesMin, sentencesMax);
    let p = this.sentence();
    for (let i = 1; i < n; i++) p += ` ${this.sentence()}`;
    return p;
  }

  question(): SyntheticQuestion {
    const rand = this.rand;
    const title = `${pick(rand, STARTERS)} ${this.words(randomInt(rand, 3, 9))}?`;
    const details = this.paragraph(1, 3);
    const quickAnswer = this.paragraph(2, 4);
    const md: string[] = [];
    const html: string[] = [];
    const paragraphs = randomInt(rand, 3, 6);
    let words = 0;
    for (let i = 0; i < paragraphs; i++) {
      if (i > 0 && rand() < 0.35) {
        const h = this.sentence(2, 5).slice(0, -1);
        md.push(`## ${h}`);
        html.push(`<h3>${h}</h3>`);
        words += h.split(' ').length;
      }
      const p = this.paragraph(3, 6);
      md.push(p);
      html.push(`<p>${p}</p>`);
      words += p.split(' ').length;
      if (rand() < 0.2) {
        const items = Array.from({ length: randomInt(rand, 2, 4) }, () => this.sentence(4, 12));
        md.push(items.map((it) => `- ${it}`).join('\n'));
        html.push(`<ul>\n${items.map((it) => `<li>${it}</li>`).join('\n')}\n</ul>`);
        for (const it of items) words += it.split(' ').length;
      }
    }
    return {
      title: title.charAt(0).toUpperCase() + title.slice(1),
      details,
      detailsHtml: `<p>${details}</p>\n`,
      quickAnswer,
      answer: md.join('\n\n'),
      answerHtml: `${html.join('\n')}\n`,
      wordCount: words,
    };
  }
}
