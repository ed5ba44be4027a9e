import helmet from '@fastify/helmet';
import Fastify, { type FastifyInstance, type FastifyServerOptions, LogController } from 'fastify';
import { Redis } from 'ioredis';
import type { Config } from './config.ts';
import type { DatabaseHandle } from './db/connect.ts';
import { type Clock, systemClock } from './lib/time.ts';
import { accountRoutes } from './modules/accounts/account.routes.tsx';
import { adminUserRoutes } from './modules/accounts/admin.routes.tsx';
import { applicationRoutes } from './modules/accounts/application.routes.tsx';
import { authRoutes } from './modules/accounts/auth.routes.tsx';
import { accountFlowRoutes } from './modules/accounts/flows.routes.tsx';
import { pruneAccountData } from './modules/accounts/index.ts';
import { type LimitStore, redisLimitStore, useLimitStore } from './modules/accounts/limits.service.ts';
import { setupRoutes } from './modules/accounts/setup.routes.tsx';
import { registerTwoFactorGate, twoFactorRoutes } from './modules/accounts/two-factor.routes.tsx';
import { adsRoutes } from './modules/ads/ads.routes.tsx';
import { askingRoutes } from './modules/asking/asking.routes.tsx';
import { pruneAskDrafts, returnOverdueAllowances } from './modules/asking/asking.service.ts';
import { guideRoutes } from './modules/guides/guide.routes.tsx';
import { homeRoutes } from './modules/home/home.routes.tsx';
import { MailDispatcher, type Mailer, type MailTransport, outboxMailer, queuedMailer, smtpTransport } from './modules/mail/index.ts';
import { outboxRoutes } from './modules/mail/outbox.routes.tsx';
import { type BillingDeps, reconcileDaily } from './modules/membership/billing.service.ts';
import type { BillingProvider } from './modules/membership/billing.ts';
import { membershipRoutes, registerMembershipOnViewer } from './modules/membership/membership.routes.tsx';
import { sendTrialReminders } from './modules/membership/membership.service.ts';
import { stripeBilling } from './modules/membership/stripe-billing.ts';
import { stripeWebhookRoutes } from './modules/membership/webhook.routes.ts';
import { notificationRoutes, registerUnreadOnViewer } from './modules/notifications/notification.routes.tsx';
import { questionRoutes } from './modules/questions/question.routes.tsx';
import { reachRoutes } from './modules/reach/reach.routes.ts';
import { searchRoutes } from './modules/search/search.routes.tsx';
import { typeaheadRoutes } from './modules/search/typeahead.routes.ts';
import { subjectRoutes } from './modules/subjects/subject.routes.tsx';
import { AssetStore } from './platform/assets.ts';
import { errorPage, registerErrorHandling } from './platform/errors.tsx';
import { sendHtml } from './platform/html.ts';
import { registerSessions, type SessionSettings } from './platform/session.ts';
import type { Site } from './views/layout.tsx';

export interface AppDeps {
  database: DatabaseHandle;
  /** Defaults to queued SMTP when SMTP_URL is set, else the outbox table. */
  mailer?: Mailer;
  /** Replaces the SMTP transport (tests count or fail deliveries with it). */
  mailTransport?: MailTransport;
  /** Defaults to Redis when REDIS_URL is set, else the database. */
  limitStore?: LimitStore;
  clock?: Clock;
  /** Pino options or false; tests pass false. */
  logger?: FastifyServerOptions['logger'];
  /** The once-a-minute jobs (reminders, pruning, overdue allowances, the daily reconcile); tests that run them by hand turn them off. */
  jobs?: boolean;
}

/** What each module's routes receive. */
export interface RouteContext {
  database: DatabaseHandle;
  mailer: Mailer;
  clock: Clock;
  site: Site;
  config: Config;
  /** Cookie and session settings (Secure over HTTPS, timeouts). */
  session: SessionSettings;
  /** Stripe mode: the payment provider and what billing needs; null in local mode. */
  billing: BillingDeps | null;
  /** The content-hashed URL of a file in public/ (scripts for islands). */
  assetUrl(file: string): string;
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

export async function buildApp(config: Config, deps: AppDeps): Promise<FastifyInstance> {
  const assets = new AssetStore(['app.css', 'favicon.svg', 'ask.js', 'answer.js', 'search.js']);
  const site: Site = {
    name: config.siteName,
    url: config.siteUrl,
    cssUrl: assets.url('app.css'),
    faviconUrl: assets.url('favicon.svg'),
    searchScriptUrl: assets.url('search.js'),
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
      mailer = outboxMailer(deps.database.db, clock);
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
  const ctx: RouteContext = {
    database: deps.database,
    mailer,
    clock,
    site,
    config,
    session: sessionSettings,
    billing,
    assetUrl: (file) => assets.url(file),
  };
  let redis: Redis | undefined;
  if (deps.limitStore) {
    useLimitStore(deps.database.db, deps.limitStore);
  } else if (config.redisUrl) {
    redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 2 });
    // Errors surface on the requests that need Redis; the client reconnects by itself.
    redis.on('error', () => {});
    useLimitStore(deps.database.db, redisLimitStore(redis));
  }

  const app = Fastify({
    logger: deps.logger ?? { level: config.logLevel },
    // One line per request from our onResponse hook instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: trustedProxies(config.trustProxy),
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    bodyLimit: 1_048_576,
    // A malformed URL (bad percent-encoding, invalid UTF-8) gets the 400 page, not Fastify's JSON.
    frameworkErrors: (error, request, reply) => {
      request.log.info({ reason: error.message }, 'bad request');
      return sendHtml(reply, errorPage(site, 400), 400);
    },
  });

  // External plugins first, then the platform, then the modules.
  // AD_SNIPPET_ORIGINS (empty by default) join the sources an ad network's snippet needs: its scripts, the frames and
  // images they add, and their requests. Origins rather than per-request nonces: visitors' question pages are cached
  // and served as the same bytes, so nothing in them may differ from one response to the next.
  const adOrigins = config.adSnippetOrigins;
  await app.register(helmet, {
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
  });

  const logRequests = ['trace', 'debug', 'info'].includes(config.logLevel);
  app.addHook('onResponse', async (request, reply) => {
    if (!logRequests) return;
    request.log.info({ method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
  });

  await registerSessions(app, { database: ctx.database, clock: ctx.clock, settings: sessionSettings });

  registerErrorHandling(app, site);
  registerTwoFactorGate(app, ctx);
  registerMembershipOnViewer(app, ctx);
  registerUnreadOnViewer(app, ctx);
  if (dispatcher) {
    const d = dispatcher;
    d.start();
    app.addHook('onClose', async () => {
      await d.stop();
      transport?.close?.();
    });
  }
  // Once a minute in every process: trial reminders (a claim in the database sends each once), pruning of expired
  // sessions, lockout counters and limit windows, allowances given back past the answer target, and in Stripe mode
  // the daily reconcile (claimed by one process).
  const askingDeps = {
    db: ctx.database.db,
    clock: ctx.clock,
    mailer: ctx.mailer,
    site: { name: site.name, url: site.url },
    questionsPerMonth: config.questionsPerMonth,
    answerTargetHours: config.answerTargetHours,
  };
  const minuteJobs = () => {
    const db = ctx.database.db;
    Promise.all([
      sendTrialReminders(db, ctx.mailer, { name: site.name, url: site.url }, config.trialReminderHours, ctx.clock),
      pruneAccountData(db, ctx.clock, config.sessionIdleMs),
      returnOverdueAllowances(askingDeps),
      pruneAskDrafts(db, ctx.clock),
      billing
        ? reconcileDaily(billing).then((r) => {
            if (r) app.log.info(r, 'daily billing reconcile');
          })
        : null,
    ]).catch((err) => app.log.error({ err }, 'minute jobs failed'));
  };
  if (deps.jobs !== false) {
    const timer = setInterval(minuteJobs, 60_000);
    timer.unref();
    app.addHook('onClose', async () => clearInterval(timer));
  }
  if (redis) {
    const client = redis;
    app.addHook('onClose', async () => {
      await client.quit().catch(() => {});
    });
  }

  app.get('/healthz', async (_request, reply) => {
    try {
      await ctx.database.ping();
      return reply.header('cache-control', 'no-store').send({ status: 'ok', database: ctx.database.engine });
    } catch (err) {
      app.log.error({ err }, 'health check: database did not answer');
      return reply.code(503).header('cache-control', 'no-store').send({ status: 'unavailable', database: ctx.database.engine });
    }
  });

  app.get<{ Params: { file: string } }>('/static/:file', async (request, reply) => {
    const asset = assets.get(`/static/${request.params.file}`);
    if (!asset) return sendHtml(reply, errorPage(site, 404), 404);
    if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
    return reply
      .header('content-type', asset.contentType)
      .header('cache-control', 'public, max-age=31536000, immutable')
      .header('etag', asset.etag)
      .send(asset.body);
  });
  app.get('/favicon.ico', async (_request, reply) => reply.redirect(site.faviconUrl, 301));

  await app.register(homeRoutes(ctx));
  await app.register(subjectRoutes(ctx));
  await app.register(questionRoutes(ctx));
  await app.register(searchRoutes(ctx));
  await app.register(typeaheadRoutes(ctx));
  await app.register(reachRoutes(ctx));
  await app.register(authRoutes(ctx));
  await app.register(accountFlowRoutes(ctx));
  await app.register(accountRoutes(ctx));
  await app.register(adminUserRoutes(ctx));
  await app.register(twoFactorRoutes(ctx));
  await app.register(setupRoutes(ctx));
  await app.register(applicationRoutes(ctx));
  await app.register(membershipRoutes(ctx));
  if (billing) await app.register(stripeWebhookRoutes(billing));
  await app.register(adsRoutes(ctx));
  await app.register(askingRoutes(ctx));
  await app.register(notificationRoutes(ctx));
  await app.register(outboxRoutes(ctx));
  await app.register(guideRoutes(ctx));
  return app;
}
