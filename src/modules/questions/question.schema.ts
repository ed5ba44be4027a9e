import { Type } from '@fastify/type-provider-typebox';
import { id } from '../../platform/schemas.ts';

/**
 * /q/:id and /q/:id/:slug. The slug is only compared with the canonical one (any other moves there with a 301), so
 * any text is taken; the router already bounds its length.
 */
export const QuestionParams = Type.Object({ id: id(), slug: Type.Optional(Type.String()) });
