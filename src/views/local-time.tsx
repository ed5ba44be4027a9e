import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { formatDate } from '../lib/time.ts';

/**
 * Whether the page being rendered shows a time: the layout provides one of these per render and, after the page's
 * content, links public/time.js only when a LocalTime or LocalDate set it, so pages without times load no script
 * for them. Rendering is synchronous and in document order, so the flag is final by the time the layout's tail
 * reads it.
 */
export const PageTimes = createContext<{ used: boolean } | null>(null);

/**
 * An instant as the server can honestly say it, in UTC ("December 4, 2026, 22:04 UTC"), inside a <time> element
 * whose datetime attribute public/time.js reads to say it again in the reader's own time zone. Without the script
 * (or JavaScript) the UTC text stays, and is still right.
 *
 * `show`: the date and the time (default), or the time of day alone (for an instant within the hour).
 * `relative`: a deadline or an expected time, which the script follows with how far off it is ("in 3 hours").
 */
export function LocalTime(props: { iso: string; show?: 'datetime' | 'time'; relative?: boolean }) {
  const page = useContext(PageTimes);
  if (page) page.used = true;
  const show = props.show ?? 'datetime';
  const clock = `${props.iso.slice(11, 16)} UTC`;
  return (
    <time datetime={props.iso} data-show={show} data-relative={props.relative ? '' : undefined}>
      {show === 'time' ? clock : `${formatDate(props.iso)}, ${clock}`}
    </time>
  );
}

/**
 * The day of an event ("Asked December 4, 2026"), said as the server can honestly say it, the day in UTC, inside a
 * <time> element that public/time.js rewrites to the day in the reader's time zone (a question asked at 23:30 UTC
 * was asked on the 5th in Tokyo and still on the 4th in New York). Without the script the UTC day stays.
 */
export function LocalDate(props: { iso: string }) {
  const page = useContext(PageTimes);
  if (page) page.used = true;
  return (
    <time datetime={props.iso} data-show="date">
      {formatDate(props.iso)}
    </time>
  );
}
