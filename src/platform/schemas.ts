import { type TProperties, Type } from '@fastify/type-provider-typebox';

/*
 * The building blocks of route schemas. A form's fields are optional strings with the module's own limits (the
 * domain file owns each number; forms, imports and the API read the same one); a repeated field or one over its
 * limit is refused by the schema before the handler runs, and the person gets their text back with the reason
 * (platform/errors.tsx). The handler still decides what is missing or wrong in meaning.
 */

/** A text field of a form, at most `max` characters. */
export function field(max: number) {
  return Type.Optional(Type.String({ maxLength: max }));
}

/**
 * A field a form may send several times (a checkbox per row, hidden ids): one value, or at most `count` of them,
 * each at most `max` characters. Read it with formList (form-body.ts).
 */
export function repeated(count: number, max: number) {
  const one = Type.String({ maxLength: max });
  return Type.Optional(Type.Union([one, Type.Array(one, { maxItems: count })]));
}

/** A form post: its fields plus the CSRF token every form carries. Unknown fields are let through unread. */
export function form<T extends TProperties>(fields: T) {
  return Type.Object({ _csrf: field(200), ...fields });
}

/** A positive row id in an address, as the databases store it. */
export function id() {
  return Type.Integer({ minimum: 1, maximum: 2_147_483_647 });
}

/** `:id` in an address: `/admin/users/:id`, `/educator/questions/:id`. */
export const IdParams = Type.Object({ id: id() });
