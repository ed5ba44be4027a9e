// Charts drawn on the server as SVG: no script, nothing to load. Each is one image to assistive technology (role
// "img", named by its title and described by a sentence of totals), and the figures it draws are in a table beside
// it, so nothing is only in the picture. Colours come from the stylesheet's variables, so dark mode follows.

const WIDTH = 640;
const HEIGHT = 220;
const PAD = { left: 44, right: 12, top: 12, bottom: 26 };
const PLOT_W = WIDTH - PAD.left - PAD.right;
const PLOT_H = HEIGHT - PAD.top - PAD.bottom;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "Nov 26" from YYYY-MM-DD. */
export function shortDay(day: string): string {
  return `${MONTHS[Number(day.slice(5, 7)) - 1] ?? ''} ${Number(day.slice(8, 10))}`;
}

/** A top for the y axis at or above `max` and four or so round steps to it (whole steps for counts). */
export function axisTicks(max: number, whole: boolean): number[] {
  const raw = Math.max(max, whole ? 1 : 0.5) / 4;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  let step = ([1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw) as number;
  if (whole) step = Math.max(1, Math.round(step));
  const top = Math.ceil(max / step) * step || step;
  const ticks: number[] = [];
  for (let v = 0; v <= top + step / 1000; v += step) ticks.push(Math.round(v * 1000) / 1000);
  return ticks;
}

export interface ChartSeries {
  name: string;
  /** One a day; null where there is nothing to draw (a line breaks there). */
  values: ReadonlyArray<number | null>;
  /** Which of the stylesheet's chart colours: 1, 2 or 3. */
  tone: 1 | 2 | 3;
}

interface ChartProps {
  /** Unique on the page: the SVG's title and description are found by it. */
  id: string;
  title: string;
  /** One sentence with the totals, read as the image's description. */
  summary: string;
  days: readonly string[];
  series: readonly ChartSeries[];
  /** Heading of the value columns' unit in the table ("questions", "hours"). */
  unit: string;
  /** A horizontal line to compare against (the answer-time target). */
  target?: { value: number; label: string };
  kind: 'bars' | 'lines';
  /** How a value shows in the table. */
  format?: (value: number) => string;
  /** CSV downloads of the series drawn. */
  downloads: ReadonlyArray<{ label: string; href: string }>;
}

function Axes(props: { ticks: number[]; days: readonly string[]; y: (v: number) => number; x: (i: number) => number }) {
  const { ticks, days } = props;
  // The first, middle and last days label the x axis; more would crowd a phone's width.
  const labelled = [...new Set([0, Math.floor((days.length - 1) / 2), days.length - 1])];
  return (
    <g class="chart-axis">
      {ticks.map((t) => (
        <g key={t}>
          <line x1={PAD.left} x2={WIDTH - PAD.right} y1={props.y(t)} y2={props.y(t)} class="chart-grid" />
          <text x={PAD.left - 6} y={props.y(t) + 4} text-anchor="end">
            {t.toLocaleString('en-US')}
          </text>
        </g>
      ))}
      {labelled.map((i) => (
        <text key={i} x={props.x(i)} y={HEIGHT - 6} text-anchor={i === 0 ? 'start' : i === days.length - 1 ? 'end' : 'middle'}>
          {shortDay(days[i] as string)}
        </text>
      ))}
    </g>
  );
}

/** A bar or line chart of daily values, its legend, the same figures as a table, and the CSV links. */
export function DailyChart(props: ChartProps) {
  const { days, series, id } = props;
  const n = Math.max(days.length, 1);
  const values = series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const max = Math.max(0, ...values, props.target?.value ?? 0);
  const ticks = axisTicks(max, props.kind === 'bars');
  const top = ticks[ticks.length - 1] as number;
  const y = (v: number) => PAD.top + PLOT_H - (v / top) * PLOT_H;
  const slot = PLOT_W / n;
  const x = (i: number) => PAD.left + slot * i + slot / 2;
  const show = props.format ?? ((v: number) => v.toLocaleString('en-US'));
  const barWidth = Math.max(1, (slot * 0.8) / series.length);

  return (
    <figure class="chart">
      <figcaption>
        <strong>{props.title}</strong>
      </figcaption>
      <svg
        role="img"
        aria-labelledby={`${id}-title`}
        aria-describedby={`${id}-desc`}
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        preserveAspectRatio="xMidYMid meet"
        class="chart-svg"
        focusable="false"
      >
        <title id={`${id}-title`}>{props.title}</title>
        <desc id={`${id}-desc`}>{props.summary}</desc>
        <Axes ticks={ticks} days={days} y={y} x={x} />
        {props.kind === 'bars'
          ? series.map((s, k) => (
              <g key={s.name} class={`chart-tone-${s.tone}`}>
                {s.values.map((v, i) =>
                  v ? (
                    <rect
                      key={days[i]}
                      x={PAD.left + slot * i + slot * 0.1 + barWidth * k}
                      y={y(v)}
                      width={barWidth}
                      height={Math.max(0, y(0) - y(v))}
                    />
                  ) : null,
                )}
              </g>
            ))
          : // The first series is drawn last, on top, with the smallest dots: where two lines meet (a day of one answer
            // has the same median and 90th percentile) each still shows.
            series.map((s, k) => <Line key={s.name} series={s} x={x} y={y} radius={3 + 1.5 * k} />).reverse()}
        {props.target ? (
          <line class="chart-target" x1={PAD.left} x2={WIDTH - PAD.right} y1={y(props.target.value)} y2={y(props.target.value)} />
        ) : null}
      </svg>
      <ul class="chart-legend">
        {series.map((s) => (
          <li key={s.name}>
            <span class={`chart-swatch chart-tone-${s.tone}`} aria-hidden="true" />
            {s.name}
          </li>
        ))}
        {props.target ? (
          <li>
            <span class="chart-swatch chart-swatch-target" aria-hidden="true" />
            {props.target.label}
          </li>
        ) : null}
      </ul>
      <details class="chart-data">
        <summary>
          The figures day by day<span class="visually-hidden">: {props.title}</span>
        </summary>
        <table class="compare">
          <caption class="visually-hidden">
            {props.title}, {props.unit}, by UTC day
          </caption>
          <thead>
            <tr>
              <th scope="col">Day (UTC)</th>
              {series.map((s) => (
                <th key={s.name} scope="col">
                  {s.name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {days.map((day, i) => (
              <tr key={day}>
                <th scope="row">{day}</th>
                {series.map((s) => {
                  const v = s.values[i];
                  return <td key={s.name}>{v === null || v === undefined ? '–' : show(v)}</td>;
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
      <p class="chart-downloads">
        {props.downloads.map((d, i) => (
          <span key={d.href}>
            {i > 0 ? ' · ' : null}
            <a href={d.href} download>
              {d.label}
            </a>
          </span>
        ))}
      </p>
    </figure>
  );
}

/** A series as a polyline, broken where a day has no value, with a dot on each value (a lone day still shows). */
function Line(props: { series: ChartSeries; x: (i: number) => number; y: (v: number) => number; radius: number }) {
  const runs: string[][] = [];
  let run: string[] = [];
  props.series.values.forEach((v, i) => {
    if (v === null) {
      if (run.length > 0) runs.push(run);
      run = [];
      return;
    }
    run.push(`${props.x(i).toFixed(1)},${props.y(v).toFixed(1)}`);
  });
  if (run.length > 0) runs.push(run);
  return (
    <g class={`chart-line chart-tone-${props.series.tone}`}>
      {runs.map((points) => (points.length > 1 ? <polyline key={points[0]} points={points.join(' ')} /> : null))}
      {runs.flat().map((p) => {
        const [cx, cy] = p.split(',');
        return <circle key={p} cx={cx} cy={cy} r={props.radius} />;
      })}
    </g>
  );
}
