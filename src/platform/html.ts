import type { FastifyReply } from 'fastify';
import type { VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';
import { MATH_MARK } from '../lib/math.ts';
import { mathAssets } from './math-assets.ts';
import { MATH_STYLE_POLICY } from './security-headers.ts';

/** A rendered page, and whether it holds math (so it needs the math stylesheet and KaTeX's inline styles). */
export interface RenderedPage {
  readonly html: string;
  readonly math: boolean;
}

/**
 * A whole page. One with math (KaTeX's markup, rendered when its Markdown was saved) also links the math
 * stylesheet; pages without math load nothing more. The page is scanned for math once, here.
 */
export function renderPageWithMath(vnode: VNode): RenderedPage {
  const html = `<!doctype html>${renderToString(vnode)}`;
  if (!html.includes(MATH_MARK)) return { html, math: false };
  const head = html.indexOf('</head>');
  const link = `<link rel="stylesheet" href="${mathAssets().cssUrl}">`;
  return { html: head < 0 ? html : `${html.slice(0, head)}${link}${html.slice(head)}`, math: true };
}

export function renderPage(vnode: VNode): string {
  return renderPageWithMath(vnode).html;
}

/**
 * KaTeX places its boxes with inline style attributes (heights and offsets in em, which the sanitizer checks one
 * by one). A page with math lets style attributes apply; <style> elements and style sheets from elsewhere stay
 * refused, and pages without math keep the policy that refuses inline styles altogether.
 */
export function allowMathStyles(reply: FastifyReply): void {
  const policy = reply.getHeader('content-security-policy');
  if (typeof policy === 'string' && !policy.includes('style-src-attr')) {
    reply.header('content-security-policy', policy + MATH_STYLE_POLICY);
  }
}

/** Sends a rendered page (bytes kept from an earlier render carry their own flag), with the policy its math needs. */
export function sendRendered(reply: FastifyReply, page: RenderedPage | { readonly html: Buffer; readonly math: boolean }): FastifyReply {
  if (page.math) allowMathStyles(reply);
  return reply.type('text/html; charset=utf-8').send(page.html);
}

export function sendHtml(reply: FastifyReply, vnode: VNode, status = 200): FastifyReply {
  return sendRendered(reply.code(status), renderPageWithMath(vnode));
}
