import { describe, expect, it } from 'vitest';
import { countWords, PREVIEW_CHARS_PER_WORD } from '../../lib/text.ts';
import { decideAccess, effectiveStatus, isMember, type MembershipState, previewMarkdown, trialIdentity } from './membership.ts';

const at = (iso: string) => Date.parse(iso);
const trial = (periodEnd: string, status: MembershipState['status'] = 'trialing'): MembershipState => ({
  status,
  source: 'trial',
  periodEnd,
  cancelAtPeriodEnd: false,
});

describe('membership rules', () => {
  it('gives access until the period end, to the second', () => {
    const m = trial('2026-11-28T12:00:00.000Z');
    expect(isMember(m, at('2026-11-28T11:59:59.000Z'))).toBe(true);
    expect(isMember(m, at('2026-11-28T12:00:00.000Z'))).toBe(false);
    expect(effectiveStatus(m, at('2026-11-28T12:00:00.000Z'))).toBe('expired');
  });

  it.each([
    ['trialing', true],
    ['active', true],
    ['past_due', true],
    ['canceled', true],
    ['expired', false],
  ] as const)('%s within the period: member %s', (status, expected) => {
    expect(isMember(trial('2030-01-01T00:00:00.000Z', status), at('2026-11-26T00:00:00.000Z'))).toBe(expected);
  });

  it('shows the expert answer whole only to members', () => {
    expect(decideAccess(null, { kind: 'expert_answer' })).toEqual({ full: false });
    expect(decideAccess({ member: false }, { kind: 'expert_answer' })).toEqual({ full: false });
    expect(decideAccess({ member: true }, { kind: 'expert_answer' })).toEqual({ full: true });
    expect(decideAccess(null, { kind: 'quick_answer' })).toEqual({ full: true });
  });

  it.each([
    ['Ana.B+school@Gmail.com', 'email:anab@gmail.com'],
    ['anab@googlemail.com', 'email:anab@gmail.com'],
    ['a.n.a.b@gmail.com', 'email:anab@gmail.com'],
    ['ana.b+x@example.org', 'email:ana.b@example.org'],
    ['  ANA@EXAMPLE.ORG ', 'email:ana@example.org'],
  ])('one trial per person: %s is %s', (email, identity) => {
    expect(trialIdentity(email)).toBe(identity);
  });
});

describe('previewMarkdown', () => {
  const answer = [
    'First paragraph has five words.',
    '## A heading',
    'Second paragraph has quite a few more words in it than that.',
    'Third one.',
  ].join('\n\n');

  it('keeps whole blocks that fit and cuts the next at a word', () => {
    const p = previewMarkdown(answer, 10);
    expect(p.cut).toBe(true);
    // Ten words: five, two of the heading (its marker is not a word), then three.
    expect(p.markdown).toBe('First paragraph has five words.\n\n## A heading\n\nSecond paragraph has…');
  });

  it('returns the whole text when it is short enough', () => {
    expect(previewMarkdown('Just a few words.', 80)).toEqual({ markdown: 'Just a few words.', cut: false });
  });

  it('never cuts a formula in half: the preview stops before a formula the word limit falls inside', () => {
    const answer = 'Use the formula $x = \\frac{-b \\pm \\sqrt{b^2 - 4ac}}{2a}$ to find both roots quickly.';
    for (let words = 1; words < countWords(answer); words++) {
      const p = previewMarkdown(answer, words).markdown;
      const dollars = p.split('$').length - 1;
      expect(dollars % 2, `${words} words: ${p}`).toBe(0);
    }
    expect(previewMarkdown(answer, 5).markdown).toBe('Use the formula…');
    // Display math is a block: whole or not at all.
    const display = 'Start here with words.\n\n$$\\int_0^1 x^2 \\, dx = \\frac{1}{3}$$\n\nThe end.';
    expect(previewMarkdown(display, 6).markdown).toBe('Start here with words.');
    // Prices are not formulas.
    expect(previewMarkdown('It costs $5 and $10 and more words after that.', 5).markdown).toBe('It costs $5 and $10…');
  });

  it('never includes words past the limit', () => {
    const long = Array.from({ length: 300 }, (_, i) => `w${i}`).join(' ');
    const p = previewMarkdown(long, 80);
    expect(p.markdown).toContain('w79');
    expect(p.markdown).not.toContain('w80');
  });

  // Each answer ends with a sentence that no preview may reach.
  const scripts: Array<[string, string, string]> = [
    ['Chinese', '法国大革命爆发于一七八九年，国家财政濒临崩溃，第三等级要求更多权利。', '最后这句话是会员专享的秘密结论。'],
    [
      'Japanese',
      'フランス革命は一七八九年に始まり、国の財政は破綻寸前で、第三身分はより多くの権利を求めた。',
      '最後のこの文は会員だけが読める結論です。',
    ],
    ['Thai', 'การปฏิวัติฝรั่งเศสเริ่มขึ้นในปีหนึ่งพันเจ็ดร้อยแปดสิบเก้าเพราะรัฐบาลมีหนี้สินมากและประชาชนต้องการสิทธิมากขึ้น', 'ประโยคสุดท้ายนี้เป็นข้อสรุปสำหรับสมาชิกเท่านั้น'],
    [
      'Arabic',
      'بدأت الثورة الفرنسية عام ألف وسبعمائة وتسعة وثمانين لأن خزينة الدولة كانت شبه فارغة وطالب الشعب بحقوق أكثر.',
      'هذه الجملة الأخيرة خلاصة للأعضاء فقط.',
    ],
    [
      'mixed',
      'The 革命 of 1789 began เพราะ the treasury كانت فارغة and the Third Estate wanted more rights.',
      '结论 only members read ประโยคสุดท้าย.',
    ],
  ];

  it.each(scripts)('counts a preview of %s in words and never reaches the end', (_script, paragraph, ending) => {
    const answer = [...Array.from({ length: 12 }, () => paragraph), ending].join('\n\n');
    for (const words of [20, 80]) {
      const p = previewMarkdown(answer, words);
      expect(p.cut).toBe(true);
      expect(p.markdown).not.toContain(ending);
      expect(countWords(p.markdown)).toBeLessThanOrEqual(words);
      expect(p.markdown.length).toBeLessThanOrEqual(words * PREVIEW_CHARS_PER_WORD + 1);
      // A reasonable opening, not an empty one.
      expect(countWords(p.markdown)).toBeGreaterThan(words / 2);
    }
  });

  it('ends the cut paragraph at its last sentence that fits, without an ellipsis', () => {
    const paragraph =
      'Photosynthesis needs light. Plants take in carbon dioxide through their leaves. Only members read this closing line.';
    // 12 words reach "Only"; the preview ends where the second sentence does (11 words).
    expect(previewMarkdown(paragraph, 12)).toEqual({
      markdown: 'Photosynthesis needs light. Plants take in carbon dioxide through their leaves.',
      cut: true,
    });
    // A budget that ends on a sentence's last word keeps its full stop.
    expect(previewMarkdown(paragraph, 11).markdown).toBe('Photosynthesis needs light. Plants take in carbon dioxide through their leaves.');
    // After whole blocks, the cut block is held to the words left to it.
    const answer = `## Why it matters\n\n${paragraph}`;
    expect(previewMarkdown(answer, 9).markdown).toBe('## Why it matters\n\nPhotosynthesis needs light.');
    // Closing quotes and emphasis belong to the sentence they end.
    expect(previewMarkdown('He said "Stop here." Then he **left the room.** And then more words came after.', 11).markdown).toBe(
      'He said "Stop here." Then he **left the room.**',
    );
  });

  it('keeps the word cut with "…" when no sentence ends in at least half of what the paragraph was given', () => {
    // "Yes." would keep one word of ten.
    expect(previewMarkdown('Yes. Then a long run of words goes on and on without any stop at all here.', 10).markdown).toBe(
      'Yes. Then a long run of words goes on and…',
    );
    // No sentence ends before the cut at all.
    expect(previewMarkdown('A single sentence that runs on well past the budget it has.', 4).markdown).toBe('A single sentence that…');
    // A full stop inside a formula is no sentence's end: the cut never falls inside $…$.
    expect(previewMarkdown('We know that $a = 1. B = 2$ holds in every case we try here.', 8).markdown).toBe(
      'We know that $a = 1. B = 2$ holds…',
    );
    // Thai marks no sentence end: the word cut stays.
    const thai = previewMarkdown('การปฏิวัติฝรั่งเศสเริ่มขึ้นในปีหนึ่งพันเจ็ดร้อยแปดสิบเก้าเพราะรัฐบาลมีหนี้สินมาก', 5).markdown;
    expect(thai.endsWith('…')).toBe(true);
    expect(countWords(thai)).toBe(5);
  });

  it.each([
    ['Chinese', ['光合作用需要阳光。', '植物用叶子吸收二氧化碳。'], '最后这句话是会员专享的秘密结论。'],
    ['Japanese', ['光合成には光が必要です。', '植物は葉から二酸化炭素を取り込みます。'], '最後のこの文は会員だけが読める結論です。'],
  ])('ends a %s preview at 。 as it ends an English one at a full stop', (_script, opening, ending) => {
    const paragraph = [...opening, ending].join('');
    const fits = countWords(opening.join(''));
    // A budget that reaches two words into the members-only sentence.
    const p = previewMarkdown(paragraph, fits + 2);
    expect(p.markdown).toBe(opening.join(''));
    expect(p.cut).toBe(true);
  });

  it('never holds more words or characters than the word cut did', () => {
    const sentences = [
      'The treasury was empty by 1788.',
      'Bread prices doubled in Paris that spring, and crowds gathered.',
      '第三等级要求更多权利。',
      'Was the king to blame?',
      'Historians still argue about it!',
      'Then the Estates-General met at Versailles in May 1789, for the first time since 1614.',
    ];
    const answer = [sentences.join(' '), sentences.slice(2).join(' '), sentences.reverse().join(' ')].join('\n\n');
    const total = countWords(answer);
    for (let words = 1; words < total; words++) {
      for (const maxChars of [words * PREVIEW_CHARS_PER_WORD, words * 3, 40]) {
        const p = previewMarkdown(answer, words, maxChars).markdown;
        expect(countWords(p), `${words} words, ${maxChars} characters: ${p}`).toBeLessThanOrEqual(words);
        // The "…" of a word cut is the one character over, as it always was.
        expect(p.length - (p.endsWith('…') ? 1 : 0), `${words} words, ${maxChars} characters: ${p}`).toBeLessThanOrEqual(maxChars);
        expect(answer.startsWith(p.endsWith('…') ? p.slice(0, -1) : p)).toBe(true);
      }
    }
  });

  it('caps the preview by characters when the text has few word breaks', () => {
    const answer = `${'Ω'.repeat(3000)}\n\n${'ᚠᚢᚦ'.repeat(500)} ${'secret'.repeat(200)}`;
    const p = previewMarkdown(answer, 80);
    expect(p.cut).toBe(true);
    expect(p.markdown.length).toBeLessThanOrEqual(80 * PREVIEW_CHARS_PER_WORD + 1);
    expect(p.markdown).not.toContain('secret');
  });
});
