/** The source of "now"; tests pass a fixed or stepping clock. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export function isoNow(clock: Clock = systemClock): string {
  return clock.now().toISOString();
}

const dateFormat = new Intl.DateTimeFormat('en-US', { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' });

const formatted = new Map<string, string>();

/** "November 26, 2026" from an ISO timestamp (memoised by day: Intl formatting is slow and days repeat). */
export function formatDate(iso: string): string {
  const day = iso.slice(0, 10);
  let out = formatted.get(day);
  if (out === undefined) {
    out = dateFormat.format(new Date(iso));
    if (formatted.size > 10_000) formatted.clear();
    formatted.set(day, out);
  }
  return out;
}

/** The latest of ISO-8601 UTC timestamps (they sort as text), or `floor` when none is later. */
export function latestIso(values: Iterable<string>, floor = ''): string {
  let latest = floor;
  for (const v of values) if (v > latest) latest = v;
  return latest;
}
