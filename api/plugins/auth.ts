import { timingSafeEqual } from 'node:crypto';
import cookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ApiError } from '../errors';
import { touchApiKey, verifyApiKey } from '../../people/api-keys';
import type { Identity } from '../../people/identity';
import { findSession, type SessionTimeouts } from '../../people/sessions';
import { Throttle } from '../../people/throttle';

declare module 'fastify' {
  interface FastifyInstance {
    /** Who is calling (Bearer key or session cookie), or null; throws 401/403/429 for bad credentials. */
    identify: (request: FastifyRequest, reply: FastifyReply) => Promise<Identity | null>;
    sessionTimeouts: SessionTimeouts;
    /** Sets or clears the session cookie with the attributes this deployment needs. */
    setSessionCookie: (request: FastifyRequest, reply: FastifyReply, token: string | null, expiresAt?: Date) => void;
  }
  interface FastifyRequest {
    identity: Identity | null;
    /** The session's anti-forgery token, when the caller came with the cookie. */
    csrfToken?: string;
  }
}

export const SESSION_COOKIE = 'npsflow_session';
export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Wrong keys per client address and minute before the address has to wait. */
export const KEY_FAILURES_PER_MINUTE = 20;

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Identifies the caller. Machine clients send `Authorization: Bearer <api key>`; people in the
 * admin UI carry a session cookie, and every state-changing call made with it must echo the
 * session's anti-forgery token in X-CSRF-Token (a cross-site page can send the cookie but can
 * neither read the token nor set the header). Nothing is cached: each request looks its key or
 * session up by hash, so a revoke, an expiry or a deactivation counts from the next request.
 */
export const auth = fp(async (app: FastifyInstance) => {
  await app.register(cookie);
  app.decorateRequest('identity', null);

  const timeouts: SessionTimeouts = { idleMs: app.config.signIn.sessionIdleMs, absoluteMs: app.config.signIn.sessionAbsoluteMs };
  app.decorate('sessionTimeouts', timeouts);
  const keyFailures = new Throttle(KEY_FAILURES_PER_MINUTE, 60_000);

  app.decorate('setSessionCookie', (request: FastifyRequest, reply: FastifyReply, token: string | null, expiresAt?: Date) => {
    const secure = request.protocol === 'https' || app.config.publicBaseUrl.startsWith('https:');
    const options = { path: '/', httpOnly: true, sameSite: 'lax' as const, secure };
    if (token === null) reply.clearCookie(SESSION_COOKIE, options);
    else reply.setCookie(SESSION_COOKIE, token, { ...options, ...(expiresAt ? { expires: expiresAt } : {}) });
  });

  async function fromBearer(request: FastifyRequest, reply: FastifyReply, header: string): Promise<Identity> {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (keyFailures.isBlocked(request.ip)) {
      reply.header('retry-after', String(keyFailures.retryAfterSeconds(request.ip)));
      throw new ApiError(429, 'TOO_MANY_ATTEMPTS', 'Too many wrong keys from this address; try again later');
    }
    if (!match) {
      keyFailures.hit(request.ip);
      request.log.warn({ reason: 'malformed' }, 'authentication failed');
      throw new ApiError(401, 'UNAUTHORIZED', 'Authorization: Bearer <api key> is required');
    }
    const key = await verifyApiKey(app.db, match[1]!);
    if (!key) {
      keyFailures.hit(request.ip);
      request.log.warn({ reason: 'unknown, revoked or expired key' }, 'authentication failed');
      throw new ApiError(401, 'UNAUTHORIZED', 'The API key is not valid');
    }
    touchApiKey(app.db, key).catch((error: unknown) => request.log.warn({ err: error }, 'could not record key use'));
    return { kind: 'api_key', role: key.role, employeeId: key.employeeId, apiKeyId: key.apiKeyId, sessionId: null, name: key.name };
  }

  async function fromCookie(request: FastifyRequest, reply: FastifyReply, token: string): Promise<Identity> {
    const session = await findSession(app.db, token, timeouts);
    if (!session) {
      app.setSessionCookie(request, reply, null);
      request.log.info({ reason: 'unknown or expired session' }, 'authentication failed');
      throw new ApiError(401, 'SESSION_EXPIRED', 'Your session has ended; please sign in again');
    }
    if (!SAFE_METHODS.has(request.method)) {
      const presented = request.headers[CSRF_HEADER];
      if (typeof presented !== 'string' || !sameSecret(presented, session.csrfToken)) {
        request.log.warn({ reason: 'missing or wrong anti-forgery token' }, 'request refused');
        throw new ApiError(403, 'CSRF_TOKEN_INVALID', `State-changing calls made with the session cookie need the ${CSRF_HEADER} header`);
      }
    }
    const { csrfToken, ...identity } = session;
    request.csrfToken = csrfToken;
    return identity;
  }

  app.decorate('identify', async (request: FastifyRequest, reply: FastifyReply): Promise<Identity | null> => {
    const header = request.headers.authorization;
    if (header !== undefined) return fromBearer(request, reply, header);
    const token = request.cookies[SESSION_COOKIE];
    if (token) return fromCookie(request, reply, token);
    // Every visit of the sign-in page asks who it is: no credentials is routine, not a warning.
    request.log.info({ reason: 'missing' }, 'authentication failed');
    return null;
  });
}, { name: 'auth' });
