// robots.txt as a pure function of the site URL.
//
// Crawlers may read every public page: questions, subjects, the membership page, static files (a page is rendered
// with its CSS). What is kept out is either personal (account, notifications), staff work (educator queue, editor
// review, admin), or a form or one-time link that has nothing to index and only costs a request (sign-in, sign-up,
// resets, trial buttons, webhooks, the suggestions endpoint). Search pages stay crawlable (their canonical URL and description say what
// they are), as Lighthouse's SEO audit expects of every public page. robots.txt is advice, not access control; every one of these paths
// checks its viewer on the server.
//
// Matching is by prefix, so `/login` also covers /login/code, /login/2fa and /login/link.
export const DISALLOWED_PATHS: readonly string[] = [
  '/account',
  '/admin',
  '/editor',
  '/educator',
  '/apply',
  '/ask',
  '/notifications',
  '/report',
  '/login',
  '/logout',
  '/signup',
  '/verify',
  '/reset',
  '/setup',
  // /membership itself (what members get) stays open; below it are the trial, cancel and Stripe-return steps.
  '/membership/',
  '/webhooks/',
  '/healthz',
  // The search boxes' suggestions: JSON for a script, with nothing a search page does not already link.
  '/search/suggest',
];

/**
 * Public pages under a disallowed prefix: educators' profiles (/educators/12-…) begin with /educator, the queue. The
 * longest matching rule wins (RFC 9309, 2.2.2), so these Allow lines open them again.
 */
export const ALLOWED_UNDER_DISALLOWED: readonly string[] = ['/educators/'];

/**
 * @param siteUrl the site's absolute URL (origin plus an optional path, without a trailing slash)
 * @param sitemapUrl absolute URL of the sitemap index
 */
export function buildRobots(siteUrl: string, sitemapUrl: string): string {
  // robots.txt paths are relative to the host; a site served under a path prefix has its pages under it.
  const prefix = new URL(siteUrl).pathname.replace(/\/+$/, '');
  const lines = [
    'User-agent: *',
    ...DISALLOWED_PATHS.map((p) => `Disallow: ${prefix}${p}`),
    ...ALLOWED_UNDER_DISALLOWED.map((p) => `Allow: ${prefix}${p}`),
    `Allow: ${prefix}/`,
    '',
    `Sitemap: ${sitemapUrl}`,
    '',
  ];
  return lines.join('\n');
}
