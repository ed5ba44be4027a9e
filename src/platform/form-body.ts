/** A parsed urlencoded form body. */
export type FormBody = Record<string, unknown>;

/** One text field of a form, cut to `max` characters; '' when missing or not a string (a repeated field). */
export function formField(body: FormBody | undefined, name: string, max: number): string {
  const v = body?.[name];
  // NUL never reaches the database (PostgreSQL refuses it in text; nobody types it).
  return typeof v === 'string' ? v.slice(0, max).replaceAll('\u0000', '') : '';
}
