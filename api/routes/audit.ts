import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Role } from '../schemas/employees';
import { listAudit } from '../../people/audit';
import { badRequest } from '../errors';
import { Page, PageQuery, Uuid, errorResponses } from '../schemas/common';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

const AuditEntry = Type.Object({
  id: Uuid,
  at: Type.String({ format: 'date-time' }),
  actorType: Type.String({ description: 'employee, api_key, anonymous, or system (the retention run)' }),
  employeeId: Nullable(Uuid),
  apiKeyId: Nullable(Uuid),
  actorName: Nullable(Type.String()),
  role: Nullable(Role),
  action: Type.String({ description: 'the route (method and template) or a sign-in event' }),
  entityType: Nullable(Type.String()),
  entityId: Nullable(Type.String()),
  outcome: Type.String({ description: 'success or failure' }),
  statusCode: Nullable(Type.Integer()),
  ip: Nullable(Type.String()),
  details: Nullable(Type.Unknown({ description: 'what a system run did, e.g. the retention run\'s { at, removed, periods }' })),
});

const AuditQuery = Type.Object(
  {
    ...PageQuery,
    employeeId: Type.Optional(Uuid),
    apiKeyId: Type.Optional(Uuid),
    action: Type.Optional(Type.String({ minLength: 1, maxLength: 300, description: 'exact, e.g. `POST /api/campaigns/:id/launch`' })),
    entityType: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    entityId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    outcome: Type.Optional(Type.Union([Type.Literal('success'), Type.Literal('failure')])),
    from: Type.Optional(Type.String({ format: 'date-time' })),
    to: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
);

function decodeAuditCursor(cursor: string | undefined) {
  if (!cursor) return undefined;
  const [iso, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const at = new Date(iso ?? '');
  if (!id || Number.isNaN(at.getTime()) || !/^[0-9a-f-]{36}$/i.test(id)) throw badRequest('cursor is not valid');
  return { at, id };
}

/** The audit log: who changed what, newest first, with filters. */
export const auditRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/',
    {
      schema: {
        tags: ['audit'],
        security: [{ bearer: [] }],
        description: 'Audit entries newest first: every state-changing request and every sign-in',
        querystring: AuditQuery,
        response: { 200: Page(AuditEntry), ...errorResponses },
      },
    },
    async (request) => {
      const { limit = 50, cursor, from, to, ...filters } = request.query;
      const rows = await listAudit(app.db, {
        ...filters,
        from: from ? new Date(from) : undefined,
        to: to ? new Date(to) : undefined,
        before: decodeAuditCursor(cursor),
        limit,
      });
      const items = rows.slice(0, limit);
      const last = items.at(-1);
      return {
        items: items.map((row) => ({ ...row, at: row.at.toISOString() })),
        nextCursor: rows.length > limit && last ? Buffer.from(`${last.at.toISOString()}|${last.id}`).toString('base64url') : null,
      };
    },
  );
};
