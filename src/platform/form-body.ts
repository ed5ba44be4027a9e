/** A parsed urlencoded form body. */
export type FormBody = Record<string, unknown>;

/** One text field of a form, cut to `max` characters; '' when missing or not a string (a repeated field). */
export function formField(body: FormBody | undefined, name: string, max: number): string {
  const v = body?.[name];
  // NUL never reaches the database (PostgreSQL refuses it in text; nobody types it).
  return typeof v === 'string' ? v.slice(0, max).replaceAll('\u0000', '') : '';
}

/** A field sent any number of times (see schemas.ts' repeated): its text values, at most `count`, in the form's order. */
export function formList(body: FormBody | undefined, name: string, count: number): string[] {
  const v = body?.[name];
  const all = Array.isArray(v) ? v : v === undefined ? [] : [v];
  return all.filter((x): x is string => typeof x === 'string').slice(0, count);
}
