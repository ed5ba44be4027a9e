import katex from 'katex';
import { describe, expect, it } from 'vitest';
import { markdownToText, renderMarkdown } from './markdown.ts';
import { renderedMathToText, texToText } from './math.ts';

// The formulas a Math or Science answer uses: fractions, roots, sums, integrals, matrices, limits, wide accents and
// arrows (drawn as SVG), colour, and mhchem's equations and nuclides.
const FORMULAS = [
  'x^2 - 5x + 6 = 0',
  '\\frac{-b \\pm \\sqrt{b^2 - 4ac}}{2a}',
  '\\sqrt[3]{8} = 2',
  '\\int_0^1 x^2\\,dx = \\frac{1}{3}',
  '\\sum_{i=1}^{n} i = \\frac{n(n+1)}{2}',
  '\\begin{pmatrix}1 & 2\\\\3 & 4\\end{pmatrix}',
  '\\lim_{x \\to 0} \\frac{\\sin x}{x} = 1',
  '\\overrightarrow{AB} + \\widehat{abc}',
  '\\xrightarrow{\\text{heat}}',
  '\\cancel{x} \\boxed{y} \\color{red}{z}',
  '\\begin{aligned}a &= b\\\\c &= d\\end{aligned}',
  '\\ce{2H2 + O2 -> 2H2O}',
  '\\ce{H2SO4 <=> H+ + HSO4-}',
  '\\ce{^{14}_{6}C -> ^{14}_{7}N + e^-}',
];

const normalise = (html: string) =>
  html
    .replace(/viewBox/g, 'viewbox')
    .replace(/preserveAspectRatio/g, 'preserveaspectratio')
    .replace(/\s*\/>/g, '>')
    .replace(/<\/(path|line)>/g, '')
    .replace(/;"/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/: /g, ':')
    // The sanitizer drops negative heights (invalid CSS that browsers ignore anyway).
    .replace(/height:-[\d.]+em;?/g, '')
    .replace(/ style=""/g, '');

describe('math in Markdown', () => {
  it.each(FORMULAS)('renders %s with KaTeX and the sanitizer keeps all of it', (tex) => {
    const html = renderMarkdown(`$${tex}$`);
    const direct = katex.renderToString(tex, { throwOnError: false, strict: false, output: 'htmlAndMathml' });
    expect(normalise(html)).toBe(`<p>${normalise(direct)}</p>\n`);
    // MathML for screen readers, with the source as its annotation.
    expect(html).toContain('<math xmlns="http://www.w3.org/1998/Math/MathML">');
    expect(html).toContain('<annotation encoding="application/x-tex">');
    // Chemistry is read by mhchem, not shown as an unknown command.
    expect(html).not.toContain('katex-error');
    expect(html).not.toContain('<mtext>\\ce</mtext>');
  });

  it('renders $$…$$ as display math in a block of its own', () => {
    const html = renderMarkdown('The area:\n\n$$A = \\pi r^2$$\n\nDone.');
    expect(html).toContain('<p class="katex-block"><span class="katex-display"><span class="katex">');
    expect(html).toContain('<math xmlns="http://www.w3.org/1998/Math/MathML" display="block">');
  });

  it('leaves prices, escaped dollars and code alone', () => {
    expect(renderMarkdown('It costs $5 and $10.')).toBe('<p>It costs $5 and $10.</p>\n');
    expect(renderMarkdown('Write \\$x\\$ literally.')).toBe('<p>Write $x$ literally.</p>\n');
    expect(renderMarkdown('`$x$` in code')).toBe('<p><code>$x$</code> in code</p>\n');
  });

  it('shows TeX it cannot read as its source in the error style, never throwing', () => {
    const html = renderMarkdown('Broken: $\\frac{1}{$ and $\\notacommand{x}$.');
    expect(html).toContain('katex-error');
    expect(html).toContain('\\notacommand');
    // In the site's error colour (app.css), not KaTeX's inline red.
    expect(html).toMatch(/<span class="katex-error" title="[^"]*">\\frac\{1\}\{<\/span>/);
  });

  it('runs TeX untrusted: no links, classes, images or huge boxes', () => {
    const html = renderMarkdown(
      '$\\href{javascript:alert(1)}{x}$ $\\url{https://evil.example}$ $\\htmlClass{evil}{x}$ $\\includegraphics{/x.png}$ $\\rule{999em}{999em}$',
    );
    // The source stays visible as text (in the annotation and the error style); nothing of it becomes markup.
    expect(html).not.toMatch(/<a[\s>]/);
    expect(html).not.toMatch(/\shref=/);
    expect(html).not.toContain('class="evil"');
    expect(html).not.toContain('<img');
    expect(html).not.toMatch(/style="[^"]*999/);
    expect(html).toContain('border-right-width:20em');
  });

  it("writes only KaTeX's inline styles (lengths in em, relative position); a style typed in the text stays text", () => {
    // Raw HTML is text, so a style could only come from KaTeX; the sanitizer still checks each property and value.
    expect(renderMarkdown('<span style="position:fixed;top:0">x</span>')).not.toContain('<span');
    const html = renderMarkdown('$x^2$');
    for (const [, style] of html.matchAll(/style="([^"]*)"/g)) {
      for (const declaration of (style ?? '').split(';').filter(Boolean)) {
        expect(declaration).toMatch(
          /^(height|top|vertical-align|margin-(left|right)|min-width|width|padding-left|position):-?[\d.]+em$|^position:relative$/,
        );
      }
    }
  });
});

describe('math as text', () => {
  it('writes formulas readably for snippets, descriptions and search', () => {
    expect(markdownToText('Energy is $E = mc^2$, half of $\\frac{1}{2}mv^2$, and $\\ce{H2O}$ with $\\alpha \\le \\pi$.')).toBe(
      'Energy is E = mc^2, half of (1)/(2)mv^2, and H2O with α ≤ π.',
    );
    expect(markdownToText('It costs $5 and $10.')).toBe('It costs $5 and $10.');
    expect(texToText('\\sqrt{x^2 + 1} \\times \\left( a \\right)')).toBe('√(x^2 + 1) × ( a )');
  });

  it('reads rendered formulas back as their source, once, for snippets cut from rendered previews', () => {
    const html = renderMarkdown('Solve $x^2 - 5x + 6 = 0$ by factoring.\n\n$$\\frac{a}{b} < c$$\n\nThen $\\ce{H2O}$ boils.');
    expect(
      renderedMathToText(html)
        .replace(/<[^>]*>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim(),
    ).toBe('Solve x^2 - 5x + 6 = 0 by factoring. (a)/(b) &lt; c Then H2O boils.');
  });
});
