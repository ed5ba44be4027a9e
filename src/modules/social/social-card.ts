// The social card: the picture a link to a question or guide shows where it is shared (OpenGraph, Twitter). It
// carries only what anyone may read before the paywall: the site's name, the subject and the title. This file
// builds the card as SVG text (pure); social-render.ts turns it into a PNG.

/** The size link previews ask for (1.91:1). */
export const SOCIAL_IMAGE = { width: 1200, height: 630, type: 'image/png' } as const;

/** What a card shows. Deliberately no answer, overview or section text: nothing gated can reach a card. */
export interface SocialCard {
  kind: 'question' | 'guide';
  siteName: string;
  subject: string;
  title: string;
}

/** What a page's head needs to point at its card (layout.tsx writes og:image and twitter:image from it). */
export interface SocialImageRef {
  path: string;
  alt: string;
  width: number;
  height: number;
  type: string;
}

export function questionSocialImage(q: { id: number; title: string; subject: { name: string } }, siteName: string): SocialImageRef {
  return {
    path: `/q/${q.id}/social.png`,
    alt: `${q.title}: a ${q.subject.name} question answered on ${siteName}`,
    ...SOCIAL_IMAGE,
  };
}

export function guideSocialImage(g: { slug: string; title: string; subject: { name: string } }, siteName: string): SocialImageRef {
  return {
    path: `/guides/${g.slug}/social.png`,
    alt: `${g.title}: a ${g.subject.name} study guide on ${siteName}`,
    ...SOCIAL_IMAGE,
  };
}

// The site's colours (public/app.css, light scheme): the accent, the page background, text and muted text.
const COLOURS = { accent: '#4f46e5', background: '#f6f7fb', text: '#141829', muted: '#525a70', onAccent: '#ffffff' } as const;

/** The family the renderer loads (social-render.ts); the card names no other. */
export const CARD_FONT = 'Inter';

const MARGIN = 88;
const TEXT_WIDTH = SOCIAL_IMAGE.width - 2 * MARGIN;

/**
 * The title's sizes, largest first, each with the lines it may take: a short title is set large, a long one smaller
 * so it still fits whole; past the smallest, the last line ends with an ellipsis.
 */
const TITLE_SIZES: ReadonlyArray<{ size: number; lines: number }> = [
  { size: 68, lines: 3 },
  { size: 58, lines: 4 },
  { size: 48, lines: 5 },
];

/** Characters XML 1.0 forbids (C0 controls but tab and newlines, lone surrogates, U+FFFE/FFFF), dropped from card text. */
const NOT_XML = /[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu;

export function escapeXml(text: string): string {
  return text.replace(NOT_XML, '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// Widths in ems of Inter Bold, roughly: good enough to wrap by, since each line keeps a margin to spare.
const WIDE =
  /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u;
const NARROW = /[ijlI.,:;'!|()[\]{}`t f]/;
const BROAD = /[mwMW@%&]/;
const CAPITAL = /\p{Lu}/u;

/** The rough width of a text in ems. */
export function textWidth(text: string): number {
  let w = 0;
  for (const c of text) {
    if (WIDE.test(c)) w += 1;
    else if (NARROW.test(c)) w += 0.32;
    else if (BROAD.test(c)) w += 0.86;
    else if (CAPITAL.test(c)) w += 0.68;
    else w += 0.58;
  }
  return w;
}

/** Splits a word too wide for a line into pieces that fit (long formulas, scripts written without spaces). */
function breakWord(word: string, maxEms: number): string[] {
  const pieces: string[] = [];
  let piece = '';
  for (const c of word) {
    if (piece !== '' && textWidth(piece + c) > maxEms) {
      pieces.push(piece);
      piece = '';
    }
    piece += c;
  }
  if (piece !== '') pieces.push(piece);
  return pieces;
}

/**
 * Lines of at most `maxEms` ems, broken between words, and at most `maxLines` of them; `cut` when the text did not
 * fit, in which case the last line ends with an ellipsis.
 */
export function wrapText(text: string, maxEms: number, maxLines: number): { lines: string[]; cut: boolean } {
  const words = text
    .split(/\s+/)
    .filter((w) => w !== '')
    .flatMap((w) => (textWidth(w) > maxEms ? breakWord(w, maxEms) : [w]));
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    const candidate = line === '' ? word : `${line} ${word}`;
    if (textWidth(candidate) <= maxEms) {
      line = candidate;
      continue;
    }
    lines.push(line);
    line = word;
  }
  if (line !== '') lines.push(line);
  if (lines.length <= maxLines) return { lines, cut: false };
  const kept = lines.slice(0, maxLines);
  let last = kept[maxLines - 1] as string;
  while (last !== '' && textWidth(`${last}…`) > maxEms) last = last.slice(0, -1).trimEnd();
  kept[maxLines - 1] = `${last.replace(/[\s.,;:!?-]+$/, '')}…`;
  return { lines: kept, cut: true };
}

/** The title's size and lines: the largest size at which it fits whole, else the smallest, cut. */
export function layoutTitle(title: string): { size: number; lines: string[] } {
  for (const { size, lines } of TITLE_SIZES) {
    const wrapped = wrapText(title, TEXT_WIDTH / size, lines);
    if (!wrapped.cut) return { size, lines: wrapped.lines };
  }
  const smallest = TITLE_SIZES[TITLE_SIZES.length - 1] as { size: number; lines: number };
  return { size: smallest.size, lines: wrapText(title, TEXT_WIDTH / smallest.size, smallest.lines).lines };
}

/** The card as SVG (1200×630). Every text is escaped; nothing but the card's own fields is written. */
export function buildSocialCardSvg(card: SocialCard): string {
  const { width, height } = SOCIAL_IMAGE;
  const title = layoutTitle(card.title.replace(NOT_XML, ''));
  const lineHeight = Math.round(title.size * 1.18);
  const kicker = card.kind === 'question' ? `${card.subject} question` : `${card.subject} study guide`;
  const kickerText = wrapText(kicker.replace(NOT_XML, ''), TEXT_WIDTH / 32, 1).lines[0] ?? '';
  const footer = card.kind === 'question' ? 'Expert answers from verified educators' : 'Study guides checked by editors';
  // The title starts under the subject line and stays above the footer (540): at most 5 lines of 48 px.
  const firstBaseline = Math.round(240 + title.size * 0.8);
  const titleLines = title.lines
    .map((l, i) => `<tspan x="${MARGIN}" y="${firstBaseline + i * lineHeight}">${escapeXml(l)}</tspan>`)
    .join('');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="${width}" height="${height}" fill="${COLOURS.background}"/>`,
    `<rect width="24" height="${height}" fill="${COLOURS.accent}"/>`,
    // The mark from the favicon, at 64 px.
    `<g transform="translate(${MARGIN} 56) scale(2)"><rect width="32" height="32" rx="7" fill="${COLOURS.accent}"/>`,
    `<path d="M9 22c0-3 3-4.5 7-5.5s5-2 5-4-2-3.5-5-3.5c-2.5 0-4.2 1-5 2.6" fill="none" stroke="${COLOURS.onAccent}" stroke-width="3" stroke-linecap="round"/>`,
    `<circle cx="16" cy="25" r="1.8" fill="${COLOURS.onAccent}"/></g>`,
    `<text x="${MARGIN + 84}" y="101" font-family="${CARD_FONT}" font-size="40" font-weight="700" fill="${COLOURS.text}">${escapeXml(card.siteName)}</text>`,
    `<text x="${MARGIN}" y="204" font-family="${CARD_FONT}" font-size="32" font-weight="600" fill="${COLOURS.accent}">${escapeXml(kickerText)}</text>`,
    `<text font-family="${CARD_FONT}" font-size="${title.size}" font-weight="700" fill="${COLOURS.text}">${titleLines}</text>`,
    `<rect x="${MARGIN}" y="548" width="${width - 2 * MARGIN}" height="2" fill="#dcd8cf"/>`,
    `<text x="${MARGIN}" y="592" font-family="${CARD_FONT}" font-size="28" font-weight="400" fill="${COLOURS.muted}">${escapeXml(footer)}</text>`,
    '</svg>',
  ].join('');
}
