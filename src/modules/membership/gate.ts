import type { LRUCache } from 'lru-cache';
import type { RenderedPreview } from '../../platform/caches.ts';
import { answerPreview } from './membership.service.ts';
import { type Content, decideAccess } from './membership.ts';

// The one gate. Every surface that shows gated text (the question page, a guide section, search snippets) gets it
// through gateText, which asks decideAccess and returns either the whole text or its preview: never both, so a
// view can only show what its viewer may read, and a view model holds nothing else (test/gate.test.ts checks
// every one of them with a canary).

/** Text as one viewer may read it: the whole of it, or the opening that readers without membership get. */
export type GatedText =
  | { readonly full: true; readonly html: string }
  | { readonly full: false; readonly previewHtml: string; readonly cut: boolean };

export interface GatedSource {
  /** Identity and version of the text (the preview memo's key): e.g. question id and answer update time. */
  key: string;
  /** The whole text rendered, for readers who may read it. */
  html: string;
  /** Its Markdown, read only when a preview must be cut (loaded lazily: most of a page's readers need no preview). */
  markdown: string | (() => Promise<string>);
}

/** Where rendered previews are kept (the app's caches.previews): rendering one costs more than a page view. */
export type PreviewMemo = Pick<LRUCache<string, RenderedPreview>, 'get' | 'set'>;

export interface PreviewLimits {
  words: number;
  memo: PreviewMemo;
  /** Characters at most (default: the words' worth, PREVIEW_CHARS_PER_WORD a word). */
  chars?: number;
}

/** The whole text or its preview, as decideAccess says for this viewer and this kind of content. */
export async function gateText(
  viewer: { member: boolean } | null,
  content: Content,
  source: GatedSource,
  limits: PreviewLimits,
): Promise<GatedText> {
  if (decideAccess(viewer, content).full) return { full: true, html: source.html };
  const markdown = typeof source.markdown === 'string' ? source.markdown : await source.markdown();
  return gateTextNow(viewer, content, { ...source, markdown }, limits);
}

/** gateText for a caller that already holds the Markdown (search results, one per row). */
export function gateTextNow(
  viewer: { member: boolean } | null,
  content: Content,
  source: GatedSource & { markdown: string },
  limits: PreviewLimits,
): GatedText {
  if (decideAccess(viewer, content).full) return { full: true, html: source.html };
  const preview = answerPreview(limits.memo, source.key, source.markdown, limits.words, limits.chars, source.html);
  return { full: false, previewHtml: preview.html, cut: preview.cut };
}
