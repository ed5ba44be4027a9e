import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { formatDate } from '../lib/time.ts';

/**
 * Whether the page being rendered shows a time: the layout provides one of these per render and, after the page's
 * content, links public/time.js only when a LocalTime set it, so pages without times load no script for them.
 * Rendering is synchronous and in document order, so the flag is final by the time the layout's tail reads it.
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
