/**
 * Where to send someone after a form (`next`): only a path on this site. `//evil.example`, `/\evil.example` and
 * absolute URLs become `/`, so no link can turn the site into an open redirect.
 */
export function sameSitePath(raw: unknown): string {
  if (typeof raw !== 'string' || raw.length > 500) return '/';
  return /^\/(?![/\\])[\x21-\x7e]*$/.test(raw) ? raw : '/';
}
