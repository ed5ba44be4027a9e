// Times in the reader's own time zone. The server writes every time in UTC inside <time datetime="…Z">
// (src/views/local-time.tsx), which is right but makes the reader do the sums; this says it again in the zone the
// browser is set to, with the zone named, and adds how far off a deadline is ("in 3 hours"). The day of an event
// ("Asked December 4, 2026": data-show="date") becomes the day it was where the reader is, which near midnight UTC
// is the day before or after. Without it the UTC text stays.
(() => {
  const times = document.querySelectorAll('time[datetime][data-show]');
  if (times.length === 0) return;
  // The pages are English: English words in the reader's English (en-GB writes 4 December, 17:04), else en-US's.
  const locale = (navigator.languages || [navigator.language]).find((l) => /^en(-|$)/i.test(l)) || 'en-US';
  // Each formatter is made the first time a time asks for it: making one loads the browser's locale data, the most
  // costly part of this script, and most pages show one kind of time only.
  const OPTIONS = {
    datetime: { year: 'numeric', month: 'long', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'short' },
    time: { hour: 'numeric', minute: '2-digit', timeZoneName: 'short' },
    date: { year: 'numeric', month: 'long', day: 'numeric' },
  };
  const made = {};
  const formatFor = (show) => {
    const kind = Object.hasOwn(OPTIONS, show) ? show : 'datetime';
    made[kind] ??= new Intl.DateTimeFormat(locale, OPTIONS[kind]);
    return made[kind];
  };
  let relativeFormat;
  const relative = () => {
    relativeFormat ??= new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
    return relativeFormat;
  };
  const UNITS = [
    ['day', 86_400_000, 2],
    ['hour', 3_600_000, 2],
    ['minute', 60_000, 1],
  ];

  /** "in 3 hours", "2 days ago", "now": the largest unit that fits, rounded as people say it. */
  const howFar = (ms) => {
    for (const [unit, size, least] of UNITS) {
      if (Math.abs(ms) >= least * size) return relative().format(Math.round(ms / size), unit);
    }
    return relative().format(0, 'second');
  };

  const render = () => {
    const now = Date.now();
    for (const el of times) {
      const at = new Date(el.getAttribute('datetime'));
      if (Number.isNaN(at.getTime())) continue;
      const format = formatFor(el.dataset.show);
      // The server's UTC wording stays available on hover (a day says which day it was in UTC).
      if (!el.title) el.title = el.dataset.show === 'date' ? `${el.textContent} (UTC)` : el.textContent;
      const local = format.format(at);
      el.textContent = el.hasAttribute('data-relative') ? `${local} (${howFar(at.getTime() - now)})` : local;
    }
  };
  render();
  // "in 3 hours" goes stale on a page left open; say it again each minute.
  if (document.querySelector('time[data-relative]')) setInterval(render, 60_000);
})();
