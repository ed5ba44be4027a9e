// The admin dashboard's rules, as pure functions: which ranges it shows, how a range becomes UTC days, how answer
// times are summarised, and how a series is written as CSV.

/** The ranges the dashboard offers, in days ending today (UTC). */
export const RANGES = [7, 30, 90] as const;
export type RangeDays = (typeof RANGES)[number];
export const DEFAULT_RANGE: RangeDays = 30;

/**
 * Answer times read for the percentiles at most (the newest answered first). Ninety days of a busy site fit; past it
 * the page says the figures are of the newest ones.
 */
export const ANSWER_TIME_ROWS = 20_000;

/** Zero-result searches listed. */
export const TOP_MISSES = 20;

/** The states of an asked question still waiting for its answer (asking/lifecycle.ts: open, not closed or rejected). */
export const WAITING = ['queued', 'claimed', 'drafted', 'in_review'] as const;

/**
 * The range asked for: 7, 30 or 90. Anything else (a typo, a hand-edited address) shows the default, and says so,
 * rather than refusing the page.
 */
export function readRange(raw: string | undefined): { days: RangeDays; unknown: string | null } {
  if (raw === undefined || raw === '') return { days: DEFAULT_RANGE, unknown: null };
  const found = RANGES.find((r) => String(r) === raw.trim());
  return found ? { days: found, unknown: null } : { days: DEFAULT_RANGE, unknown: raw };
}

/** YYYY-MM-DD of an instant, in UTC. */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** The `count` UTC days ending with today, oldest first, and the instant the first one starts. */
export function daysEnding(now: Date, count: number): { days: string[]; from: Date } {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const days: string[] = [];
  for (let i = count - 1; i >= 0; i--) days.push(utcDay(new Date(today - i * 86_400_000)));
  return { days, from: new Date(today - (count - 1) * 86_400_000) };
}

/** Counts by day laid on the range's days: a day with no row is 0, a row outside the range is left out. */
export function perDay(days: readonly string[], rows: ReadonlyArray<{ day: string; n: number }>): number[] {
  const byDay = new Map(rows.map((r) => [r.day, r.n]));
  return days.map((d) => byDay.get(d) ?? 0);
}

/**
 * The nearest-rank percentile of sorted values: the smallest value that at least `p` of them do not exceed. It is
 * always a time some question actually took, so "9 in 10 were answered within the 90th percentile" holds as said
 * (an interpolated figure can sit between two answers and promise more than happened). Null for no values.
 */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] as number;
}

/** What the answer times of a set of questions say: how many, the median, the 90th percentile, and how many met the target. */
export interface AnswerTimeSummary {
  count: number;
  medianHours: number | null;
  p90Hours: number | null;
  withinTarget: number;
}

export function summariseHours(hours: readonly number[], targetHours: number): AnswerTimeSummary {
  const sorted = [...hours].sort((a, b) => a - b);
  return {
    count: sorted.length,
    medianHours: percentile(sorted, 0.5),
    p90Hours: percentile(sorted, 0.9),
    withinTarget: sorted.filter((h) => h <= targetHours).length,
  };
}

/** "45 min", "5.5 h", "2 d 3 h": hours as a person reads a wait. */
export function formatHours(hours: number | null): string {
  if (hours === null) return 'none yet';
  if (hours < 1) return `${Math.round(hours * 60)} min`;
  if (hours < 48) return `${(Math.round(hours * 10) / 10).toLocaleString('en-US')} h`;
  const whole = Math.round(hours);
  const d = Math.floor(whole / 24);
  const h = whole % 24;
  return h === 0 ? `${d} d` : `${d} d ${h} h`;
}

/** A share as a whole percentage ("67%"), or a dash when there is nothing to divide by. */
export function formatShare(part: number, whole: number): string {
  return whole === 0 ? '–' : `${Math.round((part / whole) * 100)}%`;
}

/** The series the dashboard offers as CSV, by the name the address uses. */
export const SERIES = ['asked', 'answered', 'answer-time', 'trials', 'cancellations', 'zero-result-searches'] as const;
export type SeriesName = (typeof SERIES)[number];

export function isSeries(raw: string | undefined): raw is SeriesName {
  return raw !== undefined && (SERIES as readonly string[]).includes(raw);
}

export type CsvCell = string | number | null;

/**
 * One CSV field (RFC 4180): quoted when it holds a quote, comma or line break, quotes doubled. Text that a
 * spreadsheet would run as a formula (starting with = + - @, a tab or a carriage return) is prefixed with an
 * apostrophe: searches are typed by anyone, and the file is opened by an admin.
 */
export function csvField(value: CsvCell): string {
  if (value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Rows as CSV text, a header first, lines ended with CRLF as RFC 4180 has it. */
export function toCsv(header: readonly string[], rows: ReadonlyArray<readonly CsvCell[]>): string {
  return [header, ...rows].map((row) => `${row.map(csvField).join(',')}\r\n`).join('');
}

/** Hours rounded to two decimals for a file (a spreadsheet reads them as numbers). */
export function roundHours(hours: number | null): number | null {
  return hours === null ? null : Math.round(hours * 100) / 100;
}
