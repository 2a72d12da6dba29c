import { eq } from 'drizzle-orm';
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { tables } from '../../db';
import { createMailer } from '../../email';
import { recordAudit } from '../../people/audit';
import { signInEmail } from '../../people/sign-in-email';
import { consumeSignInLink, issueSignInLink, signInLinkUrl } from '../../people/sign-in-links';
import { createSession, endSession } from '../../people/sessions';
import { Throttle } from '../../people/throttle';
import { allowedRoutes } from '../access-policy';
import { ApiError } from '../errors';
import { errorResponses } from '../schemas/common';
import { Email, Role } from '../schemas/employees';


const Me = Type.Object({
  kind: Type.Union([Type.Literal('session'), Type.Literal('api_key')]),
  role: Role,
  name: Type.String(),
  employeeId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
  csrfToken: Type.Union([Type.String(), Type.Null()], { description: 'send it as X-CSRF-Token on state-changing calls made with the session cookie' }),
  allowed: Type.Array(Type.String(), { description: 'the routes this identity may call, as `METHOD /path`' }),
});

const tooMany = (reply: { header: (name: string, value: string) => unknown }, seconds: number) => {
  reply.header('retry-after', String(seconds));
  return new ApiError(429, 'TOO_MANY_REQUESTS', 'Too many sign-in requests; try again later');
};

/** Link requests per address and per client address, and link uses per client address, each per 15 minutes. */
export const SIGN_IN_LIMITS = { perAddress: 5, perIp: 30, usesPerIp: 30 };

/**
 * Signing in with a one-time link sent by email, the caller's own identity, and signing out.
 * Asking for a link answers the same whether or not the address belongs to an employee.
 */
export const authRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['auth'];
  const mailer = createMailer(app.db, { from: app.config.email.from });
  // The embedded default on a developer's machine (development, the outbox mailer, the API bound
  // to this machine only): the page that asked may show the link. Never on a reachable server.
  const loopback = ['127.0.0.1', 'localhost', '::1'].includes(app.config.host);
  const showLinkToRequester = app.config.env === 'development' && !app.config.email.resendApiKey && loopback;
  const perAddress = new Throttle(SIGN_IN_LIMITS.perAddress, 15 * 60_000);
  const perIp = new Throttle(SIGN_IN_LIMITS.perIp, 15 * 60_000);
  const usesPerIp = new Throttle(SIGN_IN_LIMITS.usesPerIp, 15 * 60_000);
  const pending = new Set<Promise<void>>();
  app.addHook('onClose', async () => {
    await Promise.allSettled([...pending]);
  });

  app.get(
    '/config',
    {
      schema: {
        tags,
        description: 'Which ways of signing in this deployment offers',
        response: { 200: Type.Object({ emailLink: Type.Boolean(), oidc: Type.Boolean(), linkShownOnPage: Type.Boolean() }) },
      },
    },
    async () => ({ emailLink: true, oidc: Boolean(app.config.signIn.oidc), linkShownOnPage: showLinkToRequester }),
  );

  app.post(
    '/email-link',
    {
      schema: {
        tags,
        description:
          'Sends a one-time sign-in link (valid 15 minutes) to the address when it belongs to an active employee. The answer is the same either way.',
        body: Type.Object({ email: Email }, { additionalProperties: false }),
        response: {
          202: Type.Object({ sent: Type.Literal(true), link: Type.Optional(Type.String({ description: 'development with the outbox mailer only' })) }),
          400: Type.Ref('ErrorBody'),
          429: Type.Ref('ErrorBody'),
        },
      },
    },
    async (request, reply) => {
      const address = request.body.email.trim().toLowerCase();
      if (!perIp.hit(request.ip)) throw tooMany(reply, perIp.retryAfterSeconds(request.ip));
      if (!perAddress.hit(address)) throw tooMany(reply, perAddress.retryAfterSeconds(address));

      const deliver = async () => {
        const link = await issueSignInLink(app.db, address);
        if (!link) return undefined;
        const url = signInLinkUrl(app.config.publicBaseUrl, link.token);
        await mailer.send(signInEmail({ linkId: link.linkId, to: link.email, url }));
        return url;
      };
      if (showLinkToRequester) {
        const url = await deliver();
        return reply.status(202).send({ sent: true, ...(url ? { link: url } : {}) });
      }
      // Answered before the lookup, so the time taken does not tell whether the address is known.
      const work: Promise<void> = deliver()
        .then(() => undefined)
        .catch((error: unknown) => request.log.error({ err: error }, 'could not send a sign-in link'))
        .finally(() => pending.delete(work));
      pending.add(work);
      return reply.status(202).send({ sent: true });
    },
  );

  app.post(
    '/email-link/sign-in',
    {
      schema: {
        tags,
        description: 'Uses a sign-in link: starts a session (an httpOnly cookie). A link works once, for 15 minutes.',
        body: Type.Object({ token: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }),
        response: { 200: Me, 401: Type.Ref('ErrorBody'), 400: Type.Ref('ErrorBody'), 429: Type.Ref('ErrorBody') },
      },
    },
    async (request, reply) => {
      if (usesPerIp.isBlocked(request.ip)) throw tooMany(reply, usesPerIp.retryAfterSeconds(request.ip));
      const employeeId = await consumeSignInLink(app.db, request.body.token);
      if (!employeeId) {
        usesPerIp.hit(request.ip);
        await recordAudit(app.db, { actor: null, action: 'sign-in.email-link', outcome: 'failure', statusCode: 401, ip: request.ip });
        throw new ApiError(401, 'SIGN_IN_LINK_INVALID', 'This sign-in link is not valid: it was used already, has expired or is wrong. Ask for a new one.');
      }
      const [employee] = await app.db.select().from(tables.employees).where(eq(tables.employees.id, employeeId));
      const session = await createSession(app.db, employeeId, 'email_link', app.sessionTimeouts);
      app.setSessionCookie(request, reply, session.token, session.expiresAt);
      await recordAudit(app.db, {
        actor: null,
        employeeId,
        actorName: employee!.email,
        role: employee!.role,
        action: 'sign-in.email-link',
        entityType: 'sessions',
        entityId: session.id,
        outcome: 'success',
        statusCode: 200,
        ip: request.ip,
      });
      return {
        kind: 'session' as const,
        role: employee!.role,
        name: employee!.email,
        employeeId,
        csrfToken: session.csrfToken,
        allowed: allowedRoutes(employee!.role),
      };
    },
  );

  app.get(
    '/me',
    {
      schema: {
        tags,
        security: [{ bearer: [] }],
        description: 'Who is signed in, with which role, and what that role may call',
        response: { 200: Me, ...errorResponses },
      },
    },
    async (request) => {
      const identity = request.identity!;
      return {
        kind: identity.kind,
        role: identity.role,
        name: identity.name,
        employeeId: identity.employeeId,
        csrfToken: request.csrfToken ?? null,
        allowed: allowedRoutes(identity.role),
      };
    },
  );

  app.post(
    '/sign-out',
    {
      schema: {
        tags,
        security: [{ bearer: [] }],
        description: 'Ends the session of the cookie (a key stays valid: revoke it to end it)',
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const identity = request.identity!;
      if (identity.sessionId) await endSession(app.db, identity.sessionId);
      app.setSessionCookie(request, reply, null);
      return reply.status(204).send(null);
    },
  );
};
