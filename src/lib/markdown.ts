import MarkdownIt from 'markdown-it';
import sanitizeHtml from 'sanitize-html';
import { highlightCode } from './highlight.ts';
import { MATH_ATTRIBUTES, MATH_CLASS, MATH_STYLES, MATH_TAGS, texToText, useMath } from './math.ts';

// User Markdown never executes: markdown-it refuses raw HTML, and the result then passes an allowlist.
const options = { html: false, linkify: true, typographer: false, breaks: false } as const;
// Fenced code with a known language is highlighted (lib/highlight.ts); markdown-it escapes any other block itself.
const md = new MarkdownIt({ ...options, highlight: (code, language) => highlightCode(code, language.trim().toLowerCase()) ?? '' });
useMath(md);
// Plain text needs no highlighting; its formulas are found by the same rules and written as readable text.
const plainMd = new MarkdownIt(options);
useMath(plainMd);
const mathAsText = (tokens: { content: string }[], i: number) => plainMd.utils.escapeHtml(texToText(tokens[i]?.content ?? ''));
for (const rule of ['math_inline', 'math_inline_block', 'math_block']) plainMd.renderer.rules[rule] = mathAsText;

// Plain text with math (quick answers): paragraphs and formulas only, no other Markdown.
const mathTextMd = new MarkdownIt('zero', options).enable(['escape']);
useMath(mathTextMd);

/*
 * Images are placed as `![alt](image:ID)`, ID being an image the site stored (modules/images). Markdown knows
 * nothing of stored images: whoever renders passes `pictures`, which gives the `<picture>` markup of an image (or
 * nothing, for one that is unknown or was removed: it then vanishes from the page). Any other image address is not
 * fetched from anywhere: its alt text is shown instead, so a page never loads a file from another site.
 */
export const PLACED_IMAGE = /!\[([^\]\n]*)\]\(image:(\d{1,10})\)/g;

/** The `<picture>` for a placed image, or undefined to leave it out. `alt` is the text the author gave it. */
export type PictureLookup = (id: number, alt: string) => string | undefined;

md.renderer.rules.image = (tokens, i, options, env, self) => {
  const token = tokens[i];
  if (!token) return '';
  const alt = self.renderInlineAsText(token.children ?? [], options, env);
  const placed = /^image:(\d{1,10})$/.exec(String(token.attrGet('src') ?? ''));
  if (!placed) return md.utils.escapeHtml(alt);
  const pictures = (env as { pictures?: PictureLookup } | undefined)?.pictures;
  return pictures?.(Number(placed[1]), alt) ?? '';
};

/** The ids of the images a text places, each once, in order. */
export function placedImageIds(markdown: string): number[] {
  return [...new Set([...markdown.matchAll(PLACED_IMAGE)].map((m) => Number(m[2])))];
}

/**
 * The pictures already rendered in a text's HTML, by image id: a preview of the text (cut from its Markdown) shows
 * an image it keeps exactly as the whole text does, without looking the image up again.
 */
export function picturesIn(html: string): PictureLookup {
  const found = new Map<number, string>();
  for (const m of html.matchAll(/<picture class="placed-image" data-image="(\d+)">[\s\S]*?<\/picture>/g)) {
    const id = Number(m[1]);
    if (!found.has(id)) found.set(id, m[0]);
  }
  return (id) => found.get(id);
}

// Answers sit under the page's own h2 sections, so their headings start at h3 (keeps the outline valid).
const headingShift: Record<string, string> = { h1: 'h3', h2: 'h3', h3: 'h4', h4: 'h5', h5: 'h6', h6: 'h6' };

/** Every element rendered Markdown may contain. */
export const ALLOWED_TAGS: readonly string[] = [
  'h3',
  'h4',
  'h5',
  'h6',
  'p',
  'br',
  'hr',
  'blockquote',
  'ul',
  'ol',
  'li',
  'strong',
  'em',
  's',
  'del',
  'code',
  'pre',
  'a',
  'span',
  'table',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
  'picture',
  'source',
  'img',
  ...MATH_TAGS,
];

// A placed image's files: only this site's own image addresses, by content hash (modules/images, imagePath).
const IMAGE_URL = /^\/images\/[0-9a-f]{64}\.[a-z0-9]{2,5}$/;
const imageSrcset = (value: string | undefined) =>
  value?.split(', ').every((part) => /^\S+ \d{1,5}w$/.test(part) && IMAGE_URL.test(part.split(' ')[0] as string)) === true;

const sanitizeOptions: sanitizeHtml.IOptions = {
  allowedTags: [...ALLOWED_TAGS],
  allowedAttributes: {
    a: ['href', 'title', 'rel'],
    ol: ['start'],
    th: ['style'],
    td: ['style'],
    code: ['class'],
    p: ['title'],
    picture: ['class', 'data-image'],
    source: ['type', 'srcset', 'sizes'],
    img: ['src', 'srcset', 'sizes', 'width', 'height', 'alt', 'loading', 'decoding'],
    ...MATH_ATTRIBUTES,
  },
  allowedStyles: { th: { 'text-align': [/^(left|right|center)$/] }, td: { 'text-align': [/^(left|right|center)$/] }, ...MATH_STYLES },
  // Spans come only from the highlighter and KaTeX (raw HTML is text): their classes, nothing else.
  allowedClasses: {
    code: [/^language-[a-z0-9+#-]{1,30}$/],
    span: [/^hljs-[a-z_-]{1,30}$/, /^(function_|class_|inherited__|language_)$/, MATH_CLASS],
    p: [/^katex-(block|error)$/],
    picture: ['placed-image'],
  },
  // Nothing but the site's own images: an <img> or <source> pointing anywhere else is dropped whole.
  exclusiveFilter: (frame) =>
    (frame.tag === 'img' && !(IMAGE_URL.test(frame.attribs.src ?? '') && imageSrcset(frame.attribs.srcset))) ||
    (frame.tag === 'source' && !imageSrcset(frame.attribs.srcset)),
  allowedSchemes: ['http', 'https', 'mailto'],
  allowProtocolRelative: false,
  transformTags: {
    ...Object.fromEntries(Object.entries(headingShift).map(([from, to]) => [from, sanitizeHtml.simpleTransform(to, {})])),
    a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, rel: 'nofollow ugc' } }),
    // KaTeX colours unreadable TeX with an inline red that fails contrast in the dark scheme; app.css styles it.
    span: (tagName, attribs) => {
      if (attribs.class !== 'katex-error') return { tagName, attribs };
      const { style: _style, ...rest } = attribs;
      return { tagName, attribs: rest };
    },
  },
  // <source> is a void element: written without an end tag, as HTML has it.
  selfClosing: [...sanitizeHtml.defaults.selfClosing, 'source'],
  // Drop the contents of dangerous elements too, not only the tags.
  nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'iframe', 'object'],
};

/**
 * Markdown to safe HTML: headings, lists, quotes, links (nofollow ugc), code, tables, math, and the site's own
 * images where `pictures` gives them.
 */
export function renderMarkdown(source: string, options: { readonly pictures?: PictureLookup } = {}): string {
  const env = options.pictures ? { pictures: options.pictures } : {};
  return sanitizeHtml(md.render(source, env), sanitizeOptions);
}

/** Plain text (a quick answer) to safe HTML: its paragraphs, and its $…$ formulas rendered; nothing else is markup. */
export function renderTextWithMath(text: string): string {
  return sanitizeHtml(mathTextMd.render(text), sanitizeOptions);
}

/** Markdown to plain text (for meta descriptions, snippets and word counts). */
export function markdownToText(source: string): string {
  const html = plainMd.render(source);
  return sanitizeHtml(html, { allowedTags: [], allowedAttributes: {} })
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/\s+/g, ' ')
    .trim();
}
