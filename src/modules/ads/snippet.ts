import sanitizeHtml from 'sanitize-html';
import { AD_LIMITS } from './ads.ts';

/*
 * An ad network's snippet is checked against a short allowlist before it is stored, then re-written from what the
 * parser read (so what reaches the page is exactly what was checked, quoted and escaped our way). Everything the
 * allowlist admits can work under the site's content security policy, which lists AD_SNIPPET_ORIGINS: a refused
 * snippet would mostly have failed silently in the browser anyway, so the messages say why.
 *
 * sanitize-html does the parsing (its htmlparser2 is a production dependency of ours through it; the htmlparser2
 * at the top of node_modules is a different major version that only the dev tools pull in).
 */

export const SNIPPET_MAX_LENGTH = AD_LIMITS.snippet;

export const INLINE_SCRIPT_MESSAGE =
  "Inline scripts cannot run under the site's content security policy; use the script URL your ad network gives.";

const ALLOWED_SUMMARY =
  'A snippet may hold only <script src="…" async></script>, <ins> and <div> (class and data-* attributes), <iframe src>, <img src> and <a href>.';

/** Attributes each element may carry; `data-*` stands for any data attribute. */
const ATTRIBUTES: Record<string, readonly string[]> = {
  script: ['src', 'async'],
  ins: ['class', 'data-*'],
  div: ['class', 'data-*'],
  // title and alt are not needed by any network, but a frame or image without them fails accessibility checks.
  iframe: ['src', 'title'],
  img: ['src', 'alt'],
  // rel is taken and replaced by "sponsored noopener", so the stored form passes the check again.
  a: ['href', 'rel'],
};

/** The elements whose address must be on an allowed origin, and what to call what they load. */
const LOADS: Record<string, string> = { script: 'script', iframe: 'frame', img: 'image' };

export type SnippetCheck = { ok: true; html: string; origins: string[] } | { ok: false; message: string };

type ParseEvent =
  | { kind: 'open'; name: string; attribs: Record<string, string>; parent: string | undefined }
  | { kind: 'text'; text: string; parent: string | undefined };

/** Every element and run of text, in document order, as the parser read them (comments are dropped). */
function parse(html: string): ParseEvent[] {
  const events: ParseEvent[] = [];
  const open: string[] = [];
  sanitizeHtml(html, {
    // Nothing allowed and no text skipped: the output is thrown away, the hooks see everything the parser found.
    allowedTags: [],
    allowedAttributes: {},
    nonTextTags: [],
    disallowedTagsMode: 'discard',
    onOpenTag: (name, attribs) => {
      events.push({ kind: 'open', name, attribs: { ...attribs }, parent: open.at(-1) });
      open.push(name);
    },
    onCloseTag: () => {
      open.pop();
    },
    textFilter: (text) => {
      events.push({ kind: 'text', text, parent: open.at(-1) });
      return '';
    },
  });
  return events;
}

/** An absolute https address; a protocol-relative one (`//host/x.js`, still in some networks' docs) means https. */
function httpsUrl(value: string): URL | null {
  try {
    const url = new URL(value.startsWith('//') ? `https:${value}` : value);
    return url.protocol === 'https:' ? url : null;
  } catch {
    return null;
  }
}

function attributeAllowed(tag: string, attribute: string): boolean {
  const allowed = ATTRIBUTES[tag] ?? [];
  return allowed.includes(attribute) || (allowed.includes('data-*') && /^data-[a-z0-9][a-z0-9._-]*$/.test(attribute));
}

/** `a, b and c` */
function words(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

function originsList(origins: readonly string[]): string {
  return origins.length === 0 ? 'it is empty' : `it lists ${origins.join(', ')}`;
}

/**
 * Checks a snippet against the allowlist and the allowed origins. Accepted: the snippet re-written (scripts always
 * async, links marked sponsored) and the origins it loads from; refused: one message saying what to change.
 */
export function checkAdSnippet(input: string, allowedOrigins: readonly string[]): SnippetCheck {
  const refuse = (message: string): SnippetCheck => ({ ok: false, message });
  if (allowedOrigins.length === 0)
    return refuse('Network snippets are off: set AD_SNIPPET_ORIGINS to the https origins your ad network serves from, and restart.');
  if (input.trim() === '') return refuse('Paste the snippet your ad network gives.');
  if (input.length > SNIPPET_MAX_LENGTH) return refuse(`Keep the snippet under ${SNIPPET_MAX_LENGTH.toLocaleString('en')} characters.`);

  const origins = new Set<string>();
  let elements = 0;
  for (const e of parse(input)) {
    if (e.kind === 'text') {
      if (e.text.trim() === '') continue;
      if (e.parent === 'script') return refuse(INLINE_SCRIPT_MESSAGE);
      if (e.parent === 'iframe') return refuse('Leave the <iframe> empty: what is inside it never shows.');
      continue;
    }
    const tag = e.name;
    if (!(tag in ATTRIBUTES)) return refuse(`<${tag}> is not allowed in a snippet. ${ALLOWED_SUMMARY}`);
    if (e.parent === 'iframe') return refuse('Leave the <iframe> empty: what is inside it never shows.');
    elements++;
    for (const name of Object.keys(e.attribs)) {
      if (name.startsWith('on'))
        return refuse(
          `Event-handler attributes such as ${name} cannot run under the site's content security policy; remove ${name}="…" from <${tag}>.`,
        );
      if (name === 'style')
        return refuse(
          `The style attribute is not allowed: the site's content security policy blocks inline styles. Remove style="…" from <${tag}> and keep the class your ad network gives.`,
        );
      if (!attributeAllowed(tag, name))
        return refuse(`<${tag}> may not carry ${name}="…"; it may have only ${words(ATTRIBUTES[tag] ?? [])}.`);
    }
    const what = LOADS[tag];
    if (what) {
      const src = e.attribs.src;
      // A script without an address is an inline script, whatever its body.
      if (src === undefined || src.trim() === '') return tag === 'script' ? refuse(INLINE_SCRIPT_MESSAGE) : refuse(`<${tag}> needs a src.`);
      const url = httpsUrl(src.trim());
      if (!url) return refuse(`The ${what} address must be a full https:// address, got ${JSON.stringify(src)}.`);
      if (!allowedOrigins.includes(url.origin))
        return refuse(
          `The ${what} comes from ${url.origin}, which is not in AD_SNIPPET_ORIGINS (${originsList(allowedOrigins)}). Use the snippet for an allowed origin, or add ${url.origin} to AD_SNIPPET_ORIGINS and restart the site.`,
        );
      origins.add(url.origin);
    }
    if (tag === 'a' && e.attribs.href !== undefined) {
      const href = e.attribs.href.trim();
      let ok = false;
      try {
        const u = new URL(href);
        ok = u.protocol === 'https:' || u.protocol === 'http:';
      } catch {}
      if (!ok) return refuse(`Links must go to a full http:// or https:// address, got ${JSON.stringify(e.attribs.href)}.`);
    }
  }
  if (elements === 0) return refuse(`That is text, not an ad network's snippet. ${ALLOWED_SUMMARY}`);
  return { ok: true, html: normalise(input), origins: [...origins] };
}

const asHttps = (src: string | undefined) => (src === undefined ? src : httpsUrl(src.trim())?.href);

/**
 * The checked snippet written out again from the parse: attributes quoted and escaped, comments gone, script bodies
 * empty. The options repeat the allowlist, so even a gap in checkAdSnippet could not let anything else through.
 */
function normalise(input: string): string {
  return sanitizeHtml(input, {
    allowedTags: Object.keys(ATTRIBUTES),
    allowedAttributes: Object.fromEntries(Object.entries(ATTRIBUTES).map(([tag, attrs]) => [tag, [...attrs]])),
    // script is on sanitize-html's list of inherently dangerous tags; here every script's address was checked above.
    allowVulnerableTags: true,
    allowedSchemes: ['https'],
    allowedSchemesByTag: { a: ['http', 'https'] },
    allowProtocolRelative: false,
    nonTextTags: ['style', 'textarea', 'option', 'xmp', 'noscript'],
    disallowedTagsMode: 'discard',
    transformTags: {
      script: (tagName, attribs) => ({ tagName, attribs: { src: asHttps(attribs.src) ?? '', async: '' }, text: '' }),
      iframe: (tagName, attribs) => ({ tagName, attribs: { ...attribs, src: asHttps(attribs.src) ?? '' }, text: '' }),
      img: (tagName, attribs) => ({ tagName, attribs: { ...attribs, src: asHttps(attribs.src) ?? '' } }),
      a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, rel: 'sponsored noopener' } }),
    },
  });
}
