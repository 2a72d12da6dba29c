import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { accessFor, decide } from '../access-policy';
import { ApiError } from '../errors';

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route registered after the access plugin, as method and template (the policy test walks them). */
    routeList: readonly { method: string; url: string }[];
  }
}

/**
 * The one place that decides whether a request may reach its route: it reads the route's rule
 * from the access policy, identifies the caller only when the rule needs it, and answers 401
 * (nobody signed in) or 403 (the role may not) before the body is read or validated.
 */
export const access = fp(
  async (app: FastifyInstance) => {
    const routes: { method: string; url: string }[] = [];
    app.decorate('routeList', routes);
    app.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) {
        // HEAD is decided like GET.
        if (method === 'HEAD') continue;
        routes.push({ method, url: route.url });
        if (accessFor(method, route.url) === undefined) app.log.warn({ route: `${method} ${route.url}` }, 'route missing from the access policy: admins only');
      }
    });

    app.addHook('onRequest', async (request, reply) => {
      const url = request.routeOptions.url;
      // Unknown paths go to the not-found handler.
      if (url === undefined) return;
      const rule = accessFor(request.method, url);
      if (rule === 'public') return;
      if (rule === undefined) request.log.error({ route: `${request.method} ${url}` }, 'route missing from the access policy: admins only');
      const identity = await app.identify(request, reply);
      request.identity = identity;
      const decision = decide(rule, identity?.role);
      if (decision === 'unauthenticated') {
        throw new ApiError(401, 'UNAUTHORIZED', 'Sign in, or send Authorization: Bearer <api key>');
      }
      if (decision === 'forbidden') {
        request.log.warn({ role: identity?.role, route: `${request.method} ${url}` }, 'request refused by the access policy');
        throw new ApiError(403, 'FORBIDDEN', `The ${identity?.role} role may not call ${request.method} ${url}`);
      }
    });
  },
  { name: 'access', dependencies: ['auth'] },
);
