import type { RequestListener } from 'node:http';
import Fastify, { type FastifyInstance, type FastifyServerOptions, LogController } from 'fastify';
import { Redis } from 'ioredis';
import type { Config } from './config.ts';
import type { DatabaseHandle } from './db/connect.ts';
import { type Clock, systemClock } from './lib/time.ts';
import { accountRoutes } from './modules/accounts/account.routes.tsx';
import { adminUserRoutes } from './modules/accounts/admin.routes.tsx';
import { applicationRoutes } from './modules/accounts/application.routes.tsx';
import { authRoutes } from './modules/accounts/auth.routes.tsx';
import { codeSignInRoutes } from './modules/accounts/code-sign-in.routes.tsx';
import { emailChangeRoutes } from './modules/accounts/email-change.routes.tsx';
import { databaseLimitStore, type LimitStore, redisLimitStore, useLimitStore, withFallback } from './modules/accounts/limits.service.ts';
import { resetRoutes } from './modules/accounts/reset.routes.tsx';
import { settingsRoutes } from './modules/accounts/settings.routes.tsx';
import { setupRoutes } from './modules/accounts/setup.routes.tsx';
import { signUpRoutes } from './modules/accounts/signup.routes.tsx';
import { registerTwoFactorGate, twoFactorRoutes } from './modules/accounts/two-factor.routes.tsx';
import { adsRoutes } from './modules/ads/ads.routes.tsx';
import { askRoutes } from './modules/asking/ask.routes.tsx';
import { educatorRoutes } from './modules/asking/educator.routes.tsx';
import { myQuestionsRoutes } from './modules/asking/my-questions.routes.tsx';
import { reportRoutes } from './modules/asking/reports.routes.tsx';
import { reviewRoutes } from './modules/asking/review.routes.tsx';
import { dashboardRoutes } from './modules/dashboard/dashboard.routes.tsx';
import { educatorProfileRoutes } from './modules/educators/educator.routes.tsx';
import { guideRoutes } from './modules/guides/guide.routes.tsx';
import { homeRoutes } from './modules/home/home.routes.tsx';
import { imageRoutes } from './modules/images/image.routes.ts';
import { siteBlobStore, taskSlots } from './modules/images/index.ts';
import { libraryRoutes } from './modules/images/library.routes.tsx';
import { MailDispatcher, type Mailer, type MailTransport, outboxMailer, queuedMailer, smtpTransport } from './modules/mail/index.ts';
import { outboxRoutes } from './modules/mail/outbox.routes.tsx';
import type { BillingDeps } from './modules/membership/billing.service.ts';
import type { BillingProvider } from './modules/membership/billing.ts';
import { membershipRoutes, registerMembershipOnViewer } from './modules/membership/membership.routes.tsx';
import { membershipAdminRoutes } from './modules/membership/membership-admin.routes.tsx';
import { membershipBillingRoutes } from './modules/membership/membership-billing.routes.tsx';
import { stripeBilling } from './modules/membership/stripe-billing.ts';
import { stripeWebhookRoutes } from './modules/membership/webhook.routes.ts';
import { notificationRoutes, registerUnreadOnViewer } from './modules/notifications/notification.routes.tsx';
import { questionRoutes } from './modules/questions/question.routes.tsx';
import { reachRoutes } from './modules/reach/reach.routes.ts';
import { searchRoutes } from './modules/search/search.routes.tsx';
import { synonymRoutes } from './modules/search/synonyms.routes.tsx';
import { typeaheadRoutes } from './modules/search/typeahead.routes.ts';
import { socialImageRoutes } from './modules/social/social.routes.ts';
import { subjectRoutes } from './modules/subjects/subject.routes.tsx';
import { topicRoutes } from './modules/subjects/topic.routes.tsx';
import { APPLE_TOUCH_ICON, AssetStore, MAIN_FONT, sendAsset } from './platform/assets.ts';
import { buildCaches } from './platform/caches.ts';
import { registerCompression } from './platform/compression.ts';
import type { RouteContext } from './platform/context.ts';
import { clientErrorResponder, errorPage, registerErrorHandling } from './platform/errors.tsx';
import { frontDoor, serverWithFrontDoor } from './platform/front-door.ts';
import { registerGuard } from './platform/guard.tsx';
import { Health } from './platform/health.ts';
import { sendHtml } from './platform/html.ts';
import { registerVisitorPageValidation } from './platform/http-cache.ts';
import { mathAssets } from './platform/math-assets.ts';
import { Metrics, metricsHandler } from './platform/metrics.ts';
import { securityHeaders, withMathStyles } from './platform/security-headers.ts';
import { registerSessions, type SessionSettings, sessionCookieName } from './platform/session.ts';
import type { Site } from './views/layout.tsx';

declare module 'fastify' {
  interface FastifyInstance {
    /** The context every module's routes receive (database, mailer, clock, settings). */
    context: RouteContext;
  }
}

export interface AppDeps {
  database: DatabaseHandle;
  /** Defaults to queued SMTP when SMTP_URL is set, else the outbox table. */
  mailer?: Mailer;
  /** Replaces the SMTP transport (tests count or fail deliveries with it). */
  mailTransport?: MailTransport;
  /**
   * Without SMTP_URL, where each kept message is also printed as plain text (recipient, subject, links). Defaults to
   * standard error when the app logs (not in tests, which pass logger: false).
   */
  mailPrint?: (text: string) => void;
  /** Defaults to Redis when REDIS_URL is set, else the database. */
  limitStore?: LimitStore;
  clock?: Clock;
  /** Pino options or false; tests pass false. */
  logger?: FastifyServerOptions['logger'];
}

/**
 * Fastify's trustProxy for TRUST_PROXY: the client's address is the rightmost X-Forwarded-For entry that no trusted
 * proxy wrote. A hop count becomes a function of the hop (Fastify would otherwise trust no hop at all for a bare
 * number); a list goes to proxy-addr as it is. config.ts refuses a bare `true`, which would believe the leftmost
 * entry, the one the client writes itself.
 */
function trustedProxies(setting: Config['trustProxy']): false | string[] | ((address: string, hop: number) => boolean) {
  if (setting === false) return false;
  if (typeof setting === 'number') return (_address, hop) => hop < setting;
  return [...setting];
}

/**
 * Uploads decoded at the same time in one process; the others wait their turn (modules/images/slots.ts). A
 * 40-megapixel photo holds about 160 MB while it is decoded.
 */
const IMAGE_DECODES_AT_ONCE = 2;

export async function buildApp(config: Config, deps: AppDeps): Promise<FastifyInstance> {
  const assets = new AssetStore(
    ['app.css', 'favicon.svg', APPLE_TOUCH_ICON, 'ask.js', 'answer.js', 'search.js', 'menu.js', 'time.js'],
    mathAssets().files,
  );
  const site: Site = {
    name: config.siteName,
    url: config.siteUrl,
    cssUrl: assets.url('app.css'),
    faviconUrl: assets.url('favicon.svg'),
    // The stylesheet names the font, so the store serves it; the layout preloads it.
    fontUrl: assets.url(MAIN_FONT),
    touchIconUrl: assets.url(APPLE_TOUCH_ICON),
    searchScriptUrl: assets.url('search.js'),
    menuScriptUrl: assets.url('menu.js'),
    timeScriptUrl: assets.url('time.js'),
    payments: config.stripe !== null,
  };
  const clock = deps.clock ?? systemClock;
  let dispatcher: MailDispatcher | undefined;
  let transport: (MailTransport & { close?: () => void }) | undefined;
  let mailer = deps.mailer;
  if (!mailer) {
    if (config.smtpUrl || deps.mailTransport) {
      transport = deps.mailTransport ?? smtpTransport(config.smtpUrl as string, config.mailFrom);
      dispatcher = new MailDispatcher(deps.database.db, transport, clock, {
        warn: (o, m) => app.log.warn(o, m),
        error: (o, m) => app.log.error(o, m),
      });
      mailer = queuedMailer(deps.database.db, clock, dispatcher);
    } else {
      const print = deps.mailPrint ?? (deps.logger === false ? undefined : (text: string) => void process.stderr.write(text));
      mailer = outboxMailer(deps.database.db, clock, print);
    }
  }
  const https = config.siteUrl.startsWith('https:');
  const sessionSettings: SessionSettings = {
    https,
    policy: { idleMs: config.sessionIdleMs, absoluteMs: config.sessionAbsoluteMs },
  };
  const provider: BillingProvider | null = config.stripe ? stripeBilling(config.stripe) : null;
  const billing: BillingDeps | null = provider
    ? {
        db: deps.database.db,
        billing: provider,
        clock,
        mailer,
        site: { name: site.name, url: site.url },
        trialHours: config.trialHours,
        reminderHours: config.trialReminderHours,
      }
    : null;
  const caches = buildCaches(config, deps.database);
  const metrics = new Metrics({ database: deps.database, clock, pages: caches.pages, ...(dispatcher ? { mail: dispatcher } : {}) });
  const ctx: RouteContext = {
    database: deps.database,
    mailer,
    clock,
    site,
    config,
    session: sessionSettings,
    billing,
    caches,
    metrics,
    images: {
      blobs: siteBlobStore(config, deps.database.db, clock),
      decoding: taskSlots(IMAGE_DECODES_AT_ONCE),
    },
    assetUrl: (file) => assets.url(file),
  };
  let redis: Redis | undefined;
  if (config.redisUrl) {
    // A request never waits long for Redis: with no offline queue a command fails at once while the client is
    // disconnected (it reconnects by itself in the background), and a server that accepts but does not answer
    // costs at most the command timeout.
    redis = new Redis(config.redisUrl, {
      enableOfflineQueue: false,
      connectTimeout: 1000,
      commandTimeout: 250,
      maxRetriesPerRequest: 1,
      retryStrategy: (times) => Math.min(times * 200, 2000),
    });
    redis.on('error', () => {});
  }
  if (deps.limitStore) {
    useLimitStore(deps.database.db, deps.limitStore);
  } else if (redis) {
    // While Redis is down, limits and lockouts are counted in the database (see limits.service.ts), with a warning
    // at most once a minute; /healthz answers 503 with "redis": "down" so a load balancer can act.
    let warnedAt = 0;
    useLimitStore(
      deps.database.db,
      withFallback(redisLimitStore(redis), databaseLimitStore(deps.database.db), (err) => {
        const now = Date.now();
        if (now - warnedAt < 60_000) return;
        warnedAt = now;
        app.log.warn({ err }, 'Redis cannot be reached: limits and lockouts are counted in the database until it is back');
      }),
    );
  }
  const health = new Health(deps.database, redis);

  // AD_SNIPPET_ORIGINS (empty by default) join the sources an ad network's snippet needs: its scripts, the frames and
  // images they add, and their requests. Origins rather than per-request nonces: visitors' question pages are cached
  // and served as the same bytes, so nothing in them may differ from one response to the next.
  const adOrigins = config.adSnippetOrigins;
  const headers = securityHeaders({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'self'"],
        'img-src': ["'self'", 'data:', ...adOrigins],
        'style-src': ["'self'"],
        'script-src': ["'self'", ...adOrigins],
        ...(adOrigins.length > 0 ? { 'frame-src': ["'self'", ...adOrigins], 'connect-src': ["'self'", ...adOrigins] } : {}),
        'object-src': ["'none'"],
        'base-uri': ["'self'"],
        'form-action': ["'self'"],
        'frame-ancestors': ["'none'"],
        ...(https ? { 'upgrade-insecure-requests': [] } : {}),
      },
    },
    hsts: https ? { maxAge: 15_552_000, includeSubDomains: false } : false,
    crossOriginEmbedderPolicy: false,
    // frame-ancestors 'none' above already forbids framing; X-Frame-Options: SAMEORIGIN beside it said otherwise.
    xFrameOptions: false,
  });
  const logRequests = ['trace', 'debug', 'info'].includes(config.logLevel);
  // Visitors' cached question pages are answered before Fastify sees the request (platform/front-door.ts); a page
  // with math carries the style policy that allowMathStyles (platform/html.ts) gives it on the route's path.
  let closing = false;
  const door = frontDoor({
    pages: caches.pages,
    changeStamp: deps.database.changeStamp?.bind(deps.database) ?? (() => Number.NaN),
    now: () => clock.now().getTime(),
    sessionCookie: sessionCookieName(https),
    compression: config.compression,
    headers,
    mathHeaders: withMathStyles(headers),
    closing: () => closing,
    observe: (method, status, route, seconds) => metrics.observeRequest(method, status, route, seconds),
    log: logRequests ? (line) => app.log.info(line, 'request') : undefined,
  });
  const useDoor = deps.database.changeStamp !== undefined && caches.pages.enabled;

  const app = Fastify({
    logger: deps.logger ?? { level: config.logLevel },
    // One line per request from our onResponse hook instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: trustedProxies(config.trustProxy),
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    bodyLimit: 1_048_576,
    // Requests Node's parser refuses (an address or headers over 16 KiB) get the site's own page, not a bare 431.
    clientErrorHandler: clientErrorResponder(site),
    ...(useDoor
      ? { serverFactory: (handler: RequestListener, options: FastifyServerOptions) => serverWithFrontDoor(handler, options, door) }
      : {}),
    // A malformed URL (bad percent-encoding, invalid UTF-8) gets the 400 page, not Fastify's JSON.
    frameworkErrors: (error, request, reply) => {
      request.log.info({ reason: error.message }, 'bad request');
      return sendHtml(reply, errorPage(site, 400), 400);
    },
  });

  // Shutting down (SIGTERM, a rolling restart): a keep-alive connection whose request finishes during close would stay
  // open until the shutdown timeout (a proxy such as nginx keeps its connections open), so every response sent while
  // closing asks the client to close the connection, and the process exits as soon as its requests are done.
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });

  // External plugins first, then the platform, then the modules.
  // Compression before any route: @fastify/compress hooks into each route as it is added (COMPRESSION=off: nothing).
  await registerCompression(app, config.compression);
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(headers);
    done();
  });
  // One address per page: /signup/ and /guides/macbeth/ move permanently to /signup and /guides/macbeth, the query
  // string kept. (The router still matches either, so a form posted to a slashed address keeps working.) Leading
  // slashes are collapsed, so //evil.example/ can never become a redirect to another site.
  app.addHook('onRequest', (request, reply, done) => {
    const url = request.url;
    const q = url.indexOf('?');
    const end = q < 0 ? url.length : q;
    if (end > 1 && url.charCodeAt(end - 1) === 47 && (request.method === 'GET' || request.method === 'HEAD')) {
      const path = url.slice(0, end).replace(/^\/+/, '/').replace(/\/+$/, '') || '/';
      reply.redirect(path + (q < 0 ? '' : url.slice(q)), 301);
      return;
    }
    done();
  });

  app.addHook('onResponse', async (request, reply) => {
    if (!logRequests) return;
    request.log.info({ method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
  });
  app.addHook('onResponse', metrics.timeRequest);
  app.addHook('onClose', async () => metrics.close());

  await registerSessions(app, { database: ctx.database, clock: ctx.clock, settings: sessionSettings, reads: ctx.caches.reads });

  registerErrorHandling(app, site, (err) => health.noteFailure(err));
  // Signed-in pages are personal (an account, a member's whole answer, a staff queue): no cache, shared or in the
  // browser, may keep them. So is any response that sets a cookie. Visitors' pages are left to their routes.
  app.addHook('onSend', (request, reply, payload, done) => {
    if (request.viewer !== null || reply.hasHeader('set-cookie')) {
      const type = String(reply.getHeader('content-type') ?? '');
      if (type.startsWith('text/html') || !reply.hasHeader('cache-control')) reply.header('cache-control', 'private, no-store');
    }
    done(null, payload);
  });
  // Visitors' public pages (home, subjects, topics, guides): an ETag, what shared caches may keep, 304 (http-cache.ts).
  registerVisitorPageValidation(app);
  registerTwoFactorGate(app, ctx);
  registerMembershipOnViewer(app, ctx);
  registerUnreadOnViewer(app, ctx);
  registerGuard(app, site, https);
  if (dispatcher) {
    const d = dispatcher;
    d.start();
    app.addHook('onClose', async () => {
      await d.stop();
      transport?.close?.();
    });
  }
  if (redis) {
    const client = redis;
    app.addHook('onClose', async () => {
      await client.quit().catch(() => {});
    });
  }

  // What the routes were built with, for what runs beside them (the jobs runner that `serve` starts).
  app.decorate('context', ctx);

  // For load balancers and monitors: 200 when the database answers, the disk can take writes and Redis (when
  // configured) answers; else 503 naming the part that failed, e.g. {"status":"unavailable", ..., "redis":"down"}.
  app.get('/healthz', async (_request, reply) => {
    const report = await health.report();
    if (report.status !== 'ok') app.log.error(report, 'health check failed');
    return reply
      .code(report.status === 'ok' ? 200 : 503)
      .header('cache-control', 'no-store')
      .send(report);
  });

  // For Prometheus (docs/metrics.md): METRICS_TOKEN from anywhere, or an address in METRICS_ALLOW (loopback by
  // default); anyone else gets the ordinary 404 page. Open to visitors as far as the guard goes: it needs no session.
  app.get('/metrics', { config: { allow: 'anyone' } }, metricsHandler(metrics, config));

  app.get<{ Params: { file: string } }>('/static/:file', async (request, reply) => {
    const asset = assets.get(`/static/${request.params.file}`);
    if (!asset) return sendHtml(reply, errorPage(site, 404), 404);
    return sendAsset(request, reply, asset, config.compression);
  });
  app.get('/favicon.ico', async (_request, reply) => reply.redirect(site.faviconUrl, 301));
  await app.register(imageRoutes(ctx));
  await app.register(libraryRoutes(ctx));

  await app.register(homeRoutes(ctx));
  await app.register(subjectRoutes(ctx));
  await app.register(topicRoutes(ctx));
  await app.register(questionRoutes(ctx));
  await app.register(searchRoutes(ctx));
  await app.register(synonymRoutes(ctx));
  await app.register(typeaheadRoutes(ctx));
  await app.register(reachRoutes(ctx));
  await app.register(authRoutes(ctx));
  await app.register(signUpRoutes(ctx));
  await app.register(codeSignInRoutes(ctx));
  await app.register(resetRoutes(ctx));
  await app.register(accountRoutes(ctx));
  await app.register(emailChangeRoutes(ctx));
  await app.register(adminUserRoutes(ctx));
  await app.register(dashboardRoutes(ctx));
  await app.register(twoFactorRoutes(ctx));
  await app.register(settingsRoutes(ctx));
  await app.register(setupRoutes(ctx));
  await app.register(applicationRoutes(ctx));
  await app.register(membershipRoutes(ctx));
  await app.register(membershipBillingRoutes(ctx));
  await app.register(membershipAdminRoutes(ctx));
  if (billing) await app.register(stripeWebhookRoutes(billing));
  await app.register(adsRoutes(ctx));
  await app.register(askRoutes(ctx));
  await app.register(myQuestionsRoutes(ctx));
  await app.register(educatorRoutes(ctx));
  await app.register(reviewRoutes(ctx));
  await app.register(reportRoutes(ctx));
  await app.register(notificationRoutes(ctx));
  await app.register(outboxRoutes(ctx));
  await app.register(guideRoutes(ctx));
  await app.register(educatorProfileRoutes(ctx));
  await app.register(socialImageRoutes(ctx));
  return app;
}
