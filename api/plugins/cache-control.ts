import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/**
 * Every /api answer (admin JSON and CSV, the public JSON, errors) is personal data or depends
 * on who asks: no browser or proxy may keep a copy.
 */
export const apiCacheControl = fp(async (app: FastifyInstance) => {
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.url.startsWith('/api/') && !reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    return payload;
  });
});
