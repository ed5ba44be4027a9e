import type { FastifyReply, FastifyRequest } from 'fastify';

// Post/redirect/get: a form that succeeds answers 303 to the page that shows the result, so a refresh does not send
// it again and the address bar shows that page. The message of the success rides along in a short-lived cookie
// that the next page reads once and clears. Messages are the site's own text, or hold what this browser typed (the
// address a code was sent to); whatever is in the cookie is shown as text (escaped) to the one browser that holds it.

const FLASH_COOKIE = 'scholia_flash';
const MAX_LENGTH = 300;

export function setFlash(reply: FastifyReply, message: string, https: boolean): void {
  reply.setCookie(FLASH_COOKIE, Buffer.from(message.slice(0, MAX_LENGTH)).toString('base64url'), {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: https,
    maxAge: 60,
  });
}

/** The message a redirect carried to this page, if any; read once. */
export function takeFlash(request: FastifyRequest, reply: FastifyReply, https: boolean): string | undefined {
  const raw = request.cookies[FLASH_COOKIE];
  if (raw === undefined) return undefined;
  reply.clearCookie(FLASH_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure: https });
  const message = Buffer.from(raw, 'base64url').toString('utf8').slice(0, MAX_LENGTH).trim();
  return message === '' ? undefined : message;
}
