import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { ErrorBody } from '../schemas/common';

/** OpenAPI document from the route schemas; JSON at /docs/json, UI at /docs. */
export const docs = fp(async (app: FastifyInstance) => {
  app.addSchema(ErrorBody);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'npsflow API',
        description: 'Customer-satisfaction (KTO) and NPS survey campaigns',
        version: '0.1.0',
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'Admin API key' } },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
});
