import { Type } from '@fastify/type-provider-typebox';
import { field } from '../../platform/schemas.ts';
import { ACCOUNT_LIMITS } from './user.ts';

/*
 * The fields of the accounts module's forms, with the limits of user.ts. Where the service answers a too-long field
 * with its own message next to the field (a name, an address, an application's texts), the schema lets twice the
 * limit through so that message is what people see; only past that does the form come back whole (422). Every
 * password field takes what a sign-in form takes: a new one that is too long gets the password rule's message.
 */

export const nameField = field(2 * ACCOUNT_LIMITS.name);
export const emailField = field(2 * ACCOUNT_LIMITS.email);
export const passwordField = field(ACCOUNT_LIMITS.passwordTyped);
/** A wrong code of any length gets "that code is not right" in the form, so a pasted one a little long does too. */
export const codeField = field(2 * ACCOUNT_LIMITS.code);

/**
 * A value the route reads through a parser that turns anything else into a safe default: `next` through
 * sameSitePath (the home page), an emailed `token` through asSecretToken (the expired-link page). No limit here, so a
 * mangled link gets that page, not a 400.
 */
export const parsed = Type.Optional(Type.String());

export const NextQuery = Type.Object({ next: parsed });
export const TokenQuery = Type.Object({ token: parsed });

/** A field's text without NUL (PostgreSQL refuses it in text, and nobody types it); the schema checked its length. */
export function text(value: string | undefined): string {
  return (value ?? '').replaceAll('\u0000', '');
}
