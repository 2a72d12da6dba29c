import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ApiError } from '../errors';
import { verifyApiKey } from '../api-keys';

declare module 'fastify' {
  interface FastifyInstance {
    /** preHandler for admin routes: `Authorization: Bearer <key>`. */
    requireAdmin: (request: FastifyRequest) => Promise<void>;
  }
  interface FastifyRequest {
    apiKeyId?: string;
  }
}

const CACHE_MS = 30_000;

/**
 * Admin routes need a bearer key; keys are stored hashed. A missing or wrong key is a 401 and
 * is logged with the reason, never with the key. Verified keys are cached briefly so a busy
 * admin client does not cost a query per request.
 */
export const auth = fp(async (app: FastifyInstance) => {
  const cache = new Map<string, { id: string; until: number }>();

  app.decorate('requireAdmin', async (request: FastifyRequest) => {
    const header = request.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) {
      request.log.warn({ reason: header ? 'malformed' : 'missing' }, 'admin authentication failed');
      throw new ApiError(401, 'UNAUTHORIZED', 'Authorization: Bearer <api key> is required');
    }
    const key = match[1]!;
    const cached = cache.get(key);
    if (cached && cached.until > Date.now()) {
      request.apiKeyId = cached.id;
      return;
    }
    const id = await verifyApiKey(app.db, key);
    if (!id) {
      request.log.warn({ reason: 'unknown or revoked key' }, 'admin authentication failed');
      throw new ApiError(401, 'UNAUTHORIZED', 'The API key is not valid');
    }
    cache.set(key, { id, until: Date.now() + CACHE_MS });
    request.apiKeyId = id;
  });
});
