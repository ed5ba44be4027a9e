import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import type { Viewer } from '../modules/accounts/index.ts';
import type { Site } from '../views/layout.tsx';
import { UnavailablePage } from '../views/unavailable-page.tsx';
import { errorPage, keptFields } from './errors.tsx';
import { sendHtml } from './html.ts';
import { csrfToken, csrfValid } from './session.ts';

/** A rule about who may use a route: a name for logs and tests, the check, and the title of the refusal page. */
export interface Policy {
  name: string;
  allows(viewer: Viewer): boolean;
  refusal: string;
}

/**
 * Who may use a route. `anyone` includes visitors (the form is still checked for its CSRF token); `signed-in` is
 * any account; a Policy narrows it to the viewers it allows.
 */
export type Allow = 'anyone' | 'signed-in' | Policy;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may use the route, checked by the guard before the handler runs. Every unsafe method must declare it. */
    allow?: Allow;
    /**
     * Where a signed-out person returns after signing in. Defaults to the address itself for a page (GET), and to
     * the page the form was on (its same-site Referer) or the home page for a form post.
     */
    signInNext?: string | ((request: FastifyRequest) => string);
    /**
     * A route without the form's CSRF token names what protects it instead (a webhook's signature); nothing else
     * may leave the token out.
     */
    csrfExempt?: string;
    /** Runs before a signed-out person is sent to sign in from a form post: a chance to keep what they typed. */
    onSignedOut?: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
    /**
     * The route's own answer to an expired form (its form again, with the text and a message). Without it the
     * guard answers 403 with every field the person typed, in a form that sends them again.
     */
    onExpiredForm?: (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply>;
  }
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function methodsOf(route: RouteOptions): string[] {
  return (Array.isArray(route.method) ? route.method : [route.method]).map((m) => m.toUpperCase());
}

/** The unsafe methods of a route that declares neither who may use it nor why it needs no CSRF token. */
export function unguardedMethods(route: RouteOptions): string[] {
  const config = route.config as { allow?: Allow } | undefined;
  if (config?.allow !== undefined) return [];
  return methodsOf(route).filter((m) => UNSAFE.has(m));
}

/** A same-site path to come back to after signing in: never another site, never the sign-in page itself. */
function sameSitePath(value: string | undefined, origin: string): string | null {
  if (!value) return null;
  try {
    const url = new URL(value, origin);
    if (url.origin !== new URL(origin).origin || url.pathname.startsWith('/login')) return null;
    return `${url.pathname}${url.search}`;
  } catch {
    return null;
  }
}

function nextAfterSignIn(request: FastifyRequest, origin: string): string {
  const declared = request.routeOptions.config.signInNext;
  if (typeof declared === 'function') return declared(request);
  if (typeof declared === 'string') return declared;
  if (request.method === 'GET' || request.method === 'HEAD') return request.url;
  return sameSitePath(request.headers.referer, origin) ?? '/';
}

/**
 * The signed-in viewer of a route whose `allow` needs an account. The guard has already sent visitors to sign in,
 * so a null here is a route declared `anyone` that asked for a viewer: a programming error, answered as a 500.
 */
export function signedIn(request: FastifyRequest): Viewer {
  if (!request.viewer) throw new Error(`${request.routeOptions.url} reads the viewer but allows visitors`);
  return request.viewer;
}

/**
 * Auth and CSRF for every route, as hooks rather than calls in each handler. In order: a route that needs an
 * account sends a visitor to sign in (after `onSignedOut`, which may keep their text); a viewer the route's policy
 * does not allow gets a 403 page; an unsafe method without a valid CSRF token gets its form back (403), nothing done.
 * A route that leaves out `allow` on an unsafe method is refused when it is registered, so none can be forgotten.
 * It runs before the schemas (preValidation), so a visitor or a forged form learns nothing from a field's limits.
 */
export function registerGuard(app: FastifyInstance, site: Site, https: boolean): void {
  const guard = async (request: FastifyRequest, reply: FastifyReply) => {
    const config = request.routeOptions.config;
    const allow = config.allow;
    if (allow === undefined) return;
    const unsafe = UNSAFE.has(request.method);
    if (allow !== 'anyone') {
      const viewer = request.viewer;
      if (!viewer) {
        if (unsafe && config.onSignedOut) await config.onSignedOut(request, reply);
        return reply.redirect(`/login?next=${encodeURIComponent(nextAfterSignIn(request, site.url))}`, 303);
      }
      if (allow !== 'signed-in' && !allow.allows(viewer)) {
        return sendHtml(reply, errorPage(site, 403, { title: allow.refusal }, viewer), 403);
      }
    }
    if (!unsafe || config.csrfExempt !== undefined || csrfValid(request, https)) return;
    request.log.info({ url: request.url }, 'form refused: no valid CSRF token');
    if (config.onExpiredForm) return config.onExpiredForm(request, reply);
    const resend = { action: request.url, ...keptFields(request.body, csrfToken(request, reply, https)) };
    return sendHtml(
      reply,
      <UnavailablePage
        site={site}
        viewer={request.viewer}
        status={403}
        title="That form had expired"
        message="Nothing was changed: the form was too old, or came from another site."
        intro="Your text is below, as you sent it. Check it and send it again."
        resend={resend}
      />,
      403,
    );
  };

  app.addHook('onRoute', (route) => {
    const missing = unguardedMethods(route);
    if (missing.length > 0) {
      throw new Error(`${missing.join(', ')} ${route.url} declares no config.allow: say who may use it (platform/guard.tsx)`);
    }
    // The guard runs on the routes that have something to check, as a route hook: a page open to anyone (the
    // visitor's question page, the busiest route) pays nothing for it.
    const allow = (route.config as { allow?: Allow } | undefined)?.allow;
    if (allow === undefined || (allow === 'anyone' && !methodsOf(route).some((m) => UNSAFE.has(m)))) return;
    const existing = route.preValidation;
    route.preValidation = existing === undefined ? [guard] : [guard, ...(Array.isArray(existing) ? existing : [existing])];
  });
}
