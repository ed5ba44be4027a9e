import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ErrorPage } from '../views/error-page.tsx';
import type { Site, ViewerInfo } from '../views/layout.tsx';
import { sendHtml } from './html.ts';

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
  414: { title: 'That address is too long', message: 'Shorten the address and try again.' },
  415: { title: 'We cannot read that kind of content', message: 'Send the form from the page itself.' },
  429: { title: 'Too many requests', message: 'Please wait a moment before trying again.' },
};

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

/** Every failure becomes a page (or JSON for API routes) with no stack trace; only server faults are logged as errors. */
export function registerErrorHandling(app: FastifyInstance, site: Site): void {
  app.setNotFoundHandler((request, reply) => {
    if (wantsJson(request)) return reply.code(404).send({ error: 'not_found' });
    return sendHtml(reply, errorPage(site, 404, undefined, request.viewer), 404);
  });

  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const code = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
    if (code >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code, reason: error.message }, 'client error');
    if (wantsJson(request)) return reply.code(code).send({ error: code >= 500 ? 'internal_error' : 'bad_request' });
    return sendHtml(reply, errorPage(site, code, undefined, request.viewer), code);
  });
}
