import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { SUPPORTED_LANGUAGES } from '../../domain/survey-definition';
import { chooseLanguage } from '../../responses';
import { renderMessage } from '../views/survey-form';
import { setPageSecurityHeaders } from './page-headers';

/**
 * URLs the router refuses before any route runs (a parameter longer than the router allows, a
 * broken percent-encoding). They get the one error shape; under /s/ a respondent gets the page
 * "this link is not valid" with the pages' security headers.
 */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const status = error.statusCode === 414 ? 414 : 400;
  if (request.url.startsWith('/s/')) {
    const language = chooseLanguage(SUPPORTED_LANGUAGES, [], request.headers['accept-language'], 'nl');
    reply.status(404).type('text/html; charset=utf-8');
    setPageSecurityHeaders(reply);
    reply.send(renderMessage({ language, kind: 'invalid' }).value);
    return;
  }
  const code = status === 414 ? 'URI_TOO_LONG' : 'BAD_URL';
  const message = status === 414 ? 'a path parameter is too long' : 'the URL is not validly percent-encoded';
  reply.status(status).send({ error: { code, message } });
}
