import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';

/**
 * Every setting Scholia reads from the environment, parsed once at start.
 * A bad value stops the start with one line naming the variable (see .env.example).
 */
export interface Config {
  readonly port: number;
  readonly host: string;
  readonly siteUrl: string;
  readonly siteName: string;
  readonly dataDir: string;
  /** `sqlite` (a file under dataDir, or DATABASE_URL=sqlite:/path) or `postgres`. */
  readonly database:
    | { readonly engine: 'sqlite'; readonly file: string }
    | { readonly engine: 'postgres'; readonly url: string; readonly poolSize: number };
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /**
   * Which proxies in front of Scholia are believed about the client's address (X-Forwarded-For): false, none; a
   * number, that many hops next to the server; a list, those addresses and CIDR ranges. The client's address is
   * the rightmost entry not written by a trusted proxy, as Fastify's trustProxy takes it.
   */
  readonly trustProxy: false | number | readonly string[];
  readonly shutdownTimeoutMs: number;
  /** redis:// or rediss:// URL: sign-in lockouts and hourly limits live there instead of the database. */
  readonly redisUrl: string | null;
  /** Length of the free trial. */
  readonly trialHours: number;
  /** How long before a trial ends its reminder mail goes out. */
  readonly trialReminderHours: number;
  /** Words of the expert answer that readers without membership see. */
  readonly paywallPreviewWords: number;
  /** smtp:// or smtps:// URL of the mail server; absent: mail goes to the outbox table (/admin/outbox). */
  readonly smtpUrl: string | null;
  readonly mailFrom: string;
  /** A session ends after this long without a request. */
  readonly sessionIdleMs: number;
  /** A session ends this long after sign-in, whatever the activity. */
  readonly sessionAbsoluteMs: number;
  /** Memory for visitors' rendered question pages (0 turns the cache off). */
  readonly pageCacheBytes: number;
  /** Longest a cached page may be served; edits show at once regardless (see lib/page-cache.ts). */
  readonly pageCacheTtlMs: number;
  /**
   * Responses compressed with brotli or gzip as the browser accepts (platform/compression.ts); false (COMPRESSION=off)
   * where a proxy in front compresses instead.
   */
  readonly compression: boolean;
  /** Questions a member may ask each calendar month (UTC). */
  readonly questionsPerMonth: number;
  /** Hours after asking within which an answer is expected; past it the question no longer counts against the allowance. */
  readonly answerTargetHours: number;
  /** Stripe mode when set (trials through Checkout with a card, webhooks drive the state); null: local mode. */
  readonly stripe: StripeSettings | null;
  /**
   * https origins (`https://ads.example.net`) an ad network's snippet may load scripts, frames and images from; the
   * content security policy allows them. Empty: network snippets cannot be added and the policy stays 'self' only.
   */
  readonly adSnippetOrigins: readonly string[];
  /** Photos on questions, answers and guides (modules/images). */
  readonly images: ImageSettings;
  /** Who may read /metrics (platform/metrics.ts). */
  readonly metrics: MetricsAccess;
}

export interface MetricsAccess {
  /** METRICS_TOKEN: `Authorization: Bearer <token>` reads /metrics from any address; null: no token is accepted. */
  readonly token: string | null;
  /** METRICS_ALLOW: addresses and CIDR ranges that read /metrics without a token (default: loopback only). */
  readonly allow: readonly string[];
}

export type ImageSettings = ImageLimitSettings & ImageStoreSettings;

export interface ImageLimitSettings {
  /** Largest upload taken, in bytes. */
  readonly maxBytes: number;
  /** Most pixels (width × height) an upload may hold; checked from its header before it is decoded. */
  readonly maxPixels: number;
  /** Most images one question may carry. */
  readonly maxPerQuestion: number;
}

/**
 * Where the images' files are kept: `files` under dataDir/images; `database` (the blobs table), for several app
 * servers sharing PostgreSQL without a shared disk; or `s3`, a bucket of AWS S3 or an S3-compatible store.
 */
export type ImageStoreSettings = { readonly store: 'files' | 'database' } | { readonly store: 's3'; readonly s3: S3Settings };

export interface S3Settings {
  readonly bucket: string;
  readonly region: string;
  /** An S3-compatible store's address (MinIO, R2, ...); null: AWS's own endpoint for the region. */
  readonly endpoint: string | null;
  /** Bucket in the path (`host/bucket/key`) rather than the host name (`bucket.host/key`); MinIO needs it. */
  readonly forcePathStyle: boolean;
  /** null: the SDK's default chain (AWS_* variables, shared config files, an instance or container role). */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string } | null;
  /** Put before every blob key: empty, or ending in `/` (e.g. `scholia/images/`). */
  readonly prefix: string;
}

export interface StripeSettings {
  readonly secretKey: string;
  readonly webhookSecret: string;
  /** Where the Stripe API is reached: api.stripe.com unless a stand-in (stripe-mock, tests) is named. */
  readonly api: { readonly host: string; readonly port: number; readonly protocol: 'http' | 'https' } | null;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** Reads NAME, or the file named by NAME_FILE (for secrets mounted as files). */
function read(env: Env, name: string): string | undefined {
  const fileVar = env[`${name}_FILE`];
  if (fileVar !== undefined && fileVar !== '') {
    try {
      return readFileSync(fileVar, 'utf8').trim();
    } catch {
      throw new ConfigError(`${name}_FILE`, `cannot read the file ${JSON.stringify(fileVar)}`);
    }
  }
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got ${JSON.stringify(raw)}`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${n}`);
  return n;
}

function oneOf<T extends string>(env: Env, name: string, fallback: T, allowed: readonly T[]): T {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got ${JSON.stringify(raw)}`);
  }
  return raw as T;
}

function httpUrl(env: Env, name: string, fallback: string): string {
  const raw = read(env, name) ?? fallback;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, `must be an absolute URL such as https://example.org, got ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(name, `must start with http:// or https://, got ${JSON.stringify(raw)}`);
  }
  return url.origin + url.pathname.replace(/\/+$/, '');
}

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * TRUST_PROXY: off (unset, false, 0), a hop count (1 for one nginx in front), or a comma-separated list of proxy
 * addresses and CIDR ranges (and the names loopback, linklocal, uniquelocal). A bare `true` is refused: it would
 * believe the leftmost X-Forwarded-For entry, which the client writes itself, so anyone could pick their address
 * and walk past per-address limits and lockouts.
 */
function trustProxy(env: Env): false | number | readonly string[] {
  const raw = read(env, 'TRUST_PROXY');
  if (raw === undefined) return false;
  const v = raw.trim().toLowerCase();
  if (['', '0', 'false', 'no', 'off'].includes(v)) return false;
  if (['true', 'yes', 'on'].includes(v))
    throw new ConfigError(
      'TRUST_PROXY',
      'true would believe any address a client writes into X-Forwarded-For; give the number of proxies in front of Scholia (e.g. 1) or their addresses (e.g. 127.0.0.1,10.0.0.0/8)',
    );
  if (/^\d+$/.test(v)) {
    const hops = Number(v);
    if (hops > 32) throw new ConfigError('TRUST_PROXY', `must be a number of proxy hops from 0 to 32, got ${hops}`);
    return hops;
  }
  const entries = v
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  for (const entry of entries) {
    if (PROXY_NAMES.has(entry)) continue;
    const [address = '', prefix, ...extra] = entry.split('/');
    const family = isIP(address);
    const bits = family === 4 ? 32 : 128;
    const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= bits);
    if (family === 0 || !prefixOk || extra.length > 0)
      throw new ConfigError(
        'TRUST_PROXY',
        `${JSON.stringify(entry)} is not an address or CIDR range; give a hop count (e.g. 1) or addresses such as 127.0.0.1,10.0.0.0/8`,
      );
  }
  return Object.freeze(entries);
}

/** COMPRESSION: on (the default) or off. */
function compression(env: Env): boolean {
  const raw = read(env, 'COMPRESSION');
  if (raw === undefined || raw.toLowerCase() === 'on') return true;
  if (raw.toLowerCase() === 'off') return false;
  throw new ConfigError(
    'COMPRESSION',
    `must be on or off (off when a proxy in front of Scholia already compresses responses), got ${JSON.stringify(raw)}`,
  );
}

function redisUrl(env: Env): string | null {
  const raw = read(env, 'REDIS_URL');
  if (raw === undefined) return null;
  try {
    const u = new URL(raw);
    if (u.protocol === 'redis:' || u.protocol === 'rediss:') return raw;
  } catch {}
  throw new ConfigError('REDIS_URL', 'must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379');
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  const v = raw.toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  throw new ConfigError(name, `must be true or false, got ${JSON.stringify(raw)}`);
}

/**
 * IMAGE_STORE and, for `s3`, the bucket's S3_* settings. PostgreSQL is the path to several app servers, which need
 * not share a disk: their images go to the database unless told otherwise. SQLite is one server with its disk.
 */
function imageStore(env: Env, engine: 'sqlite' | 'postgres'): ImageStoreSettings {
  const store = oneOf(env, 'IMAGE_STORE', engine === 'postgres' ? 'database' : 'files', ['files', 'database', 's3'] as const);
  const bucket = read(env, 'S3_BUCKET');
  if (store !== 's3') {
    // A bucket named and not used would keep the images on one server's disk while its operator believes them shared.
    if (bucket !== undefined)
      throw new ConfigError(
        'IMAGE_STORE',
        `is ${store}, yet S3_BUCKET is set: set IMAGE_STORE=s3 to keep images in the bucket, or unset S3_BUCKET`,
      );
    return Object.freeze({ store });
  }
  if (bucket === undefined) throw new ConfigError('S3_BUCKET', 'must name the bucket the images go to when IMAGE_STORE=s3');
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{2,254}$/.test(bucket))
    throw new ConfigError(
      'S3_BUCKET',
      `must be a bucket name such as scholia-images, not a URL or a path (a key prefix goes in S3_PREFIX), got ${JSON.stringify(bucket)}`,
    );
  const region = read(env, 'S3_REGION') ?? 'us-east-1';
  if (!/^[a-z0-9-]{2,40}$/.test(region))
    throw new ConfigError('S3_REGION', `must be a region such as us-east-1 (or auto for R2), got ${JSON.stringify(region)}`);
  const rawEndpoint = read(env, 'S3_ENDPOINT');
  let endpoint: string | null = null;
  if (rawEndpoint !== undefined) {
    let u: URL | undefined;
    try {
      u = new URL(rawEndpoint);
    } catch {}
    if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:'))
      throw new ConfigError('S3_ENDPOINT', 'must be an http:// or https:// URL such as http://127.0.0.1:9000');
    // Never echo it: it was meant not to hold keys, and may.
    if (u.username !== '' || u.password !== '')
      throw new ConfigError('S3_ENDPOINT', 'must not hold a user name or password: set S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY');
    endpoint = u.origin + u.pathname.replace(/\/+$/, '');
  }
  // Never echo either key: the secret is a secret, and an access key id names the account.
  const accessKeyId = read(env, 'S3_ACCESS_KEY_ID');
  const secretAccessKey = read(env, 'S3_SECRET_ACCESS_KEY');
  if (accessKeyId === undefined && secretAccessKey !== undefined)
    throw new ConfigError(
      'S3_ACCESS_KEY_ID',
      "must be set together with S3_SECRET_ACCESS_KEY (or leave both unset for the SDK's own credentials)",
    );
  if (accessKeyId !== undefined && secretAccessKey === undefined)
    throw new ConfigError(
      'S3_SECRET_ACCESS_KEY',
      "must be set together with S3_ACCESS_KEY_ID (or leave both unset for the SDK's own credentials)",
    );
  const rawPrefix = (read(env, 'S3_PREFIX') ?? '').replace(/^\/+/, '');
  // Empty, '.' and '..' segments are refused too: some HTTP layers tidy them out of a path-style address.
  if (rawPrefix !== '' && (!/^[A-Za-z0-9._\-/]{1,200}$/.test(rawPrefix) || /(^|\/)\.{0,2}(\/|$)/.test(rawPrefix.replace(/\/$/, ''))))
    throw new ConfigError(
      'S3_PREFIX',
      `must be folder names of letters, digits, '.', '_' and '-' separated by single slashes (e.g. scholia/images/), got ${JSON.stringify(rawPrefix)}`,
    );
  const prefix = rawPrefix === '' || rawPrefix.endsWith('/') ? rawPrefix : `${rawPrefix}/`;
  return Object.freeze({
    store,
    s3: Object.freeze({
      bucket,
      region,
      endpoint,
      forcePathStyle: bool(env, 'S3_FORCE_PATH_STYLE', false),
      credentials: accessKeyId !== undefined && secretAccessKey !== undefined ? Object.freeze({ accessKeyId, secretAccessKey }) : null,
      prefix,
    }),
  });
}

function smtpUrl(env: Env): string | null {
  const raw = read(env, 'SMTP_URL');
  if (raw === undefined) return null;
  try {
    const u = new URL(raw);
    if (u.protocol === 'smtp:' || u.protocol === 'smtps:') return raw;
  } catch {}
  // Never echo the value: it may hold a password.
  throw new ConfigError('SMTP_URL', 'must be an smtp:// or smtps:// URL, e.g. smtp://user:pass@mail.example.org:587');
}

function stripeSettings(env: Env, trialHours: number): StripeSettings | null {
  const secretKey = read(env, 'STRIPE_SECRET_KEY');
  const webhookSecret = read(env, 'STRIPE_WEBHOOK_SECRET');
  if (secretKey === undefined && webhookSecret === undefined) return null;
  // Never echo either value: they are secrets.
  if (secretKey === undefined) throw new ConfigError('STRIPE_SECRET_KEY', 'must be set together with STRIPE_WEBHOOK_SECRET');
  if (!/^(sk|rk)_(test|live)_\S+$/.test(secretKey))
    throw new ConfigError('STRIPE_SECRET_KEY', 'must be a Stripe secret or restricted key (sk_test_…, sk_live_…)');
  if (webhookSecret === undefined) throw new ConfigError('STRIPE_WEBHOOK_SECRET', 'must be set together with STRIPE_SECRET_KEY');
  if (!/^whsec_\S+$/.test(webhookSecret)) throw new ConfigError('STRIPE_WEBHOOK_SECRET', 'must be a webhook signing secret (whsec_…)');
  // Stripe Checkout refuses a trial that ends less than 48 hours after the checkout.
  if (trialHours < 48)
    throw new ConfigError('TRIAL_HOURS', `must be at least 48 with Stripe (Checkout's shortest trial), got ${trialHours}`);
  const rawApi = read(env, 'STRIPE_API_URL');
  let api: StripeSettings['api'] = null;
  if (rawApi !== undefined) {
    let u: URL;
    try {
      u = new URL(rawApi);
    } catch {
      throw new ConfigError('STRIPE_API_URL', `must be a URL such as http://127.0.0.1:12111, got ${JSON.stringify(rawApi)}`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new ConfigError('STRIPE_API_URL', 'must start with http:// or https://');
    const protocol = u.protocol === 'http:' ? 'http' : 'https';
    api = { host: u.hostname, port: u.port ? Number(u.port) : protocol === 'http' ? 80 : 443, protocol };
  }
  return Object.freeze({ secretKey, webhookSecret, api: api ? Object.freeze(api) : null });
}

/** AD_SNIPPET_ORIGINS: comma-separated https origins, each exactly a scheme, host and optional port. */
function adSnippetOrigins(env: Env): readonly string[] {
  const raw = read(env, 'AD_SNIPPET_ORIGINS');
  if (raw === undefined) return Object.freeze([]);
  const origins = new Set<string>();
  for (const entry of raw.split(',').map((e) => e.trim())) {
    if (entry === '') continue;
    const bad = (why: string) =>
      new ConfigError(
        'AD_SNIPPET_ORIGINS',
        `${JSON.stringify(entry)} ${why}; list https origins such as https://ads.example.net, separated by commas`,
      );
    let url: URL;
    try {
      url = new URL(entry);
    } catch {
      throw bad('is not a URL');
    }
    if (url.protocol !== 'https:') throw bad('must use https');
    // The CSP would take a wildcard, but snippets are checked against exact origins: list each host instead.
    if (url.hostname.includes('*')) throw bad('must name one host, not a wildcard');
    // Letters, digits, dots and dashes only (IDNs arrive as punycode): the origin goes verbatim into the CSP header,
    // where a ';' or a quote would change the policy.
    if (!/^([a-z0-9-]+\.)*[a-z0-9-]+$|^\[[0-9a-f:.]+\]$/.test(url.hostname)) throw bad('has a host name that is not valid');
    if (url.username !== '' || url.password !== '') throw bad('must not hold a user name or password');
    // An origin has no path, query or fragment; a lone trailing slash (as browsers show it) is forgiven.
    if (url.pathname !== '/' || /[?#]/.test(entry)) throw bad('must be an origin alone, with no path');
    origins.add(url.origin);
  }
  return Object.freeze([...origins]);
}

/**
 * METRICS_TOKEN and METRICS_ALLOW. The token is a secret, so no message echoes it; it must be long enough that
 * guessing it over HTTP is hopeless. METRICS_ALLOW=none leaves the token as the only way in.
 */
function metricsAccess(env: Env): MetricsAccess {
  const token = read(env, 'METRICS_TOKEN') ?? null;
  if (token !== null && (token.length < 32 || token.length > 512 || !/^[\x21-\x7e]+$/.test(token)))
    throw new ConfigError('METRICS_TOKEN', 'must be 32 to 512 printable characters with no spaces; make one with: openssl rand -hex 32');
  const raw = read(env, 'METRICS_ALLOW');
  if (raw === undefined) return Object.freeze({ token, allow: Object.freeze(['127.0.0.1', '::1']) });
  if (raw.toLowerCase() === 'none') return Object.freeze({ token, allow: Object.freeze([]) });
  const allow: string[] = [];
  for (const entry of raw.split(',').map((e) => e.trim())) {
    if (entry === '') continue;
    const [address = '', prefix, ...extra] = entry.split('/');
    const family = isIP(address);
    const bits = family === 4 ? 32 : 128;
    const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= bits);
    if (family === 0 || !prefixOk || extra.length > 0)
      throw new ConfigError(
        'METRICS_ALLOW',
        `${JSON.stringify(entry)} is not an address or CIDR range; list addresses such as 127.0.0.1,::1,10.0.0.0/8, or none`,
      );
    allow.push(entry.toLowerCase());
  }
  return Object.freeze({ token, allow: Object.freeze(allow) });
}

export function loadConfig(env: Env = process.env, cwd: string = process.cwd()): Config {
  const port = int(env, 'PORT', 3000, 1, 65535);
  const host = read(env, 'HOST') ?? 'localhost';
  const dataDir = path.resolve(cwd, read(env, 'DATA_DIR') ?? 'data');
  const siteUrl = httpUrl(env, 'SITE_URL', `http://localhost:${port}`);
  const siteName = read(env, 'SITE_NAME') ?? 'Scholia';

  const dbUrl = read(env, 'DATABASE_URL');
  let database: Config['database'];
  if (dbUrl === undefined) {
    database = { engine: 'sqlite', file: path.join(dataDir, 'scholia.db') };
  } else if (/^postgres(ql)?:\/\//i.test(dbUrl)) {
    try {
      new URL(dbUrl);
    } catch {
      throw new ConfigError('DATABASE_URL', 'is not a valid postgres:// URL');
    }
    database = { engine: 'postgres', url: dbUrl, poolSize: int(env, 'DATABASE_POOL_SIZE', 10, 1, 500) };
  } else if (/^sqlite:/i.test(dbUrl)) {
    const file = dbUrl.replace(/^sqlite:(\/\/)?/i, '');
    if (file === '') throw new ConfigError('DATABASE_URL', 'sqlite: needs a file path, e.g. sqlite:./data/scholia.db');
    database = { engine: 'sqlite', file: file === ':memory:' ? file : path.resolve(cwd, file) };
  } else {
    // Never echo the value: it may hold a password.
    throw new ConfigError('DATABASE_URL', 'must start with postgres://, postgresql:// or sqlite:');
  }

  const trialHours = int(env, 'TRIAL_HOURS', 48, 1, 24 * 90);
  return Object.freeze({
    port,
    host,
    siteUrl,
    siteName,
    dataDir,
    database: Object.freeze(database),
    logLevel: oneOf(env, 'LOG_LEVEL', 'info', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const),
    trustProxy: trustProxy(env),
    shutdownTimeoutMs: int(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
    trialHours,
    trialReminderHours: int(env, 'TRIAL_REMINDER_HOURS', 6, 1, 24 * 30),
    paywallPreviewWords: int(env, 'PAYWALL_PREVIEW_WORDS', 80, 0, 1000),
    redisUrl: redisUrl(env),
    smtpUrl: smtpUrl(env),
    mailFrom: read(env, 'MAIL_FROM') ?? `${siteName} <no-reply@${new URL(siteUrl).hostname}>`,
    sessionIdleMs: int(env, 'SESSION_IDLE_HOURS', 24, 1, 24 * 90) * 3600_000,
    sessionAbsoluteMs: int(env, 'SESSION_ABSOLUTE_DAYS', 30, 1, 365) * 86_400_000,
    pageCacheBytes: int(env, 'PAGE_CACHE_MB', 256, 0, 65_536) * 1024 * 1024,
    pageCacheTtlMs: int(env, 'PAGE_CACHE_TTL_SECONDS', 300, 1, 86_400) * 1000,
    compression: compression(env),
    questionsPerMonth: int(env, 'QUESTIONS_PER_MONTH', 20, 0, 10_000),
    answerTargetHours: int(env, 'ANSWER_TARGET_HOURS', 24, 1, 24 * 60),
    stripe: stripeSettings(env, trialHours),
    adSnippetOrigins: adSnippetOrigins(env),
    images: Object.freeze({
      maxBytes: int(env, 'IMAGE_MAX_BYTES', 10 * 1024 * 1024, 10 * 1024, 100 * 1024 * 1024),
      // Up to libvips' own default limit (16,383 squared); the header check runs first whatever the value.
      maxPixels: int(env, 'IMAGE_MAX_PIXELS', 40_000_000, 1_000_000, 268_402_689),
      maxPerQuestion: int(env, 'IMAGE_MAX_PER_QUESTION', 4, 0, 20),
      ...imageStore(env, database.engine),
    }),
    metrics: metricsAccess(env),
  });
}
