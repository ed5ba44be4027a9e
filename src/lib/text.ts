// The one place that says what a word is. Chinese, Japanese and Thai put no spaces between words, so "runs of
// non-space characters" would count a whole paragraph of them as one word (and once let a paywall preview of
// "80 words" carry an entire answer). Intl.Segmenter knows word boundaries in every script ICU covers; Node
// ships with full ICU.

const wordSegmenter = new Intl.Segmenter('und', { granularity: 'word' });
const graphemeSegmenter = new Intl.Segmenter('und', { granularity: 'grapheme' });

/**
 * How many characters of source one previewed word may take, at most. English runs at about six with its space;
 * Markdown links and emphasis add some. A preview is also capped at `words × this` characters, so that a script
 * the segmenter reads as few long words (or a run of symbols it reads as none) still carries no more than a
 * preview's worth.
 */
export const PREVIEW_CHARS_PER_WORD = 8;

/** The words of a text in any script (letters or digits; punctuation, spaces, symbols and emoji are not words). */
export function words(text: string): string[] {
  const out: string[] = [];
  for (const s of wordSegmenter.segment(text)) if (s.isWordLike) out.push(s.segment);
  return out;
}

/** Words as a reader counts them, in any script; with `stopAfter`, counting stops once it is passed (segmenting is not free). */
export function countWords(text: string, stopAfter = Number.POSITIVE_INFINITY): number {
  let n = 0;
  for (const s of wordSegmenter.segment(text)) if (s.isWordLike && ++n > stopAfter) break;
  return n;
}

/**
 * The opening of `text` holding at most `maxWords` words and `maxChars` UTF-16 code units, cut only at a boundary
 * between words (or, for a single word longer than `maxChars`, between characters as a reader sees them, so no
 * emoji or accented letter is split). Whatever follows the last word taken (spaces, punctuation) is left out.
 */
export function openingWords(text: string, maxWords: number, maxChars: number): { text: string; words: number; cut: boolean } {
  let end = 0;
  let taken = 0;
  for (const s of wordSegmenter.segment(text)) {
    const segEnd = s.index + s.segment.length;
    if (s.isWordLike) {
      if (taken >= maxWords) break;
      if (segEnd > maxChars) {
        // Not even the first word fits: take what characters of it do.
        if (taken === 0) end = graphemeEnd(s.segment, maxChars - s.index) + s.index;
        break;
      }
      taken++;
      end = segEnd;
    } else if (segEnd > maxChars) {
      break;
    }
  }
  // Cut when anything but spaces and punctuation is left behind.
  return { text: text.slice(0, end), words: taken, cut: /[^\s\p{P}]/u.test(text.slice(end)) };
}

/** The end of the longest run of whole graphemes of `s` within `limit` code units. */
function graphemeEnd(s: string, limit: number): number {
  let end = 0;
  for (const g of graphemeSegmenter.segment(s)) {
    if (g.index + g.segment.length > limit) break;
    end = g.index + g.segment.length;
  }
  return end;
}

// Latin, Greek, Cyrillic, Armenian, Georgian (with digits, punctuation, symbols, marks and spaces): scripts whose words
// are separated by spaces.
const SPACED = /^[\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}\p{Script=Armenian}\p{Script=Georgian}\p{N}\p{P}\p{S}\p{M}\s]*$/u;

/** The words of spaced text that fit in `limit` code units (none when the first word alone is longer). */
function cutAtSpace(text: string, limit: number): string {
  if (text.length <= limit) return text;
  // A space right after the limit means the last word fits whole.
  const end = text[limit] === ' ' ? limit : text.lastIndexOf(' ', limit);
  return end <= 0 ? '' : text.slice(0, end);
}

/** Cuts text at a word boundary to at most `max` characters, adding an ellipsis if it cut. */
export function truncate(text: string, max: number): string {
  const clean = text.replace(/\s+/g, ' ').trim();
  if (clean.length <= max) return clean;
  // Text in scripts that put spaces between words (most descriptions: every question page makes one) is cut at the
  // last space that fits, which is where the segmenter would end too, short of its splits at hyphens and
  // apostrophes; other text (Chinese, Japanese, Thai: no spaces) goes through the segmenter. Only the first `max`
  // characters can end up in the result, so only they (and a word running past them) are looked at.
  const head = clean.slice(0, max + 64);
  const opening = SPACED.test(head) ? cutAtSpace(head, max - 1) : openingWords(head, Number.POSITIVE_INFINITY, max - 1).text;
  // Fewer than 60% of the room used means one long word stood in the way: cut inside it rather than lose the line.
  const cut = opening.length > max * 0.6 ? opening : clean.slice(0, graphemeEnd(clean, max - 1));
  return `${cut.replace(/[\s,.;:!?、，。-]+$/u, '')}…`;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** Text of sanitized HTML: tags dropped, entities decoded, spaces collapsed. */
export function htmlToText(html: string): string {
  return html
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (all, e: string) => {
      if (e[0] === '#') {
        const code = e[1] === 'x' || e[1] === 'X' ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1));
        return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : ' ';
      }
      return ENTITIES[e.toLowerCase()] ?? all;
    })
    .replace(/\s+/g, ' ')
    .trim();
}
