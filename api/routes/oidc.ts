import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { recordAudit } from '../../people/audit';
import { OidcRefusal, OidcSignIn } from '../../people/oidc';
import { createSession } from '../../people/sessions';
import { tables } from '../../db';
import { eq } from 'drizzle-orm';

const LOGIN_COOKIE = 'npsflow_oidc';
const COOKIE_PATH = '/auth/oidc';

/** The one page a refused sign-in shows, in Dutch and English, with the way back. */
function refusalPage(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign-in failed · npsflow</title></head>
<body><main>
<h1>Sign-in failed</h1>
<p>The sign-in with your organisation's account could not be completed. Please try again.</p>
<p lang="nl">Aanmelden met het account van je organisatie is niet gelukt. Probeer het opnieuw.</p>
<p><a href="/admin/">Back to sign-in / Terug naar aanmelden</a></p>
</main></body></html>`;
}

/**
 * OpenID Connect sign-in (when OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET are set):
 * /auth/oidc/start sends the browser to the identity provider, /auth/oidc/callback takes it back,
 * starts a session and opens the admin UI. Anything that does not check out is a 401 page.
 */
export const oidcRoutes: FastifyPluginAsync = async (app) => {
  const settings = app.config.signIn.oidc;
  const oidc = settings
    ? new OidcSignIn(app.db, { ...settings, redirectUri: `${app.config.publicBaseUrl}/auth/oidc/callback` })
    : undefined;
  const hide = { schema: { hide: true } };

  const cookieOptions = (request: FastifyRequest) => ({
    path: COOKIE_PATH,
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: request.protocol === 'https' || app.config.publicBaseUrl.startsWith('https:'),
  });

  const refuse = (reply: FastifyReply, status: number) =>
    reply
      .status(status)
      .header('content-security-policy', "default-src 'none'; frame-ancestors 'none'")
      .header('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(refusalPage());

  app.get('/auth/oidc/start', hide, async (request, reply) => {
    if (!oidc) return reply.status(404).send({ error: { code: 'NOT_FOUND', message: 'OpenID Connect sign-in is not configured' } });
    try {
      const { url, handle, maxAgeSeconds } = await oidc.start();
      reply.setCookie(LOGIN_COOKIE, handle, { ...cookieOptions(request), maxAge: maxAgeSeconds });
      return reply.header('cache-control', 'no-store').redirect(url);
    } catch (error) {
      request.log.error({ err: error }, 'could not reach the OpenID provider');
      return refuse(reply, 503);
    }
  });

  // The callback stores nothing from its query and answers any bad input with its 401 page.
  app.get('/auth/oidc/callback', { ...hide, config: { checksOwnInput: true } }, async (request, reply) => {
    if (!oidc) return reply.status(404).send({ error: { code: 'NOT_FOUND', message: 'OpenID Connect sign-in is not configured' } });
    reply.clearCookie(LOGIN_COOKIE, cookieOptions(request));
    try {
      const callbackUrl = new URL(request.url, app.config.publicBaseUrl);
      const { employeeId, email } = await oidc.finish(request.cookies[LOGIN_COOKIE], callbackUrl);
      const [employee] = await app.db.select({ role: tables.employees.role }).from(tables.employees).where(eq(tables.employees.id, employeeId));
      const session = await createSession(app.db, employeeId, 'oidc', app.sessionTimeouts);
      app.setSessionCookie(request, reply, session.token, session.expiresAt);
      await recordAudit(app.db, {
        actor: null,
        employeeId,
        actorName: email,
        role: employee?.role ?? null,
        action: 'sign-in.oidc',
        entityType: 'sessions',
        entityId: session.id,
        outcome: 'success',
        statusCode: 302,
        ip: request.ip,
      });
      return reply.header('cache-control', 'no-store').redirect('/admin/');
    } catch (error) {
      const reason = error instanceof OidcRefusal ? error.reason : 'unexpected error';
      request.log.warn({ reason, ...(error instanceof OidcRefusal ? {} : { err: error }) }, 'OpenID Connect sign-in refused');
      await recordAudit(app.db, { actor: null, action: 'sign-in.oidc', outcome: 'failure', statusCode: 401, ip: request.ip }).catch(() => undefined);
      return refuse(reply, 401);
    }
  });
};
