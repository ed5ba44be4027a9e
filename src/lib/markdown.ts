import MarkdownIt from 'markdown-it';
import sanitizeHtml from 'sanitize-html';
import { highlightCode } from './highlight.ts';

// User Markdown never executes: markdown-it refuses raw HTML, and the result then passes an allowlist.
const options = { html: false, linkify: true, typographer: false, breaks: false } as const;
// Fenced code with a known language is highlighted (lib/highlight.ts); markdown-it escapes any other block itself.
const md = new MarkdownIt({ ...options, highlight: (code, language) => highlightCode(code, language.trim().toLowerCase()) ?? '' });
// Plain text needs no highlighting.
const plainMd = new MarkdownIt(options);

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
];

const sanitizeOptions: sanitizeHtml.IOptions = {
  allowedTags: [...ALLOWED_TAGS],
  allowedAttributes: {
    a: ['href', 'title', 'rel'],
    ol: ['start'],
    th: ['style'],
    td: ['style'],
    code: ['class'],
  },
  allowedStyles: { th: { 'text-align': [/^(left|right|center)$/] }, td: { 'text-align': [/^(left|right|center)$/] } },
  allowedClasses: { code: [/^language-[a-z0-9+#-]{1,30}$/], span: [/^hljs-[a-z_-]{1,30}$/, /^(function_|class_|inherited__|language_)$/] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowProtocolRelative: false,
  transformTags: {
    ...Object.fromEntries(Object.entries(headingShift).map(([from, to]) => [from, sanitizeHtml.simpleTransform(to, {})])),
    a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, rel: 'nofollow ugc' } }),
  },
  // Drop the contents of dangerous elements too, not only the tags.
  nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'iframe', 'object'],
};

/** Markdown to safe HTML: headings, lists, quotes, links (nofollow ugc), code and tables. */
export function renderMarkdown(source: string): string {
  return sanitizeHtml(md.render(source), sanitizeOptions);
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
