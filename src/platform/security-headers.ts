import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * The security headers helmet would set, worked out once. Without per-request nonces every one of them is the same
 * for every response, yet helmet's Fastify plugin runs two hooks and eleven middlewares per request to set them
 * again; app.ts sets this object in one hook instead. Helmet stays the source of what the headers are.
 */
export function securityHeaders(options: Readonly<HelmetOptions>): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  const res = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  let failure: unknown;
  helmet(options)({} as IncomingMessage, res as unknown as ServerResponse, (err?: unknown) => {
    failure = err;
  });
  if (failure) throw failure;
  return Object.freeze(headers);
}

/** What a page with math adds to its Content-Security-Policy: KaTeX places its boxes with inline style attributes. */
export const MATH_STYLE_POLICY = ";style-src-attr 'unsafe-inline'";

/** `headers` for a page with math (see allowMathStyles in platform/html.ts). */
export function withMathStyles(headers: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
  const policy = headers['content-security-policy'];
  if (policy === undefined || policy.includes('style-src-attr')) return headers;
  return Object.freeze({ ...headers, 'content-security-policy': policy + MATH_STYLE_POLICY });
}
