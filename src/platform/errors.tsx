import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { StorageFault } from '../db/faults.ts';
import { ErrorPage } from '../views/error-page.tsx';
import type { Site, ViewerInfo } from '../views/layout.tsx';
import { type KeptField, labelOf, UnavailablePage } from '../views/unavailable-page.tsx';
import { renderPage, sendHtml } from './html.ts';

const messages: Record<number, { title: string; message: string }> = {
  400: {
    title: 'That request did not make sense to us',
    message: 'The address or the form had something we could not read. Check the link, or start again from the home page.',
  },
  403: {
    title: 'That is not open to your account',
    message: 'This page or action is not open to your account. If you need it, ask an admin of this site.',
  },
  404: {
    title: 'We could not find that page',
    message: 'The page may have moved, or the address may have a typo. Try searching for what you wanted.',
  },
  409: { title: 'That clashes with something else', message: 'Someone else changed the same thing first.' },
  410: { title: 'That link has expired', message: 'Links we email work once and for a limited time.' },
  405: { title: 'That action is not allowed here', message: 'This page cannot be used that way.' },
  413: { title: 'That was too much to send', message: 'What you sent was larger than we accept.' },
  414: {
    title: 'That address is too long',
    message: 'The address, or the search typed into it, is longer than we accept. Shorten it and try again.',
  },
  431: {
    title: 'Your browser sent too much with that request',
    message: 'The request carried more data in its headers (usually cookies) than we accept. Clear this site’s cookies and try again.',
  },
  415: { title: 'We cannot read that kind of content', message: 'Send the form from the page itself.' },
  429: { title: 'Too many requests', message: 'Please wait a moment before trying again.' },
};

/** 400 for a paged list whose `after` link is damaged; `message` says where to start again. */
export function sendBadPageLink(reply: FastifyReply, site: Site, viewer: ViewerInfo | null, message: string): FastifyReply {
  return sendHtml(reply, errorPage(site, 400, { title: 'That page link is not valid', message }, viewer), 400);
}

export function errorPage(site: Site, status: number, override?: { title?: string; message?: string }, viewer?: ViewerInfo | null) {
  const base =
    messages[status] ??
    (status >= 500
      ? { title: 'Something went wrong on our side', message: 'We have logged the problem. Please try again in a moment.' }
      : { title: 'We could not do that', message: 'Something about the request was not right.' });
  return (
    <ErrorPage
      site={site}
      viewer={viewer}
      status={status}
      title={override?.title ?? base.title}
      message={override?.message ?? base.message}
    />
  );
}

function wantsJson(request: FastifyRequest): boolean {
  return request.url.startsWith('/api/') || request.url === '/healthz';
}

const OUTAGE_TEXT: Record<StorageFault, { title: string; message: string; log: string }> = {
  disk_full: {
    title: 'We cannot save anything right now',
    message:
      'The site ran out of storage space, so nothing you sent was saved. The people who run it have been alerted. Please try again in a few minutes.',
    log: 'write failed: the disk is full',
  },
  // Classified by connection errors (refused, reset, timed out), which could also come from another service the
  // request needed: the page says what the user needs to know, the log says what was seen.
  database_down: {
    title: 'We cannot save anything right now',
    message: 'Part of the site is not answering, so nothing you sent was saved. Please try again in a few minutes.',
    log: 'request failed: a connection (most likely the database) was refused, reset or timed out',
  },
};

// Never echoed back into a page: passwords, one-time codes and tokens. The CSRF token goes back hidden, so the
// form can be sent again from the same session.
const SECRET_FIELD = /pass|code|token|secret/i;

/**
 * The fields of a posted form, split into those to show again, those to send back hidden, and secrets dropped.
 * `csrfToken` replaces the one sent (an expired form is given back with a token that works).
 */
export function keptFields(body: unknown, csrfToken?: string): { fields: KeptField[]; hidden: KeptField[]; droppedSecrets: boolean } {
  const fields: KeptField[] = [];
  const hidden: KeptField[] = [];
  let droppedSecrets = false;
  if (body && typeof body === 'object' && !Buffer.isBuffer(body)) {
    for (const [name, raw] of Object.entries(body as Record<string, unknown>).slice(0, 50)) {
      for (const value of Array.isArray(raw) ? raw : [raw]) {
        if (typeof value !== 'string') continue;
        if (name === '_csrf') {
          if (csrfToken === undefined) hidden.push({ name, value });
        } else if (name === 'next' || name === 'intent') hidden.push({ name, value });
        else if (SECRET_FIELD.test(name)) droppedSecrets = true;
        else fields.push({ name, value });
      }
    }
  }
  if (csrfToken !== undefined) hidden.push({ name: '_csrf', value: csrfToken });
  return { fields, hidden, droppedSecrets };
}

/**
 * Answers an outage (the disk is full, the database is unreachable): 503 with Retry-After, the site's own page, and
 * for a form post every field the user typed, so the text survives until the site can save again.
 */
export function sendOutage(site: Site, request: FastifyRequest, reply: FastifyReply, fault: StorageFault, err?: unknown): FastifyReply {
  const text = OUTAGE_TEXT[fault];
  request.log.error({ err, fault, method: request.method, url: request.url }, text.log);
  reply.header('retry-after', '60').header('cache-control', 'no-store');
  if (wantsJson(request)) return reply.code(503).send({ error: fault });
  const resend = request.method === 'POST' ? { action: request.url, ...keptFields(request.body) } : null;
  return sendHtml(
    reply,
    <UnavailablePage site={site} viewer={request.viewer} title={text.title} message={text.message} resend={resend} />,
    503,
  );
}

/** "must NOT have more than 200 characters" in words a student reads. */
function issueText(issue: NonNullable<FastifyError['validation']>[number]): string {
  const name = issue.instancePath.split('/').filter(Boolean).join(' ') || String(issue.params?.missingProperty ?? 'a field');
  const label = labelOf(name);
  if (issue.keyword === 'maxLength') return `${label}: at most ${issue.params.limit} characters.`;
  if (issue.keyword === 'type') return `${label}: send it once, as text.`;
  return `${label}: ${issue.message ?? 'not valid'}.`;
}

/**
 * A request its route's schema refused. A bad id in an address is a page that does not exist (404); a bad query is
 * a 400 page; a form is given back with every field the person typed and what to change (422), nothing saved.
 */
function sendInvalid(site: Site, request: FastifyRequest, reply: FastifyReply, error: FastifyError): FastifyReply {
  const where = error.validationContext;
  request.log.info({ where, reason: error.message }, 'request refused by its schema');
  const status = where === 'params' ? 404 : where === 'body' ? 422 : 400;
  if (wantsJson(request) || request.headers['content-type']?.startsWith('application/json'))
    return reply.code(status).send({ error: status === 404 ? 'not_found' : 'bad_request', message: error.message });
  if (where !== 'body' || request.method !== 'POST') return sendHtml(reply, errorPage(site, status, undefined, request.viewer), status);
  const issues = (error.validation ?? []).slice(0, 5).map(issueText);
  return sendHtml(
    reply,
    <UnavailablePage
      site={site}
      viewer={request.viewer}
      status={422}
      title="Some of what you sent could not be taken"
      message={`Nothing was saved. ${issues.join(' ')}`}
      intro="Your text is below, as you sent it. Change what is marked above and send it again."
      resend={{ action: request.url, ...keptFields(request.body) }}
    />,
    422,
  );
}

/** Every failure becomes a page (or JSON for API routes) with no stack trace; only server faults are logged as errors. */
export function registerErrorHandling(
  app: FastifyInstance,
  site: Site,
  classify: (err: unknown) => StorageFault | null = () => null,
): void {
  app.setNotFoundHandler((request, reply) => {
    if (wantsJson(request)) return reply.code(404).send({ error: 'not_found' });
    return sendHtml(reply, errorPage(site, 404, undefined, request.viewer), 404);
  });

  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (error.validation) return sendInvalid(site, request, reply, error);
    const fault = classify(error);
    if (fault) return sendOutage(site, request, reply, fault, error);
    const code = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
    if (code >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code, reason: error.message }, 'client error');
    if (wantsJson(request)) return reply.code(code).send({ error: code >= 500 ? 'internal_error' : 'bad_request' });
    return sendHtml(reply, errorPage(site, code, undefined, request.viewer), code);
  });
}

/** A request line longer than this, in a request Node refused for size, is called a too-long address (414). */
const LONG_REQUEST_LINE = 8192;

/**
 * Node's HTTP parser refuses some requests before Fastify sees them (an address or headers over its 16 KiB limit,
 * bytes that are not HTTP). Those get the site's own page too: 414 when the request line alone is too long, 431
 * for headers, 400 otherwise; a timed-out request gets 408. No stack trace, no JSON meant for APIs.
 */
export function clientErrorResponder(site: Site): (err: Error & { code?: string; rawPacket?: unknown }, socket: Socket) => void {
  const pages = new Map<number, string>();
  const pageFor = (status: number) => {
    let html = pages.get(status);
    if (!html) {
      html = renderPage(errorPage(site, status));
      pages.set(status, html);
    }
    return html;
  };
  return (err, socket) => {
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    let status = 400;
    if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') status = 408;
    else if (err.code === 'HPE_HEADER_OVERFLOW' || err.code === 'HPE_URI_TOO_LONG') {
      const raw = Buffer.isBuffer(err.rawPacket) ? err.rawPacket : null;
      const lineEnd = raw ? raw.indexOf('\r\n') : -1;
      status = lineEnd === -1 || lineEnd > LONG_REQUEST_LINE ? 414 : 431;
    }
    if (socket.writable) {
      const body = Buffer.from(pageFor(status));
      socket.write(
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
          'Content-Type: text/html; charset=utf-8\r\n' +
          `Content-Length: ${body.length}\r\n` +
          "Content-Security-Policy: default-src 'self'; frame-ancestors 'none'\r\n" +
          'X-Content-Type-Options: nosniff\r\n' +
          'Cache-Control: no-store\r\n' +
          'Connection: close\r\n\r\n',
      );
      socket.write(body);
    }
    socket.destroy();
  };
}
