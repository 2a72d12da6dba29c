import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { recordAudit } from '../../people/audit';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The id a create (201) answered with. */
function createdId(status: number, payload: unknown): string | undefined {
  if (status !== 201 || typeof payload !== 'string') return undefined;
  try {
    const id = (JSON.parse(payload) as { id?: unknown }).id;
    return typeof id === 'string' && UUID.test(id) ? id : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What a route acts on, from its template: the resource named before the last parameter
 * (`/api/campaigns/:id/members/:memberId/reject` → members, memberId), else the first resource
 * after /api (`/api/contacts/import` → contacts) with the id a create answered with.
 */
export function entityOf(url: string, params: Record<string, string>, createdId?: string) {
  const segments = url.replace(/^\/api\//, '').split('/').filter(Boolean);
  for (let index = segments.length - 1; index > 0; index -= 1) {
    const segment = segments[index]!;
    if (segment.startsWith(':')) return { entityType: segments[index - 1]!, entityId: params[segment.slice(1)] ?? null };
  }
  return { entityType: segments[0] ?? null, entityId: createdId ?? null };
}

/**
 * Every state-changing request made by a signed-in employee or a key is recorded once answered:
 * who, with which role, the route (a template, so no survey link or secret is ever in it), the
 * entity, the outcome and the client address. Sign-ins are recorded by the sign-in routes.
 */
export const audit = fp(
  async (app: FastifyInstance) => {
    // Written before the answer leaves, so whoever sees the answer finds the entry.
    app.addHook('onSend', async (request: FastifyRequest, reply, payload) => {
      const url = request.routeOptions.url;
      if (!request.identity || SAFE_METHODS.has(request.method) || url === undefined) return payload;
      const { entityType, entityId } = entityOf(url, (request.params ?? {}) as Record<string, string>, createdId(reply.statusCode, payload));
      try {
        await recordAudit(app.db, {
          actor: request.identity,
          action: `${request.method} ${url.length > 1 ? url.replace(/\/+$/, '') : url}`,
          entityType,
          entityId,
          outcome: reply.statusCode < 400 ? 'success' : 'failure',
          statusCode: reply.statusCode,
          ip: request.ip,
        });
      } catch (error) {
        request.log.error({ err: error }, 'could not write the audit entry');
      }
      return payload;
    });
  },
  { name: 'audit', dependencies: ['auth'] },
);
