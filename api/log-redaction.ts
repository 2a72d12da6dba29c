import type { FastifyRequest } from 'fastify';

/*
 * A survey link is a respondent's only credential: its token never goes into a log line. Request
 * logs show `/s/<redacted>/…` instead, for the form, the unsubscribe page and the JSON endpoint.
 */
const TOKEN_IN_PATH = /^(\/s\/|\/api\/public\/responses\/)[^/?#]+/;

export function redactSurveyToken(url: string): string {
  return url.replace(TOKEN_IN_PATH, '$1<redacted>');
}

/** Fastify's request serializer with the token taken out of the URL. */
export function serializeRequest(request: FastifyRequest) {
  return {
    method: request.method,
    url: redactSurveyToken(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}
