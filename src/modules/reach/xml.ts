// Text that goes into the sitemaps and feeds. Titles and quick answers are typed by people (or imported), so they
// can hold anything a browser form accepts, including characters an XML 1.0 document may not contain at all: one
// stray U+0001 or lone surrogate makes the whole feed unparseable for every reader, not just that entry.

/*
 * Outside XML 1.0's Char production (C0 controls except tab, newline and carriage return; U+FFFE, U+FFFF; lone
 * surrogates, which the `u` flag sees as single code points), plus DEL and the C1 controls: XML 1.0 allows those
 * but discourages them, and feed readers show them as boxes or drop the entry.
 */
const NOT_XML_CHAR = /[^\t\n\r\u0020-\u007e\u00a0-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu;

/** The text without characters that XML 1.0 forbids or discourages. */
export function xmlClean(text: string): string {
  return text.replace(NOT_XML_CHAR, '');
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

// Printable ASCII with nothing to escape: every URL of a sitemap, so its 50,000 entries skip the slow path.
const PLAIN = /^[\u0020\u0021\u0023-\u0025\u0028-\u003b\u003d\u003f-\u007e]*$/;

/** Text for an element's content or a quoted attribute value: cleaned, then escaped. */
export function xmlText(text: string): string {
  if (PLAIN.test(text)) return text;
  return xmlClean(text).replace(/[&<>"']/g, (c) => ENTITIES[c] as string);
}

const STORED = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.\d+)?Z$/;

/**
 * A stored ISO-8601 timestamp as a W3C Datetime / RFC 3339 one in UTC (what both sitemaps and Atom accept),
 * without the milliseconds nobody needs; null when the value is not a date.
 */
export function w3cDatetime(iso: string | null | undefined): string | null {
  if (!iso) return null;
  // Stored timestamps are already UTC ISO-8601 (decision 0002); only the fraction goes.
  const stored = STORED.exec(iso);
  if (stored) return `${stored[1]}Z`;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return null;
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The later of two stored timestamps (both ISO-8601 UTC text, so they compare as strings). */
export function latest(a: string | null | undefined, b: string | null | undefined): string | null {
  if (!a) return b ?? null;
  if (!b) return a;
  return a >= b ? a : b;
}
