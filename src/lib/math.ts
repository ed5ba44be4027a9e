import katexModule from '@vscode/markdown-it-katex';
import katex from 'katex';
import type MarkdownIt from 'markdown-it';
import type sanitizeHtml from 'sanitize-html';
import { htmlToText } from './text.ts';
import 'katex/contrib/mhchem';

// Math in Markdown: $…$ inline and $$…$$ display, with mhchem's \ce{…} for chemistry, rendered on the server by
// KaTeX as HTML (for the eye) and MathML (for screen readers), so a page with math carries no script. KaTeX runs
// untrusted: no \href, \url, \htmlClass or \includegraphics (trust: false), bounded sizes and macro expansion.
// A formula KaTeX cannot read shows its source in the error style (.katex-error), never an exception.

const KATEX_OPTIONS = {
  throwOnError: false,
  strict: false,
  trust: false,
  output: 'htmlAndMathml',
  // \rule and \kern sizes, in em: a formula cannot draw a box over the page.
  maxSize: 20,
  maxExpand: 300,
} as const;

// The package is CommonJS with its plugin on `exports.default`.
type Md = InstanceType<typeof MarkdownIt>;
type Plugin = (md: Md, options: object) => void;
const katexPlugin = ((katexModule as unknown as { default?: Plugin }).default ?? katexModule) as Plugin;

export function useMath(md: Md): void {
  // The same katex module that mhchem registered \ce in (the plugin's own require would load a second copy).
  md.use(katexPlugin, { ...KATEX_OPTIONS, katex });
}

/** What a rendered page holds when it contains math (KaTeX's root class): it then needs the math stylesheet. */
export const MATH_MARK = 'class="katex';

/** MathML elements KaTeX writes. */
const MATHML_TAGS = [
  'math',
  'semantics',
  'annotation',
  'mrow',
  'mi',
  'mn',
  'mo',
  'ms',
  'mtext',
  'mspace',
  'msup',
  'msub',
  'msubsup',
  'mfrac',
  'msqrt',
  'mroot',
  'mover',
  'munder',
  'munderover',
  'mtable',
  'mtr',
  'mtd',
  'mstyle',
  'mpadded',
  'mphantom',
  'menclose',
  'mglyph',
];

/** KaTeX's stretchy glyphs (roots, wide accents, arrows) are inline SVG paths. */
const SVG_TAGS = ['svg', 'path', 'line'];

export const MATH_TAGS: readonly string[] = [...MATHML_TAGS, ...SVG_TAGS];

const em = /^-?\d*\.?\d+em$/;
/** Heights are never negative in CSS: KaTeX writes some (mhchem's arrows), which browsers ignore and checkers flag. */
const nonNegativeEm = /^\d*\.?\d+em$/;
const colour = /^(#[0-9a-f]{3,8}|[a-z]{3,20})$/i;

/** The attributes KaTeX's HTML, MathML and SVG carry, and nothing else. */
export const MATH_ATTRIBUTES: Record<string, string[]> = {
  span: ['aria-hidden', 'style', 'title'],
  math: ['xmlns', 'display'],
  annotation: ['encoding'],
  mi: ['mathvariant'],
  mo: ['stretchy', 'minsize', 'maxsize', 'lspace', 'rspace', 'fence', 'separator', 'largeop', 'movablelimits'],
  mpadded: ['width', 'height', 'depth', 'lspace', 'voffset'],
  mtable: ['rowspacing', 'columnalign', 'columnspacing', 'columnlines', 'rowlines', 'frame'],
  mtd: ['columnalign'],
  mstyle: ['scriptlevel', 'displaystyle', 'mathcolor', 'mathsize'],
  mover: ['accent'],
  munder: ['accentunder'],
  mfrac: ['linethickness'],
  menclose: ['notation'],
  mspace: ['width', 'height', 'depth', 'mathbackground', 'linebreak'],
  svg: ['xmlns', 'width', 'height', 'viewbox', 'viewBox', 'preserveaspectratio', 'preserveAspectRatio', 'style'],
  path: ['d'],
  line: ['x1', 'x2', 'y1', 'y2', 'stroke-width'],
};

/** Inline styles: KaTeX's sizes and offsets in em, \color, and the few fixed values its boxes use. */
export const MATH_STYLES: sanitizeHtml.IOptions['allowedStyles'] = {
  span: {
    height: [nonNegativeEm],
    top: [em],
    bottom: [em],
    left: [em],
    'vertical-align': [em],
    'margin-left': [em],
    'margin-right': [em],
    'padding-left': [em],
    'min-width': [em],
    width: [em],
    'border-bottom-width': [em],
    'border-top-width': [em],
    'border-right-width': [em],
    'border-width': [em],
    'border-style': [/^solid$/],
    position: [/^relative$/],
    color: [colour],
    'background-color': [colour],
    'border-color': [colour],
  },
  svg: { width: [em, /^100%$/], height: [em], 'min-width': [em] },
};

/** KaTeX's classes: lower-case words with digits and hyphens (the sanitizer allows them on math spans only). */
export const MATH_CLASS = /^[a-z][a-z0-9-]{0,30}$/;

// TeX to plain text, for snippets, meta descriptions and search: the source stays readable without the renderer.
const SYMBOLS: Record<string, string> = {
  alpha: 'α',
  beta: 'β',
  gamma: 'γ',
  delta: 'δ',
  epsilon: 'ε',
  theta: 'θ',
  lambda: 'λ',
  mu: 'μ',
  pi: 'π',
  rho: 'ρ',
  sigma: 'σ',
  tau: 'τ',
  phi: 'φ',
  omega: 'ω',
  Delta: 'Δ',
  Sigma: 'Σ',
  Omega: 'Ω',
  times: '×',
  cdot: '·',
  div: '÷',
  pm: '±',
  le: '≤',
  leq: '≤',
  ge: '≥',
  geq: '≥',
  ne: '≠',
  neq: '≠',
  approx: '≈',
  infty: '∞',
  to: '→',
  rightarrow: '→',
  leftarrow: '←',
  degree: '°',
  circ: '°',
};

/** A formula's source as text: \frac{a}{b} as (a)/(b), \sqrt{x} as √(x), \ce{H2O} as H2O, Greek letters as letters. */
export function texToText(tex: string): string {
  let s = tex;
  for (let i = 0; i < 3; i++) {
    s = s
      .replace(/\\[dt]?frac\{([^{}]*)\}\{([^{}]*)\}/g, '($1)/($2)')
      .replace(/\\sqrt\{([^{}]*)\}/g, '√($1)')
      .replace(/\\(?:ce|pu|text|mathrm|mathbf|mathit|operatorname|vec|overline|hat)\{([^{}]*)\}/g, '$1');
  }
  return s
    .replace(/\\(left|right|displaystyle|,|;|!|quad|qquad)/g, ' ')
    .replace(/\\([A-Za-z]+)/g, (_, name: string) => SYMBOLS[name] ?? name)
    .replace(/[{}]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** $$…$$ or $…$ as the renderer finds them, near enough (no space inside the dollars, no digit right after). */
const FORMULA = /\$\$([\s\S]+?)\$\$|\$(?=\S)([^$\n]*?\S)\$(?!\d)/g;

/**
 * Where to end a cut of `text` at `end` so that no formula is cut in half: `end` itself, or the start of the
 * formula it falls inside.
 */
export function cutOutsideMath(text: string, end: number): number {
  if (!text.includes('$')) return end;
  for (const m of text.matchAll(FORMULA)) {
    if (m.index >= end) break;
    if (end < m.index + m[0].length) return m.index;
  }
  return end;
}

/** Plain text (a quick answer) with its formulas written as readable text, for meta descriptions and JSON-LD. */
export function mathToText(text: string): string {
  if (!text.includes('$')) return text;
  return text.replace(FORMULA, (_, display?: string, inline?: string) => texToText(display ?? inline ?? ''));
}

const ROOT = /<span class="katex(?:-display)?">/g;
const ANNOTATION = /<annotation encoding="application\/x-tex">([\s\S]*?)<\/annotation>/;

/**
 * Rendered HTML with each KaTeX formula replaced by its source as readable text (already HTML-escaped, as the
 * annotation holds it): KaTeX writes a formula twice, as MathML and as glyph boxes, and neither reads as text.
 */
export function renderedMathToText(html: string): string {
  if (!html.includes(MATH_MARK)) return html;
  let out = '';
  let from = 0;
  ROOT.lastIndex = 0;
  for (let m = ROOT.exec(html); m !== null; m = ROOT.exec(html)) {
    // The root's end: the </span> that closes it, counting the spans opened inside.
    let depth = 1;
    let i = m.index + m[0].length;
    while (depth > 0 && i < html.length) {
      const open = html.indexOf('<span', i);
      const close = html.indexOf('</span>', i);
      if (close < 0) break;
      if (open >= 0 && open < close) {
        depth++;
        i = open + 5;
      } else {
        depth--;
        i = close + 7;
      }
    }
    const tex = ANNOTATION.exec(html.slice(m.index, i))?.[1] ?? '';
    out += html.slice(from, m.index) + texToText(tex);
    from = i;
    ROOT.lastIndex = i;
  }
  return out + html.slice(from);
}

/** Text of sanitized HTML, formulas as their readable source: snippets of previews, structured data. */
export function renderedHtmlToText(html: string): string {
  return htmlToText(renderedMathToText(html));
}
