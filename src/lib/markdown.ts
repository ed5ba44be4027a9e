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
  ...MATH_TAGS,
];

const sanitizeOptions: sanitizeHtml.IOptions = {
  allowedTags: [...ALLOWED_TAGS],
  allowedAttributes: {
    a: ['href', 'title', 'rel'],
    ol: ['start'],
    th: ['style'],
    td: ['style'],
    code: ['class'],
    p: ['title'],
    ...MATH_ATTRIBUTES,
  },
  allowedStyles: { th: { 'text-align': [/^(left|right|center)$/] }, td: { 'text-align': [/^(left|right|center)$/] }, ...MATH_STYLES },
  // Spans come only from the highlighter and KaTeX (raw HTML is text): their classes, nothing else.
  allowedClasses: {
    code: [/^language-[a-z0-9+#-]{1,30}$/],
    span: [/^hljs-[a-z_-]{1,30}$/, /^(function_|class_|inherited__|language_)$/, MATH_CLASS],
    p: [/^katex-(block|error)$/],
  },
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
  // Drop the contents of dangerous elements too, not only the tags.
  nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'iframe', 'object'],
};

/** Markdown to safe HTML: headings, lists, quotes, links (nofollow ugc), code, tables and math. */
export function renderMarkdown(source: string): string {
  return sanitizeHtml(md.render(source), sanitizeOptions);
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
