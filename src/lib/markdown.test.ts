import { describe, expect, it } from 'vitest';
import { ALLOWED_TAGS, markdownToText, renderMarkdown } from './markdown.ts';

describe('renderMarkdown', () => {
  it('renders headings (shifted under the page outline), lists, quotes, code and tables', () => {
    const html = renderMarkdown(
      '# Top\n\n## Causes\n\n- one\n- two\n\n1. first\n2. second\n\n> quoted\n\n`x = 1`\n\n```\nblock\n```\n\n| a | b |\n|---|:-:|\n| 1 | 2 |',
    );
    expect(html).toContain('<h3>Top</h3>');
    expect(html).toContain('<h3>Causes</h3>');
    expect(html).toContain('<ul>\n<li>one</li>');
    expect(html).toContain('<ol>\n<li>first</li>');
    expect(html).toContain('<blockquote>');
    expect(html).toContain('<code>x = 1</code>');
    expect(html).toContain('<pre><code>block');
    expect(html).toContain('<table>');
    expect(html).toContain('<th style="text-align:center">b</th>');
  });

  it('marks every link nofollow ugc', () => {
    expect(renderMarkdown('[site](https://example.org/a)')).toBe('<p><a href="https://example.org/a" rel="nofollow ugc">site</a></p>\n');
    expect(renderMarkdown('see https://example.org')).toContain('rel="nofollow ugc"');
  });

  const allowedTags = new Set(ALLOWED_TAGS);

  /** Every tag is on the allowlist, no event handler attributes, no script-capable link schemes. */
  function assertSafe(html: string) {
    for (const m of html.matchAll(/<\/?([a-zA-Z][a-zA-Z0-9]*)([^>]*)>/g)) {
      expect(allowedTags.has((m[1] as string).toLowerCase()), `tag ${m[1]}`).toBe(true);
      expect(m[2]).not.toMatch(/\son[a-z]+\s*=/i);
      expect(m[2]).not.toMatch(/\s(src|srcset|style)\s*=/i);
      const href = /\shref="([^"]*)"/.exec(m[2] as string)?.[1];
      // Absolute links are http(s) or mailto; anything else must be scheme-less (relative, harmless).
      if (href !== undefined && /^[a-z][a-z0-9+.-]*:/i.test(href)) expect(href).toMatch(/^(https?:|mailto:)/);
    }
  }

  it.each([
    '<script>alert(1)</script>',
    '<img src=x onerror=alert(1)>',
    '[click](javascript:alert(1))',
    '[click](JaVaScRiPt:alert(1))',
    '[click](java&#x09;script:alert(1))',
    '[x](data:text/html;base64,PHNjcmlwdD4=)',
    '<iframe src="https://evil.example"></iframe>',
    '<a href="https://x" onclick="steal()">x</a>',
    '![pixel](https://tracker.example/p.gif)',
    '<style>body{display:none}</style>',
    '[a](vbscript:msgbox)',
    '<svg onload=alert(1)>',
    '[a](//evil.example/x)',
    '<<script>script>alert(1)<</script>/script>',
    '```\n</code></pre><script>alert(1)</script>\n```',
    '[a](https://ok.example "title" onmouseover="x")',
  ])('neutralises hostile input %s', (input) => {
    const html = renderMarkdown(input);
    assertSafe(html);
    expect(html).not.toMatch(/<script|<iframe|<img|<svg|<style/i);
  });

  it('shows raw HTML as text instead of running it', () => {
    expect(renderMarkdown('<b>bold</b>')).toBe('<p>&lt;b&gt;bold&lt;/b&gt;</p>\n');
  });

  it('keeps only safe classes and styles', () => {
    expect(renderMarkdown('```js\nlet a\n```')).toContain('class="language-js"');
    expect(renderMarkdown('```js" onmouseover="x\nlet a\n```')).not.toContain('onmouseover');
  });
});

describe('code in Markdown', () => {
  it('highlights fenced code of a known language on the server, tokens as spans, the code still escaped', () => {
    const html = renderMarkdown('```python\ndef area(r):\n    return 3.14 * r ** 2  # <b>not bold</b>\n```');
    expect(html).toContain('<pre><code class="language-python"><span class="hljs-keyword">def</span>');
    expect(html).toContain('<span class="hljs-number">3.14</span>');
    expect(html).toContain('<span class="hljs-comment"># &lt;b&gt;not bold&lt;/b&gt;</span>');
    expect(html).not.toContain('<b>');
  });

  it('leaves code of an unknown or missing language plain and escaped', () => {
    expect(renderMarkdown('```klingon\na < b\n```')).toBe('<pre><code class="language-klingon">a &lt; b\n</code></pre>\n');
    expect(renderMarkdown('```\nx = 1\n```')).toBe('<pre><code>x = 1\n</code></pre>\n');
  });

  it("lets no span through but the highlighter's", () => {
    // Raw HTML is text (html: false); a span could only come from the highlighter, and only with its classes.
    expect(renderMarkdown('<span class="hljs-keyword" onclick="x()">hi</span>')).not.toContain('<span');
  });
});

describe('markdownToText', () => {
  it('strips markup to words', () => {
    expect(markdownToText('## Head\n\nSome **bold** & [link](https://e.org).')).toBe('Head Some bold & link.');
  });
});
