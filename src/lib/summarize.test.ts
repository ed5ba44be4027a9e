import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { countMarkdownWords, countSyllables, draftQuickAnswer, markdownToPlainText, readability, splitSentences } from './summarize.ts';
import { countWords } from './text.ts';

// The demo site's expert answers: real Markdown written by educators (headings, lists, tables, code, quotes).
const contentDir = fileURLToPath(new URL('../demo/content/', import.meta.url));
const expertAnswers: Array<{ file: string; title: string; answer: string }> = readdirSync(contentDir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .flatMap((file) =>
    (JSON.parse(readFileSync(`${contentDir}${file}`, 'utf8')) as Array<{ title: string; answer: string }>).map((q) => ({
      file,
      title: q.title,
      answer: q.answer,
    })),
  );

describe('markdownToPlainText', () => {
  it('keeps link text and drops link targets, emphasis, inline code markers and images', () => {
    const plain = markdownToPlainText(
      'Read **the [Federalist No. 51](https://example.com/f51)** essay, _carefully_, then solve `x² = 4`. ![diagram](d.png)',
    );
    expect(plain).toBe('Read the Federalist No. 51 essay, carefully, then solve x² = 4.');
  });

  it('drops code blocks, heading and quote markers, HTML tags and rules; keeps paragraph breaks', () => {
    const md = [
      '## Example 1',
      'Solve it:',
      '```\nx² + 6x = 7\n```',
      '    indented code',
      '> Quoted *words*.',
      '---',
      'Some <b>bold</b> text<br>and more.',
      '<div>\n<script>alert(1)</script>\nA block\n</div>',
    ].join('\n\n');
    expect(markdownToPlainText(md)).toBe('Example 1\n\nSolve it:\n\nQuoted words.\n\nSome bold text and more.\n\nA block');
  });

  it('puts list items and table rows on their own paragraphs, without bullets or pipes', () => {
    const md = '1. First step.\n2. Second step.\n\n- a bullet\n\n| Term | Meaning |\n|---|---|\n| Horizon line | Eye level |';
    expect(markdownToPlainText(md)).toBe('First step.\n\nSecond step.\n\na bullet\n\nTerm: Meaning\n\nHorizon line: Eye level');
  });

  it('returns an empty string for empty or code-only input', () => {
    expect(markdownToPlainText('')).toBe('');
    expect(markdownToPlainText('```\nonly code\n```')).toBe('');
  });
});

describe('splitSentences', () => {
  const cases: Array<[string, string, string[]]> = [
    [
      'titles',
      'Mr. Smith met Mrs. Jones and Dr. Patel on St. James Street. They talked.',
      ['Mr. Smith met Mrs. Jones and Dr. Patel on St. James Street.', 'They talked.'],
    ],
    [
      'e.g. and i.e.',
      'Bring a snack, e.g. an apple, i.e. something light. Then go.',
      ['Bring a snack, e.g. an apple, i.e. something light.', 'Then go.'],
    ],
    [
      'etc. mid-sentence and at the end',
      'We packed pens, paper, etc. and left. We packed pens, paper, etc. The bus came.',
      ['We packed pens, paper, etc. and left.', 'We packed pens, paper, etc.', 'The bus came.'],
    ],
    ['vs.', 'Voluntary vs. Forced Migration is the topic. It matters.', ['Voluntary vs. Forced Migration is the topic.', 'It matters.']],
    [
      'U.S. inside and at the end of a sentence',
      'She entered the U.S. Senate in 1870. Her family stayed in the U.S. They never moved.',
      ['She entered the U.S. Senate in 1870.', 'Her family stayed in the U.S.', 'They never moved.'],
    ],
    [
      'U.S.-backed',
      'After the U.S.-backed invasion failed, Castro feared another. Khrushchev agreed.',
      ['After the U.S.-backed invasion failed, Castro feared another.', 'Khrushchev agreed.'],
    ],
    [
      'a.m. and p.m.',
      'Class starts at 9 a.m. and ends at 3 p.m. The bus leaves at 4 p.m. sharp.',
      ['Class starts at 9 a.m. and ends at 3 p.m.', 'The bus leaves at 4 p.m. sharp.'],
    ],
    [
      'No. before a number, "no." as a word',
      'Hear Symphony No. 40 first. The answer was no. Nobody asked again.',
      ['Hear Symphony No. 40 first.', 'The answer was no.', 'Nobody asked again.'],
    ],
    ['Fig.', 'See Fig. 3 for the curve. It rises.', ['See Fig. 3 for the curve.', 'It rises.']],
    [
      'c. and ca. as circa, c as a variable',
      'Gothic began c. 1140 and peaked ca. 1250. The hypotenuse is c. Each side has length c.',
      ['Gothic began c. 1140 and peaked ca. 1250.', 'The hypotenuse is c.', 'Each side has length c.'],
    ],
    [
      'initials',
      'The Hobbit was written by J. R. R. Tolkien. President John F. Kennedy read it. Try plan B. Then stop.',
      ['The Hobbit was written by J. R. R. Tolkien.', 'President John F. Kennedy read it.', 'Try plan B.', 'Then stop.'],
    ],
    [
      'a catalogue number after a single letter',
      "Play Mozart's Symphony No. 40, K. 550. It is in G minor.",
      ["Play Mozart's Symphony No. 40, K. 550.", 'It is in G minor.'],
    ],
    [
      'decimals and thousands',
      'Pi is about 3.14 and e is 2.718. Rent rose to $1,250.50 a month.',
      ['Pi is about 3.14 and e is 2.718.', 'Rent rose to $1,250.50 a month.'],
    ],
    ['ellipses', 'He paused... and went on. Wait… What happened?', ['He paused... and went on.', 'Wait…', 'What happened?']],
    [
      'quotes and brackets after the period',
      '"...it was the end." Next came a pause. She said, "It is over." (This was in 1914.) Nobody knew why.',
      ['"...it was the end."', 'Next came a pause.', 'She said, "It is over."', '(This was in 1914.)', 'Nobody knew why.'],
    ],
    ['curly quotes', 'He wrote “Stop.” Then he left.', ['He wrote “Stop.”', 'Then he left.']],
    ['question and exclamation marks', 'Is it true? Yes! It is. "Why?" she asked.', ['Is it true?', 'Yes!', 'It is.', '"Why?" she asked.']],
    [
      'paragraph breaks and list items, with or without final punctuation',
      'Steps to follow:\n- Move the constant\n- Add the square\n1. Take the root\n\nDone now\n\nNext paragraph',
      ['Steps to follow:', 'Move the constant', 'Add the square', 'Take the root', 'Done now', 'Next paragraph'],
    ],
    [
      'a hard-wrapped line inside a paragraph',
      'This sentence is\nwrapped across lines. Next one.',
      ['This sentence is\nwrapped across lines.', 'Next one.'],
    ],
  ];

  it.each(cases)('handles %s', (_name, text, expected) => {
    const sentences = splitSentences(text);
    expect(sentences).toEqual(expected);
    for (const s of sentences) expect(text).toContain(s);
  });

  it('returns nothing for blank text', () => {
    expect(splitSentences('')).toEqual([]);
    expect(splitSentences('  \n\n  ')).toEqual([]);
  });

  it('splits every expert answer into trimmed sentences found verbatim in its plain text', () => {
    for (const { answer } of expertAnswers) {
      const plain = markdownToPlainText(answer);
      const sentences = splitSentences(plain);
      expect(sentences.length).toBeGreaterThan(10);
      for (const s of sentences) {
        expect(s).toBe(s.trim());
        expect(plain).toContain(s);
      }
    }
  });
});

describe('draftQuickAnswer', () => {
  const revolution = [
    'The French Revolution began in 1789, when anger at the monarchy boiled over.',
    'Bread prices had doubled. Many nobles fled Paris. The revolution ended the monarchy, and the revolutionary government declared a republic in 1792.',
    'Historians still compare later revolutions with the French Revolution.',
  ].join('\n\n');

  it('picks the sentences about the main subject and keeps their original order', () => {
    // Hand-checked: "revolution(s)" (stemmed together), "French" and "monarchy" are the repeated terms.
    // The first, fourth and fifth sentences carry them; the bread and nobles sentences share none.
    expect(draftQuickAnswer(revolution)).toBe(
      'The French Revolution began in 1789, when anger at the monarchy boiled over. ' +
        'The revolution ended the monarchy, and the revolutionary government declared a republic in 1792. ' +
        'Historians still compare later revolutions with the French Revolution.',
    );
    expect(draftQuickAnswer(revolution, { maxSentences: 2 })).toBe(
      'The French Revolution began in 1789, when anger at the monarchy boiled over. ' +
        'The revolution ended the monarchy, and the revolutionary government declared a republic in 1792.',
    );
  });

  it('skips a sentence that would overflow the word limit and takes the next best', () => {
    // The first two (13 and 14 words) do not fit in 10; the last (9 words) does.
    expect(draftQuickAnswer(revolution, { maxWords: 10 })).toBe('Historians still compare later revolutions with the French Revolution.');
  });

  it('cuts the best sentence at a word boundary when no sentence fits', () => {
    expect(draftQuickAnswer('The French Revolution began in 1789, when anger at the monarchy boiled over.', { maxWords: 5 })).toBe(
      'The French Revolution began in…',
    );
  });

  it('returns a one-sentence answer as it is, and nothing for empty input', () => {
    expect(draftQuickAnswer('Mitosis makes **two identical cells**.')).toBe('Mitosis makes two identical cells.');
    expect(draftQuickAnswer('')).toBe('');
    expect(draftQuickAnswer('```\ncode only\n```')).toBe('');
  });

  it('prefers full sentences of prose over headings and lead-ins', () => {
    const draft = draftQuickAnswer(
      '## Why ice floats\n\nIce floats because ice is less dense than water.\n\nHere is why:\n\n- Water expands as ice forms.',
    );
    expect(draft).toBe('Ice floats because ice is less dense than water. Water expands as ice forms.');
  });

  it.each(expertAnswers.map((a) => [`${a.file}: ${a.title}`, a.answer] as const))('drafts from the expert answer %s', (_name, answer) => {
    const plain = markdownToPlainText(answer);
    const sentencesOfAnswer = splitSentences(plain);
    const draft = draftQuickAnswer(answer);

    expect(countWords(draft)).toBeLessThanOrEqual(80);
    expect(draftQuickAnswer(answer)).toBe(draft);

    const picked = splitSentences(draft);
    expect(picked.length).toBeGreaterThanOrEqual(Math.min(2, sentencesOfAnswer.length));
    expect(picked.length).toBeLessThanOrEqual(4);
    let last = -1;
    for (const s of picked) {
      expect(sentencesOfAnswer).toContain(s);
      expect(plain).toContain(s);
      const at = sentencesOfAnswer.indexOf(s);
      expect(at).toBeGreaterThan(last);
      last = at;
    }
  });
});

describe('countMarkdownWords', () => {
  it('counts the words of the prose, not markup, code or symbols', () => {
    expect(countMarkdownWords('## Steps\n\n- **Move** the [constant](https://x.test) — then add `b`.\n\n```\nignored code here\n```')).toBe(
      7,
    );
    expect(countMarkdownWords('')).toBe(0);
  });
});

describe('readability', () => {
  it('counts syllables the way a reader says them', () => {
    const expected: Record<string, number> = {
      cat: 1,
      make: 1,
      makes: 1,
      places: 2,
      table: 2,
      little: 2,
      wanted: 2,
      jumped: 1,
      played: 1,
      everyone: 3,
      syllable: 3,
      beautiful: 3,
      revolution: 4,
      photosynthesis: 5,
      '1789': 1,
    };
    for (const [word, n] of Object.entries(expected)) expect([word, countSyllables(word)]).toEqual([word, n]);
  });

  it('scores a known passage', () => {
    // 17 words, 2 sentences, 25 syllables: 0.39 × 8.5 + 11.8 × 25/17 − 15.59 = 5.08;
    // 206.835 − 1.015 × 8.5 − 84.6 × 25/17 = 73.8.
    expect(readability('The river carried heavy boats to the busy city. Traders sold grain and cloth along the water.')).toEqual({
      words: 17,
      sentences: 2,
      syllables: 25,
      fleschKincaidGrade: 5.1,
      fleschReadingEase: 73.8,
      label: 'Grade 5 (very easy)',
    });
  });

  it('grades an expert answer within the range of a school text', () => {
    const r = readability(expertAnswers.find((a) => a.title.includes('French Revolution'))!.answer);
    expect(r.fleschKincaidGrade).toBeGreaterThanOrEqual(6);
    expect(r.fleschKincaidGrade).toBeLessThanOrEqual(14);
    expect(r.fleschReadingEase).toBeGreaterThan(30);
    expect(r.fleschReadingEase).toBeLessThan(80);
  });

  it('gives complex text a higher grade and lower ease than simple text', () => {
    const simple = readability('The cat sat on the mat. The dog ran to the cat. We had fun.');
    const complex = readability(
      'Photosynthetic organisms convert electromagnetic radiation into chemical potential energy, subsequently utilizing adenosine triphosphate to synthesize carbohydrates. Consequently, atmospheric oxygen concentrations depend substantially on cyanobacterial metabolism.',
    );
    expect(complex.fleschKincaidGrade).toBeGreaterThan(simple.fleschKincaidGrade + 10);
    expect(complex.fleschReadingEase).toBeLessThan(simple.fleschReadingEase);
    expect(simple.label).toBe('Grade 1 (very easy)');
    expect(complex.label).toBe('College graduate level');
  });

  it('reports nothing measurable for empty text', () => {
    expect(readability('')).toEqual({
      words: 0,
      sentences: 0,
      syllables: 0,
      fleschKincaidGrade: 0,
      fleschReadingEase: 0,
      label: 'Not enough text',
    });
  });
});
