import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { ApiError } from '../errors';
import { redactUrl } from '../../telemetry/log-redaction';
import { dependencyOutage, RETRY_AFTER_SECONDS } from './dependency-outage';

function describeValidation(error: FastifyError): string {
  const first = error.validation?.[0];
  if (!first) return error.message;
  const where = error.validationContext ?? 'request';
  const field = (first.instancePath || '').replace(/^\//, '').replace(/\//g, '.');
  const missing = (first.params as { missingProperty?: string; requiredProperties?: string[] } | undefined);
  const missingName = missing?.missingProperty ?? missing?.requiredProperties?.[0];
  const extra = (first.params as { additionalProperty?: string } | undefined)?.additionalProperty;
  if (missingName) return `${where}${field ? `.${field}` : ''}.${missingName} is required`;
  if (extra) return `${where}${field ? `.${field}` : ''}.${extra} is not allowed`;
  return `${where}${field ? `.${field}` : ''} ${first.message ?? 'is invalid'}`;
}

/**
 * One error shape for every failure: `{ error: { code, message, details? } }`. 5xx messages
 * are hidden from clients and logged with the request context; stack traces never leave.
 */
export const errorHandler = fp(async (app: FastifyInstance) => {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const outage = dependencyOutage(error);
    if (outage) {
      request.log.warn({ err: error, url: redactUrl(request.url), method: request.method }, 'dependency unavailable');
      return reply
        .status(503)
        .header('retry-after', String(outage.retryAfterSeconds))
        .send({ error: { code: outage.code, message: outage.message } });
    }
    if (error instanceof ApiError && error.statusCode === 503 && !reply.hasHeader('retry-after')) {
      reply.header('retry-after', String(RETRY_AFTER_SECONDS));
    }
    if (error instanceof ApiError) {
      return reply.status(error.statusCode).send({
        error: { code: error.code, message: error.message, ...(error.details === undefined ? {} : { details: error.details }) },
      });
    }
    if (error.validation) {
      return reply.status(400).send({
        error: { code: 'VALIDATION_ERROR', message: describeValidation(error), details: error.validation },
      });
    }
    const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500) {
      request.log.error({ err: error, url: redactUrl(request.url), method: request.method }, 'request failed');
      return reply.status(status).send({ error: { code: 'INTERNAL', message: 'Internal server error' } });
    }
    // Fastify's own 4xx errors (bad JSON, body too large, unsupported media type …).
    const code = error.code?.replace(/^FST_ERR_/, '') ?? 'BAD_REQUEST';
    return reply.status(status).send({ error: { code, message: error.message } });
  });

  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send({ error: { code: 'NOT_FOUND', message: `${request.method} ${request.url.split('?')[0]} not found` } });
  });
});
