import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { ApiError } from '../errors';

/*
 * PostgreSQL stores neither a NUL character (text and jsonb refuse it) nor an unpaired UTF-16
 * surrogate (it is not valid UTF-8). Every string a request carries is checked once, before any
 * route sees it, so such input is a clear 400 instead of a database error.
 */
// eslint-disable-next-line no-control-regex
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const INVALID_CHARACTER = 'INVALID_CHARACTER';

/** The path (`body.answers.why`) of the first string, or object key, PostgreSQL cannot store. */
export function findUnstorableText(value: unknown, root: string): string | undefined {
  // Iterative: a deeply nested body must not overflow the stack.
  const pending: [unknown, string][] = [[value, root]];
  while (pending.length) {
    const [current, path] = pending.pop()!;
    if (typeof current === 'string') {
      if (UNSTORABLE.test(current)) return path;
    } else if (Array.isArray(current)) {
      current.forEach((item, index) => pending.push([item, `${path}[${index}]`]));
    } else if (current && typeof current === 'object' && !Buffer.isBuffer(current)) {
      for (const [key, item] of Object.entries(current)) {
        if (UNSTORABLE.test(key)) return path;
        pending.push([item, `${path}.${key}`]);
      }
    }
  }
  return undefined;
}

export function unstorableTextError(path: string): ApiError {
  return new ApiError(
    400,
    INVALID_CHARACTER,
    `${path} contains a character that cannot be stored (a NUL character or an unpaired surrogate)`,
    { field: path },
  );
}

/** Throws the 400 when `value` holds a string PostgreSQL cannot store. */
export function assertStorableText(value: unknown, root: string): void {
  const path = findUnstorableText(value, root);
  if (path !== undefined) throw unstorableTextError(path);
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route stores none of its raw input and refuses bad input its own way (a page). */
    checksOwnInput?: boolean;
  }
}

export const storableText = fp(async (app: FastifyInstance) => {
  app.addHook('preValidation', async (request) => {
    if (request.routeOptions.config.checksOwnInput) return;
    assertStorableText(request.params, 'params');
    assertStorableText(request.query, 'querystring');
    assertStorableText(request.body, 'body');
  });
});
