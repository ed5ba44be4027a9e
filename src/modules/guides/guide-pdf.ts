import MarkdownIt from 'markdown-it';
import PDFDocument from 'pdfkit';
import { texToText, useMath } from '../../lib/math.ts';
import type { PrintImage } from '../images/index.ts';

// A study guide as a PDF, made on the server with pdfkit: a title page with the overview and the contents, then
// every section, with the guide's title at the top and the page number at the foot of each page. Markdown is
// laid out as headings, paragraphs (bold, italic and code kept), lists, quotations, code blocks and tables; formulas
// as readable text; placed images (`![description](image:ID)`) drawn across the text column, their description below.

export interface PdfGuide {
  title: string;
  subjectName: string;
  overview: string;
  sections: ReadonlyArray<{ title: string; body: string }>;
  updatedAt: string;
  siteName: string;
  /** The guide's address, printed on the title page. */
  url: string;
  /**
   * The files of the images the texts place, by id (images' printableImages): null for one whose file could not be
   * read, which prints as its description. An id not here (a removed image) is left out, as the page leaves it out.
   */
  images?: ReadonlyMap<number, PrintImage | null>;
}

// markdown-it only to read the structure (tokens); html:false keeps raw HTML as the literal text it was typed.
const md = new MarkdownIt({ html: false, linkify: false, typographer: false });
// Formulas are found by the same rules as on the page and printed as readable text (√(x), (a)/(b), Greek letters).
useMath(md);

const FONT = { regular: 'Helvetica', bold: 'Helvetica-Bold', italic: 'Helvetica-Oblique', boldItalic: 'Helvetica-BoldOblique' };
const MONO = 'Courier';
const TEXT = '#1d1f24';
const MUTED = '#555b66';
const BODY_SIZE = 11;
const MARGIN = 72;

/*
 * The standard PDF fonts (no font file to ship) draw only the Windows-1252 characters; anything else would come
 * out as the wrong glyph. Common symbols of the guides get a readable spelling, accented letters lose their
 * accent, and what is left becomes "?".
 */
const WIN_ANSI_EXTRA = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');
const SPELLED: Record<string, string> = {
  '√': 'sqrt',
  π: 'pi',
  θ: 'theta',
  α: 'alpha',
  β: 'beta',
  γ: 'gamma',
  Δ: 'Delta',
  δ: 'delta',
  λ: 'lambda',
  Σ: 'Sigma',
  '→': '->',
  '←': '<-',
  '↔': '<->',
  '⇒': '=>',
  '≤': '<=',
  '≥': '>=',
  '≠': '!=',
  '≈': '~',
  '∞': 'infinity',
  '−': '-',
  '⁴': '^4',
  '⁵': '^5',
  '⁶': '^6',
  '⁷': '^7',
  '⁸': '^8',
  '⁹': '^9',
  '⁰': '^0',
  ⁿ: '^n',
  '₀': '0',
  '₁': '1',
  '₂': '2',
  '₃': '3',
  '₄': '4',
  '₆': '6',
  '\u00a0': ' ',
  '\u2009': ' ',
  '\u200b': '',
};

function winAnsi(ch: string): boolean {
  const c = ch.codePointAt(0) ?? 0;
  return (c >= 0x20 && c <= 0x7e) || (c >= 0xa0 && c <= 0xff) || c === 0x0a || WIN_ANSI_EXTRA.has(ch);
}

/** Text the standard fonts can draw. */
export function pdfText(text: string): string {
  let out = '';
  for (const ch of text.normalize('NFC')) {
    if (winAnsi(ch)) out += ch;
    else if (ch in SPELLED) out += SPELLED[ch];
    else if (ch === '\t') out += '    ';
    else {
      const plain = ch.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
      out += plain !== '' && [...plain].every(winAnsi) ? plain : '?';
    }
  }
  return out;
}

interface Run {
  text: string;
  bold: boolean;
  italic: boolean;
  code: boolean;
}

type Token = ReturnType<typeof md.parse>[number];

/** The inline content of a block as runs of one style each. */
function runs(inline: Token | undefined): Run[] {
  return runsOf(inline?.children ?? []);
}

function runsOf(children: readonly Token[]): Run[] {
  const out: Run[] = [];
  let bold = 0;
  let italic = 0;
  for (const t of children) {
    if (t.type === 'strong_open') bold++;
    else if (t.type === 'strong_close') bold--;
    else if (t.type === 'em_open') italic++;
    else if (t.type === 'em_close') italic--;
    else if (t.type === 'text') out.push({ text: t.content, bold: bold > 0, italic: italic > 0, code: false });
    else if (t.type === 'math_inline') out.push({ text: texToText(t.content), bold: false, italic: true, code: false });
    else if (t.type === 'math_inline_block') out.push({ text: texToText(t.content), bold: false, italic: true, code: false });
    else if (t.type === 'code_inline') out.push({ text: t.content, bold: false, italic: false, code: true });
    else if (t.type === 'softbreak') out.push({ text: ' ', bold: false, italic: false, code: false });
    else if (t.type === 'hardbreak') out.push({ text: '\n', bold: false, italic: false, code: false });
    else if (t.type === 'image') out.push({ text: `[${t.content || 'image'}]`, bold: false, italic: true, code: false });
  }
  // Neighbours of one style merge, so pdfkit wraps them as one piece of text.
  const merged: Run[] = [];
  for (const r of out) {
    const last = merged[merged.length - 1];
    if (last && last.bold === r.bold && last.italic === r.italic && last.code === r.code) last.text += r.text;
    else merged.push({ ...r });
  }
  return merged.filter((r) => r.text !== '');
}

/** Runs without the spaces at their two ends (the text beside an image starts and ends a paragraph). */
function trimmed(list: Run[]): Run[] {
  const out = list.map((r) => ({ ...r }));
  const first = out[0];
  const last = out[out.length - 1];
  if (first) first.text = first.text.trimStart();
  if (last) last.text = last.text.trimEnd();
  return out;
}

function fontOf(r: Run): string {
  if (r.code) return MONO;
  if (r.bold && r.italic) return FONT.boldItalic;
  if (r.bold) return FONT.bold;
  if (r.italic) return FONT.italic;
  return FONT.regular;
}

type Doc = PDFKit.PDFDocument;

function contentWidth(doc: Doc): number {
  return doc.page.width - doc.page.margins.left - doc.page.margins.right;
}

/** Starts a new page when fewer than `needed` points are left, so a heading never ends a page on its own. */
function keepRoom(doc: Doc, needed: number): void {
  if (doc.y + needed > doc.page.height - doc.page.margins.bottom) doc.addPage();
}

function writeRuns(doc: Doc, parts: Run[], box: { x: number; width: number; size: number; italic?: boolean; color?: string }): void {
  const list = parts.map((r) => ({ ...r, italic: r.italic || box.italic === true }));
  // Nothing but spaces (the line break beside an image on a line of its own) would print an empty line.
  if (list.every((r) => r.text.trim() === '')) return;
  doc.fillColor(box.color ?? TEXT);
  list.forEach((r, i) => {
    const options = { continued: i < list.length - 1, lineGap: 2 };
    doc.font(fontOf(r)).fontSize(r.code ? box.size - 1 : box.size);
    if (i === 0) doc.text(pdfText(r.text), box.x, doc.y, { ...options, width: box.width });
    else doc.text(pdfText(r.text), options);
  });
}

/** An image of the site's own, as Markdown places it: `![description](image:ID)`. */
function placedImageId(t: Token): number | undefined {
  if (t.type !== 'image') return undefined;
  const m = /^image:(\d{1,10})$/.exec(String(t.attrGet('src') ?? ''));
  return m ? Number(m[1]) : undefined;
}

/** The images of one PDF, each file read by pdfkit once however often it is placed (undefined: it would not open). */
type OpenedImages = Map<number, unknown>;

function openImage(doc: Doc, opened: OpenedImages, id: number, file: PrintImage): unknown {
  if (!opened.has(id)) {
    try {
      // openImage is pdfkit's own (documented for reading a size); its typings leave it out.
      opened.set(id, (doc as unknown as { openImage(src: Buffer): unknown }).openImage(file.bytes));
    } catch {
      opened.set(id, undefined);
    }
  }
  return opened.get(id);
}

/**
 * A placed image across the text column (never wider than it would show on a screen, nor taller than a page), its
 * description below as a caption: the only place a reader of the paper finds it. An image whose file could not be
 * read prints as its description.
 */
function writeImage(doc: Doc, file: PrintImage | null, opened: unknown, alt: string, box: { x: number; width: number }): void {
  const caption = alt.trim();
  if (!file || !opened) {
    if (caption === '') return;
    writeRuns(doc, [{ text: `[Image: ${caption}]`, bold: false, italic: true, code: false }], { ...box, size: BODY_SIZE, color: MUTED });
    doc.moveDown(0.3);
    return;
  }
  const maxHeight = doc.page.height - doc.page.margins.top - doc.page.margins.bottom - 48;
  // Pixels at 96 an inch: a small image keeps the size it has on the page instead of being blown up.
  const scale = Math.min(box.width / file.width, 0.75, maxHeight / file.height);
  const width = file.width * scale;
  const height = file.height * scale;
  keepRoom(doc, height + (caption === '' ? 8 : 28));
  const y = doc.y + 4;
  doc.image(opened as Buffer, box.x + (box.width - width) / 2, y, { width, height });
  doc.y = y + height + 4;
  if (caption !== '') {
    doc
      .font(FONT.italic)
      .fontSize(BODY_SIZE - 2)
      .fillColor(MUTED)
      .text(pdfText(caption), box.x, doc.y, { width: box.width, align: 'center', lineGap: 1 });
  }
  doc.moveDown(0.4);
}

/** Lays out one Markdown text from the current position. Headings of the text sit below the section heading. */
function writeMarkdown(doc: Doc, source: string, images: PdfImages): void {
  const tokens = md.parse(source, {});
  const left = doc.page.margins.left;
  const width = contentWidth(doc);
  const lists: Array<{ ordered: boolean; n: number }> = [];
  let quote = 0;
  let table: string[][] | null = null;
  let headerRows = 0;
  let inHead = false;
  let pendingMarker: string | null = null;

  const indent = () => lists.length * 18 + quote * 16;

  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    switch (t.type) {
      case 'heading_open': {
        const level = Number(t.tag.slice(1));
        const size = level <= 2 ? 13 : level === 3 ? 12 : 11;
        keepRoom(doc, 60);
        doc.moveDown(0.4);
        writeRuns(
          doc,
          runs(tokens[i + 1]).map((r) => ({ ...r, bold: true })),
          { x: left + indent(), width: width - indent(), size },
        );
        doc.moveDown(0.3);
        i += 2;
        break;
      }
      case 'paragraph_open': {
        const parts = runs(tokens[i + 1]);
        const x = left + indent();
        if (pendingMarker !== null) {
          // A list item: the marker in the gutter, the text beside it (later lines line up with the text).
          keepRoom(doc, 20);
          const y = doc.y;
          doc
            .font(FONT.regular)
            .fontSize(BODY_SIZE)
            .fillColor(TEXT)
            .text(pendingMarker, x - 16, y, { width: 16, lineBreak: false });
          doc.y = y;
          pendingMarker = null;
        }
        const box = { x, width: width - indent(), size: BODY_SIZE, italic: quote > 0, color: quote > 0 ? MUTED : TEXT };
        const children = tokens[i + 1]?.children ?? [];
        if (!children.some((c) => placedImageId(c) !== undefined)) writeRuns(doc, parts, box);
        else {
          // The text on either side of each placed image as paragraphs of its own, the image between them.
          let from = 0;
          children.forEach((c, n) => {
            const id = placedImageId(c);
            if (id === undefined) return;
            writeRuns(doc, trimmed(runsOf(children.slice(from, n))), box);
            from = n + 1;
            const file = images.files.get(id);
            if (file === undefined) return;
            writeImage(doc, file, file ? openImage(doc, images.opened, id, file) : undefined, c.content, box);
          });
          writeRuns(doc, trimmed(runsOf(children.slice(from))), box);
        }
        if (!t.hidden) doc.moveDown(0.5);
        i += 2;
        break;
      }
      case 'bullet_list_open':
      case 'ordered_list_open':
        lists.push({ ordered: t.type === 'ordered_list_open', n: Number(t.attrGet('start') ?? 1) - 1 });
        break;
      case 'bullet_list_close':
      case 'ordered_list_close':
        lists.pop();
        if (lists.length === 0) doc.moveDown(0.4);
        break;
      case 'list_item_open': {
        const list = lists[lists.length - 1];
        if (list) {
          list.n++;
          pendingMarker = list.ordered ? `${list.n}.` : '•';
        }
        break;
      }
      case 'blockquote_open':
        quote++;
        break;
      case 'blockquote_close':
        quote--;
        break;
      case 'math_block': {
        writeRuns(doc, [{ text: texToText(t.content), bold: false, italic: true, code: false }], {
          x: left + indent() + 24,
          width: width - indent() - 24,
          size: BODY_SIZE,
          italic: true,
          color: TEXT,
        });
        doc.moveDown(0.5);
        break;
      }
      case 'fence':
      case 'code_block': {
        doc.font(MONO).fontSize(9).fillColor(TEXT);
        doc.text(pdfText(t.content.replace(/\n$/, '')), left + indent() + 8, doc.y, { width: width - indent() - 8, lineGap: 1 });
        doc.moveDown(0.5);
        break;
      }
      case 'hr': {
        keepRoom(doc, 20);
        const y = doc.y + 4;
        doc
          .moveTo(left, y)
          .lineTo(left + width, y)
          .strokeColor('#cccccc')
          .stroke();
        doc.y = y + 8;
        break;
      }
      case 'table_open':
        table = [];
        headerRows = 0;
        break;
      case 'thead_open':
        inHead = true;
        break;
      case 'thead_close':
        inHead = false;
        break;
      case 'tr_open':
        table?.push([]);
        if (inHead) headerRows++;
        break;
      case 'th_open':
      case 'td_open':
        table?.[table.length - 1]?.push(
          runs(tokens[i + 1])
            .map((r) => r.text)
            .join(''),
        );
        break;
      case 'table_close': {
        // Rows as lines, cells separated by bars: readable, and never wider than the page.
        for (const [n, row] of (table ?? []).entries()) {
          doc
            .font(n < headerRows ? FONT.bold : FONT.regular)
            .fontSize(BODY_SIZE - 1)
            .fillColor(TEXT);
          doc.text(pdfText(row.join('  |  ')), left + indent(), doc.y, { width: width - indent(), lineGap: 2 });
        }
        doc.moveDown(0.5);
        table = null;
        break;
      }
      default:
        break;
    }
  }
}

interface PdfImages {
  readonly files: ReadonlyMap<number, PrintImage | null>;
  readonly opened: OpenedImages;
}

function sectionHeading(doc: Doc, title: string): void {
  keepRoom(doc, 90);
  doc.moveDown(0.6);
  doc
    .font(FONT.bold)
    .fontSize(17)
    .fillColor(TEXT)
    .text(pdfText(title), doc.page.margins.left, doc.y, { width: contentWidth(doc) });
  doc.moveDown(0.4);
}

function fitted(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

/** The PDF of a guide, every section in full: for members only (the route checks). */
export function renderGuidePdf(guide: PdfGuide): Promise<Buffer> {
  const updated = new Date(guide.updatedAt);
  const doc = new PDFDocument({
    size: 'LETTER',
    margins: { top: MARGIN, bottom: MARGIN, left: MARGIN, right: MARGIN },
    bufferPages: true,
    info: {
      Title: pdfText(guide.title),
      Author: pdfText(guide.siteName),
      Subject: pdfText(`${guide.subjectName} study guide`),
      CreationDate: updated,
      ModDate: updated,
    },
    displayTitle: true,
    lang: 'en',
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const left = MARGIN;
  const width = contentWidth(doc);
  const images: PdfImages = { files: guide.images ?? new Map(), opened: new Map() };

  // Title page: the title, the subject, the overview and the contents.
  doc
    .font(FONT.bold)
    .fontSize(10)
    .fillColor(MUTED)
    .text(pdfText(`${guide.siteName} study guide`.toUpperCase()), left, MARGIN + 40, { width });
  doc.moveDown(0.8);
  doc.font(FONT.bold).fontSize(28).fillColor(TEXT).text(pdfText(guide.title), { width });
  doc.moveDown(0.3);
  doc
    .font(FONT.regular)
    .fontSize(12)
    .fillColor(MUTED)
    .text(pdfText(`${guide.subjectName} · Updated ${updated.toISOString().slice(0, 10)}`), { width });
  doc.moveDown(1.2);
  doc.font(FONT.bold).fontSize(13).fillColor(TEXT).text('Overview', { width });
  doc.moveDown(0.3);
  writeMarkdown(doc, guide.overview, images);
  doc.moveDown(0.6);
  keepRoom(doc, 60);
  doc.font(FONT.bold).fontSize(13).fillColor(TEXT).text('Contents', left, doc.y, { width });
  doc.moveDown(0.3);
  guide.sections.forEach((s, i) => {
    doc
      .font(FONT.regular)
      .fontSize(BODY_SIZE)
      .fillColor(TEXT)
      .text(pdfText(`${i + 1}. ${s.title}`), left + 10, doc.y, { width: width - 10 });
  });
  doc.moveDown(1);
  doc.font(FONT.regular).fontSize(9).fillColor(MUTED).text(pdfText(guide.url), left, doc.y, { width });

  // The sections, from a fresh page, each listed in the PDF's outline (the reader's bookmarks).
  doc.addPage();
  guide.sections.forEach((s, i) => {
    if (i > 0) keepRoom(doc, 140);
    doc.outline.addItem(pdfText(s.title));
    sectionHeading(doc, s.title);
    writeMarkdown(doc, s.body, images);
  });

  // Running head and page numbers, drawn once every page exists (so "of N" is known). The bottom margin is
  // lifted while drawing in it, or pdfkit would start a new page for text below the margin.
  const range = doc.bufferedPageRange();
  const head = pdfText(fitted(guide.title, 90));
  for (let p = range.start; p < range.start + range.count; p++) {
    doc.switchToPage(p);
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc.font(FONT.regular).fontSize(9).fillColor(MUTED);
    if (p > range.start) doc.text(head, left, 36, { width, align: 'left', lineBreak: false });
    doc.text(`Page ${p - range.start + 1} of ${range.count}`, left, doc.page.height - 48, { width, align: 'center', lineBreak: false });
    doc.page.margins.bottom = bottom;
  }
  doc.end();
  return done;
}
