import { type TArray, type TObject, type TSchema, Type } from 'typebox';
import { Compile } from 'typebox/compile';
import type { FieldIssue } from '../../lib/errors.ts';

// Checking an import line against its schema, and finding what in it is wrong. A line is checked whole first (one
// compiled check, the fast path for the millions of good lines of a large file); only a refused line is checked
// part by part, so that every problem of it can be named. TypeBox's own error list stops after a few errors (its
// maxErrors), and a person fixing a file wants the whole list at once.

/** Where an object schema refuses a value: unknown properties, required ones missing, and those present but wrong. */
export interface Refusals {
  unknown: string[];
  missing: Set<string>;
  wrong: Set<string>;
}

export const NO_REFUSALS: Refusals = { unknown: [], missing: new Set(), wrong: new Set() };

/** The checks of a strict object schema (`additionalProperties: false`): the whole, and each property alone. */
export function objectCheck(schema: TObject) {
  const whole = Compile(schema);
  const fields = Object.keys(schema.properties);
  const parts = new Map(fields.map((f) => [f, Compile(schema.properties[f] as TSchema)]));
  const required: readonly string[] = schema.required ?? [];
  return {
    fields,
    check: (value: unknown): boolean => whole.Check(value),
    refusals(value: Record<string, unknown>): Refusals {
      const unknown = Object.keys(value).filter((k) => !parts.has(k));
      const missing = new Set(required.filter((f) => value[f] === undefined));
      const wrong = new Set(fields.filter((f) => value[f] !== undefined && parts.get(f)?.Check(value[f]) === false));
      return { unknown, missing, wrong };
    },
  };
}

/** The checks of a list: the list itself (a list, with as many entries as allowed), and each entry alone. */
export function listCheck(schema: TArray) {
  const { minItems, maxItems } = schema as TArray & { minItems?: number; maxItems?: number };
  const counts = { ...(minItems === undefined ? {} : { minItems }), ...(maxItems === undefined ? {} : { maxItems }) };
  const shape = Compile(Type.Array(Type.Unknown(), counts));
  const entry = Compile(schema.items);
  return {
    shapeOk: (value: unknown): value is unknown[] => shape.Check(value),
    entryOk: (value: unknown): boolean => entry.Check(value),
  };
}

/** No NUL or other control character; tab, newline and carriage return are text. */
export const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/;
const NO_CONTROL = '^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f]*$';

/** Text of a line: no control characters; `min` to `max` characters when given. */
export const text = (min?: number, max?: number) =>
  Type.String({ pattern: NO_CONTROL, ...(min === undefined ? {} : { minLength: min }), ...(max === undefined ? {} : { maxLength: max }) });

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Text is stored trimmed, so its limits count it trimmed. Text holding a control character is left as it was sent,
 * for the schema to refuse (trim() would quietly take a vertical tab off its end).
 */
export function trimmed(v: unknown, tidy: (s: string) => string = (s) => s.trim()): unknown {
  if (typeof v !== 'string') return v;
  const t = tidy(v);
  // Only text that tidying changed is searched again: most is not, and the schema searches it anyway.
  return t === v || !CONTROL.test(v) ? t : v;
}

/** An object of a line as it would be stored: its text trimmed, and a field given as null taken as left out. */
export function tidyObject(obj: Record<string, unknown>, keepAsSent: readonly string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(obj)) {
    if (value !== null) out[key] = keepAsSent.includes(key) ? value : trimmed(value);
  }
  return out;
}

/** What a value is, in a message: "a string, got number". */
export const kind = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v);

/** Characters as the schemas count them (code points), so the number a message gives is the one the rule measured. */
export const length = (s: string) => [...s].length;

/** The problem with a text field the schema refused, in the same words for every line kind. */
export function textMessage(value: unknown, limits: { min: number; max: number }): string {
  if (typeof value !== 'string') return `must be a string, got ${kind(value)}`;
  if (CONTROL.test(value)) return 'contains control characters';
  const n = length(value);
  return n === 0 ? 'must not be empty' : `must be ${limits.min} to ${limits.max} characters (got ${n})`;
}

/** Edit distance (insertions, deletions, substitutions), for suggesting the field a typo meant. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length] as number;
}

function didYouMean(field: string, known: readonly string[]): string {
  const norm = field.toLowerCase().replace(/[^a-z]/g, '');
  const hit = known.find((f) => f.toLowerCase() === norm) ?? known.find((f) => distance(f.toLowerCase(), norm) <= 2);
  return hit ? ` (did you mean ${hit}?)` : '';
}

/** The unknown fields of an object of a line, each with the known one it may be a typo of. */
export function unknownIssues(refused: Refusals, known: readonly string[], prefix = ''): FieldIssue[] {
  return refused.unknown.map((key) => ({ field: `${prefix}${key}`, message: `is not a known field${didYouMean(key, known)}` }));
}

/** The text fields of an object the schema refused, missing or wrong, in the order of `limits`. */
export function textIssues(
  value: Record<string, unknown>,
  limits: Record<string, { min: number; max: number }>,
  refused: Refusals,
  prefix = '',
): FieldIssue[] {
  return Object.entries(limits).flatMap(([field, limit]): FieldIssue[] => {
    if (refused.missing.has(field)) return [{ field: `${prefix}${field}`, message: 'is missing' }];
    return refused.wrong.has(field) ? [{ field: `${prefix}${field}`, message: textMessage(value[field], limit) }] : [];
  });
}
