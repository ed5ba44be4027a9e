import type { Tally } from './archive.ts';

// How the commands report a verification: a line per table, then the verdict.

/** One table compared: what the source (or backup) holds and what the target now holds. */
export interface TableCheck {
  readonly name: string;
  readonly expected: Tally;
  readonly actual: Tally;
  readonly ok: boolean;
}

export interface ImagesCheck {
  readonly expected: number;
  /** Files of the expected ones the target store holds, at their size. */
  readonly found: number;
  readonly ok: boolean;
}

/** "users, questions, answers and 4 more" */
export function listNames(names: readonly string[], most = 3): string {
  if (names.length <= most) return names.join(', ');
  return `${names.slice(0, most).join(', ')} and ${names.length - most} more`;
}

/** The verification as printed: a line per table, then the verdict. */
export function verificationLines(checks: readonly TableCheck[], images?: ImagesCheck): string[] {
  const width = Math.max(...checks.map((c) => c.name.length), 5);
  const lines = checks.map(
    (c) =>
      `  ${c.name.padEnd(width)}  ${String(c.actual.rows).padStart(9)} rows  ${c.actual.digest.slice(0, 16)}  ${
        c.ok ? 'match' : `DIFFERS (expected ${c.expected.rows} rows, ${c.expected.digest.slice(0, 16)})`
      }`,
  );
  const bad = checks.filter((c) => !c.ok);
  lines.push(
    bad.length === 0
      ? `All ${checks.length} tables match (row counts and SHA-256 digests).`
      : `${bad.length} of ${checks.length} tables differ: ${listNames(
          bad.map((c) => c.name),
          8,
        )}.`,
  );
  if (images && images.expected > 0)
    lines.push(
      images.ok
        ? `All ${images.expected} image file(s) are in the target's image store.`
        : `${images.expected - images.found} of ${images.expected} image file(s) are missing from the target's image store.`,
    );
  return lines;
}
