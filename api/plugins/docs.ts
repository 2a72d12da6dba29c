import type { FastifyInstance, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { Type } from 'typebox';
import { ErrorBody } from '../schemas/common';

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const RATE_LIMITED = /^\/(s\/|api\/public\/)/;
const WITHOUT_DEPENDENCIES = new Set(['/healthz']);

/**
 * The answers the framework and the shared plugins give, added to each route's documented
 * responses where they can occur: 413 / 415 where a body is read, 414 where a path parameter
 * is (the router's length limit), 429 on rate-limited paths and wherever credentials are checked
 * (an address that sent too many wrong keys is held off for a while, whatever it sends next), 503
 * when PostgreSQL or Temporal is down, 400 where any input is checked.
 */
function documentSharedAnswers(route: RouteOptions): void {
  const schema = route.schema;
  if (!schema || (schema as { hide?: boolean }).hide) return;
  const response = (schema.response ?? {}) as Record<string, unknown>;
  const add = (status: number) => {
    if (!(status in response)) response[status] = Type.Ref('ErrorBody');
  };
  const methods = [route.method].flat();
  if (methods.some((method) => BODY_METHODS.has(method))) [413, 415].forEach(add);
  if (route.url.includes(':')) add(414);
  if (RATE_LIMITED.test(route.url) || 401 in response) add(429);
  if (!WITHOUT_DEPENDENCIES.has(route.url)) add(503);
  if (schema.body || schema.querystring || schema.params) add(400);
  schema.response = response;
}

/**
 * The UI's Content Security Policy: its own scripts (the plugin's inline ones by hash), calls to
 * this API only, nothing from elsewhere. Inline styles are allowed: the UI sets style attributes
 * and styles cannot run code.
 */
function docsPolicy(generated: string): string {
  const scripts = /script-src ([^;]*)/.exec(generated)?.[1]?.trim() ?? "'self'";
  return [
    "default-src 'none'",
    "base-uri 'none'",
    "connect-src 'self'",
    "font-src 'self' data:",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "img-src 'self' data:",
    "object-src 'none'",
    `script-src ${scripts}`,
    "script-src-attr 'none'",
    "style-src 'self' 'unsafe-inline'",
  ].join('; ');
}

/** OpenAPI document from the route schemas; JSON at /docs/json, UI at /docs. */
export const docs = fp(async (app: FastifyInstance) => {
  app.addSchema(ErrorBody);
  app.addHook('onRoute', documentSharedAnswers);
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
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true, transformStaticCSP: docsPolicy });
});
