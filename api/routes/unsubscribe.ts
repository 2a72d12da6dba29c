import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { eq } from 'drizzle-orm';
import { tables } from '../../db';
import { emailLanguage } from '../../email';
import { ApiError } from '../errors';
import { optOutContacts } from '../../contacts';
import { deliverInBackground } from '../../signals/deliver-in-background';
import { TOKEN_PATTERN } from '../../responses';
import { setPageSecurityHeaders } from '../plugins/page-headers';
import { renderUnknownLink, renderUnsubscribeConfirm, renderUnsubscribed } from '../views/unsubscribe';

const TokenParams = Type.Object({ token: Type.String({ maxLength: 200 }) });

/**
 * Unsubscribe through the personal link of a survey email (List-Unsubscribe and the link in the
 * body). POST is RFC 8058 one-click: no cookie, login or anti-forgery token — mail clients post
 * `List-Unsubscribe=One-Click` cross-site — and answers 200. GET only shows a confirm page whose
 * button makes that POST, so a scanner following links unsubscribes nobody.
 */
export const unsubscribeRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const perIp = app.createRateLimit({ max: app.config.publicForm.rateLimitPerIp, timeWindow: 60_000, keyGenerator: (req) => `unsub:${req.ip}` });
  app.addHook('onRequest', async (request, reply) => {
    const result = await perIp(request);
    if (!result.isAllowed && result.isExceeded) {
      reply.header('retry-after', result.ttlInSeconds);
      throw new ApiError(429, 'RATE_LIMITED', `too many requests; retry in ${result.ttlInSeconds} s`);
    }
  });
  // The one-click body (form-encoded or multipart) carries nothing we need: accept and ignore it.
  for (const type of ['application/x-www-form-urlencoded', 'multipart/form-data']) {
    app.addContentTypeParser(type, { parseAs: 'string', bodyLimit: 4096 }, (_request, _body, done) => done(null, {}));
  }
  app.addHook('onSend', async (_request, reply, payload) => {
    setPageSecurityHeaders(reply);
    return payload;
  });
  // A token the schema refuses (too long) is not one of ours: the same page as an unknown one.
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.validation && error.validationContext === 'params') return sendHtml(reply, 404, renderUnknownLink(languageOf(request)));
    throw error;
  });

  const sendHtml = (reply: FastifyReply, status: number, page: { value: string }) =>
    reply.status(status).type('text/html; charset=utf-8').send(page.value);

  /** The link's invitation and contact, if the token is one of ours. */
  async function findContact(token: string) {
    if (!TOKEN_PATTERN.test(token)) return undefined;
    const [row] = await app.db
      .select({
        contactId: tables.contacts.id,
        optedOut: tables.contacts.optedOut,
        language: tables.invitations.language,
        contactLanguage: tables.contacts.language,
      })
      .from(tables.invitations)
      .innerJoin(tables.contacts, eq(tables.contacts.id, tables.invitations.contactId))
      .where(eq(tables.invitations.token, token));
    return row;
  }

  const languageOf = (request: FastifyRequest, found?: { language: string | null; contactLanguage: string | null }) =>
    emailLanguage(found?.language, found?.contactLanguage, request.headers['accept-language']);

  app.get('/s/:token/unsubscribe', { schema: { hide: true, params: TokenParams } }, async (request, reply) => {
    const found = await findContact(request.params.token);
    const language = languageOf(request, found);
    if (!found) return sendHtml(reply, 404, renderUnknownLink(language));
    if (found.optedOut) return sendHtml(reply, 200, renderUnsubscribed(language, true));
    return sendHtml(reply, 200, renderUnsubscribeConfirm(language, `/s/${request.params.token}/unsubscribe`));
  });

  app.post('/s/:token/unsubscribe', { schema: { hide: true, params: TokenParams } }, async (request, reply) => {
    const found = await findContact(request.params.token);
    const language = languageOf(request, found);
    if (!found) return sendHtml(reply, 404, renderUnknownLink(language));
    const { owed } = await app.db.transaction((tx) => optOutContacts(tx, { contactIds: [found.contactId] }, new Date()));
    deliverInBackground(app.db, app.temporal, request.log, owed);
    return sendHtml(reply, 200, renderUnsubscribed(language, found.optedOut));
  });
};
