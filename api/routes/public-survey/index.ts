import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { htmlFormRoutes } from './html-form';
import { jsonRoutes } from './json';
import { ApiError } from '../../errors';

/**
 * The respondent side: the HTML form at /s/:token (no login, no JavaScript needed) and the
 * same submission as JSON at /api/public/responses/:token for embedding.
 */
export const publicSurveyRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { rateLimitPerIp, rateLimitPerToken } = app.config.publicForm;
  const perIp = app.createRateLimit({ max: rateLimitPerIp, timeWindow: 60_000, keyGenerator: (req) => `ip:${req.ip}` });
  const perToken = app.createRateLimit({
    max: rateLimitPerToken,
    timeWindow: 60_000,
    keyGenerator: (req) => `token:${(req.params as { token?: string }).token ?? ''}`,
  });
  app.addHook('onRequest', async (request, reply) => {
    for (const limit of [perIp, perToken]) {
      const result = await limit(request);
      if (!result.isAllowed && result.isExceeded) {
        reply.header('retry-after', result.ttlInSeconds);
        throw new ApiError(429, 'RATE_LIMITED', `too many requests; retry in ${result.ttlInSeconds} s`);
      }
    }
  });

  await app.register(htmlFormRoutes);
  await app.register(jsonRoutes, { prefix: '/api/public' });
};
