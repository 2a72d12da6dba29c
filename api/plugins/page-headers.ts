import type { FastifyReply } from 'fastify';
import { CONTENT_SECURITY_POLICY } from '../views/layout';

/** The headers of every respondent page (form, unsubscribe), error pages included. */
export function setPageSecurityHeaders(reply: FastifyReply): void {
  reply.header('cache-control', 'no-store');
  reply.header('referrer-policy', 'no-referrer');
  reply.header('x-content-type-options', 'nosniff');
  reply.header('x-frame-options', 'DENY');
  if (String(reply.getHeader('content-type') ?? '').startsWith('text/html')) {
    reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
  }
}
