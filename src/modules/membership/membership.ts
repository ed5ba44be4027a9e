import type { MembershipStatus } from '../../db/database.ts';
import { cutOutsideMath } from '../../lib/math.ts';
import { countWords, openingWords, PREVIEW_CHARS_PER_WORD } from '../../lib/text.ts';

// The rules of membership and the paywall, as pure functions: one place decides who reads what.

export type { MembershipStatus };

/** What a plan may hold: the admin form and addPlan check these. */
export const PLAN_LIMITS = { name: 60 } as const;

/**
 * What the plan form's schema lets through: each field a little past what addPlan accepts, so an overlong value is
 * refused beside its field with addPlan's message; only past these is it the generic form page (422).
 */
export const PLAN_FORM_FIELDS = { name: 100, interval: 10, price: 20, currency: 10, stripePriceId: 100 } as const;

export interface PlanRow {
  id: number;
  name: string;
  interval: 'month' | 'year';
  priceMinor: number;
  currency: string;
}

/** "$9.99 a month". */
export function formatPrice(p: PlanRow): string {
  const amount = new Intl.NumberFormat('en-US', { style: 'currency', currency: p.currency.toUpperCase() }).format(p.priceMinor / 100);
  return `${amount} a ${p.interval}`;
}

export interface MembershipState {
  status: MembershipStatus;
  source: 'trial' | 'complimentary' | 'stripe';
  periodEnd: string;
  cancelAtPeriodEnd: boolean;
}

/** Members read everything: trialing, paying (also while a payment is being retried) or canceled, until the period ends. */
export function isMember(m: MembershipState | null | undefined, nowMs: number): boolean {
  if (!m || m.status === 'expired') return false;
  return Date.parse(m.periodEnd) > nowMs;
}

/** The state to show: anything past its period end has expired, to the second. */
export function effectiveStatus(m: MembershipState | null | undefined, nowMs: number): MembershipStatus | 'none' {
  if (!m) return 'none';
  return Date.parse(m.periodEnd) > nowMs ? m.status : 'expired';
}

export type Content =
  | { kind: 'expert_answer' }
  | { kind: 'quick_answer' }
  | { kind: 'question' }
  | { kind: 'guide_section'; membersOnly: boolean }
  /** A study guide's PDF: every section whole, so it follows the strictest rule of its parts. */
  | { kind: 'guide_pdf' };

/** Whether this viewer gets the whole of this content (otherwise the preview and the call to action). */
export function decideAccess(viewer: { member: boolean } | null, content: Content): { full: boolean } {
  switch (content.kind) {
    case 'expert_answer':
    case 'guide_pdf':
      return { full: viewer?.member === true };
    case 'guide_section':
      return { full: !content.membersOnly || viewer?.member === true };
    default:
      return { full: true };
  }
}

const GMAIL = new Set(['gmail.com', 'googlemail.com']);

/**
 * The identity one free trial belongs to: the address lowercased, without a +tag, and for Gmail without dots
 * (they all reach the same inbox), so ana.b+1@gmail.com and anab@googlemail.com are one person.
 */
export function trialIdentity(email: string): string {
  const lower = email.trim().toLowerCase();
  const at = lower.lastIndexOf('@');
  if (at < 1) return `email:${lower}`;
  let local = lower.slice(0, at).split('+')[0] as string;
  let domain = lower.slice(at + 1);
  if (GMAIL.has(domain)) {
    local = local.replace(/\./g, '');
    domain = 'gmail.com';
  }
  return `email:${local}@${domain}`;
}

/**
 * The opening of an expert answer for readers without membership: whole blocks of the Markdown while they fit in
 * `words` words and `maxChars` characters, then the next block cut at the end of its last sentence that fits (or at a
 * word boundary, with "…", when no sentence ends in a reasonable part of what is left). Words are counted as
 * Intl.Segmenter sees them, so the limit means the same in scripts written without spaces; the character cap
 * holds even where the segmenter finds few words. Rendered and sanitized like any Markdown, so a cut inside
 * emphasis or a link shows as plain text rather than breaking the page.
 */
export function previewMarkdown(
  markdown: string,
  words: number,
  maxChars: number = words * PREVIEW_CHARS_PER_WORD,
): { markdown: string; cut: boolean } {
  const blocks = markdown.split(/\n\s*\n/);
  const out: string[] = [];
  let leftWords = words;
  let leftChars = maxChars;
  for (const block of blocks) {
    // Blocks are joined by a blank line: two characters each.
    const joint = out.length > 0 ? 2 : 0;
    // Only a block that fits in the characters left can fit in the words left; count no further than needed.
    const count = block.length + joint <= leftChars ? countWords(block, leftWords) : Number.POSITIVE_INFINITY;
    if (count <= leftWords) {
      out.push(block);
      leftWords -= count;
      leftChars -= block.length + joint;
      if (leftWords === 0) break;
      continue;
    }
    // Code, tables, headings and display math are never cut; a paragraph is cut between words, and before a formula
    // the cut would fall inside.
    if (leftWords > 0 && !/^\s*(```|\||#|\$\$)/.test(block)) {
      const opening = openingWords(block, leftWords, leftChars - joint);
      const text = block.slice(0, cutOutsideMath(block, opening.text.length)).trimEnd();
      if (opening.words > 0 && text !== '') out.push(sentenceCut(block, text, opening.words, leftChars - joint) ?? `${text}…`);
    }
    break;
  }
  const result = out.join('\n\n');
  return { markdown: result, cut: result.trim() !== markdown.trim() };
}

const sentenceSegmenter = new Intl.Segmenter('und', { granularity: 'sentence' });

/**
 * A sentence's last characters: a full stop, question or exclamation mark in any script (. ? ! 。 ！ ？ । ؟), then any
 * closing quotes or brackets, or the end of Markdown emphasis. A boundary the segmenter finds at a line break alone
 * is not a sentence's end.
 */
const SENTENCE_END = /\p{Sentence_Terminal}[\p{Pe}\p{Pf}"'’”»*_]*$/u;
const CLOSERS = /^[\p{Pe}\p{Pf}"'’”»*_]*/u;

/**
 * The opening of a paragraph the preview cuts, ended at its last whole sentence rather than between words. `cut` is
 * the word cut (within the words and characters left, never inside a formula) and the sentence must end inside it,
 * so the preview never holds more than the word cut would: only the sentence's closing punctuation may run past the
 * word cut (which leaves out what follows its last word), and never past `maxChars`. Undefined, and the word cut with
 * "…" stays, when no sentence ends there or the sentence would keep fewer than half of the word cut's words: one
 * short sentence where most of a paragraph was due would cheat the reader of the preview.
 */
function sentenceCut(block: string, cut: string, cutWords: number, maxChars: number): string | undefined {
  // Where the word cut ends, with the punctuation straight after its last word (no letter, digit or space).
  const trailing = /^[^\p{L}\p{N}\p{M}\s]*/u.exec(block.slice(cut.length))?.[0].length ?? 0;
  const room = Math.min(cut.length + trailing, maxChars);
  let end = 0;
  for (const s of sentenceSegmenter.segment(block)) {
    if (s.index >= room) break;
    const sentence = s.segment.trimEnd();
    if (!SENTENCE_END.test(sentence)) continue;
    // The segmenter leaves the end of emphasis (`**`) to the next sentence; it closes this one.
    const stop = s.index + sentence.length + (CLOSERS.exec(block.slice(s.index + sentence.length))?.[0].length ?? 0);
    if (stop > room) break;
    if (cutOutsideMath(block, stop) === stop) end = stop;
  }
  if (end === 0) return undefined;
  const text = block.slice(0, end);
  const kept = countWords(text);
  // The punctuation taken past the word cut holds no word (checked, not assumed: the budget is the paywall's).
  return kept * 2 >= cutWords && kept <= cutWords ? text : undefined;
}
