import { Type } from '@fastify/type-provider-typebox';

/** Public bodies are small: a survey's answers, never an upload. */
export const PUBLIC_BODY_LIMIT = 64 * 1024;

/** A link's token in the path; bounded so a long one is a clean 404, not a 414 in another shape. */
export const TokenParams = Type.Object({ token: Type.String({ maxLength: 200 }) });
