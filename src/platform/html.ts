import type { FastifyReply } from 'fastify';
import type { VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';
import { MATH_MARK } from '../lib/math.ts';
import { mathAssets } from './math-assets.ts';

/**
 * A whole page. One with math (KaTeX's markup, rendered when its Markdown was saved) also links the math
 * stylesheet; pages without math load nothing more.
 */
export function renderPage(vnode: VNode): string {
  const html = `<!doctype html>${renderToString(vnode)}`;
  if (!hasMath(html)) return html;
  const head = html.indexOf('</head>');
  return head < 0 ? html : `${html.slice(0, head)}<link rel="stylesheet" href="${mathAssets().cssUrl}">${html.slice(head)}`;
}

export function hasMath(html: string): boolean {
  return html.includes(MATH_MARK);
}

/**
 * KaTeX places its boxes with inline style attributes (heights and offsets in em, which the sanitizer checks one
 * by one). A page with math lets style attributes apply; <style> elements and style sheets from elsewhere stay
 * refused, and pages without math keep the policy that refuses inline styles altogether.
 */
export function allowMathStyles(reply: FastifyReply): void {
  const policy = reply.getHeader('content-security-policy');
  if (typeof policy === 'string' && !policy.includes('style-src-attr')) {
    reply.header('content-security-policy', `${policy};style-src-attr 'unsafe-inline'`);
  }
}

/** Sends a rendered page, with the policy its math needs. */
export function sendRendered(reply: FastifyReply, html: string | Buffer, math = typeof html === 'string' && hasMath(html)): FastifyReply {
  if (math) allowMathStyles(reply);
  return reply.type('text/html; charset=utf-8').send(html);
}

export function sendHtml(reply: FastifyReply, vnode: VNode, status = 200): FastifyReply {
  return sendRendered(reply.code(status), renderPage(vnode));
}
