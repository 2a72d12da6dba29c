import { and, desc, eq, isNotNull, isNull, lt, or } from 'drizzle-orm';
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Role } from '../schemas/employees';
import { tables } from '../../db';
import { createApiKey, revokeApiKey } from '../../people/api-keys';
import { badRequest, notFound } from '../errors';
import { decodeCursor, pageOf } from '../pagination';
import { IdParams, Page, PageQuery, Uuid, errorResponses } from '../schemas/common';

const { apiKeys, employees } = tables;

const Timestamp = Type.String({ format: 'date-time' });
const NullableTimestamp = Type.Union([Timestamp, Type.Null()]);

const ApiKey = Type.Object({
  id: Uuid,
  name: Type.String(),
  role: Role,
  employeeId: Type.Union([Uuid, Type.Null()]),
  expiresAt: NullableTimestamp,
  createdAt: Timestamp,
  lastUsedAt: NullableTimestamp,
  revokedAt: NullableTimestamp,
  /** active, expired or revoked */
  state: Type.Union([Type.Literal('active'), Type.Literal('expired'), Type.Literal('revoked')]),
});
const CreatedApiKey = Type.Object({
  ...ApiKey.properties,
  secret: Type.String({ description: 'The key itself. Shown this once: only its hash is stored.' }),
});
const ApiKeyInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    role: Role,
    employeeId: Type.Optional(Type.Union([Uuid, Type.Null()])),
    expiresAt: Type.Optional(Type.Union([Timestamp, Type.Null()])),
  },
  { additionalProperties: false },
);

type ApiKeyRow = typeof apiKeys.$inferSelect;
const toApiKey = (row: ApiKeyRow, now = new Date()) => ({
  id: row.id,
  name: row.name,
  role: row.role,
  employeeId: row.employeeId,
  expiresAt: row.expiresAt?.toISOString() ?? null,
  createdAt: row.createdAt.toISOString(),
  lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
  revokedAt: row.revokedAt?.toISOString() ?? null,
  state: row.revokedAt ? ('revoked' as const) : row.expiresAt && row.expiresAt <= now ? ('expired' as const) : ('active' as const),
});

/** API keys for machine clients: created with a role (the secret shown once), listed, revoked. */
export const apiKeyRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['api-keys'];
  const security = [{ bearer: [] }];

  app.post(
    '/',
    {
      schema: {
        tags,
        security,
        description: 'Creates a key. The answer holds the secret, once; a personal key (employeeId) ends with its employee.',
        body: ApiKeyInput,
        response: { 201: CreatedApiKey, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { name, role, employeeId, expiresAt } = request.body;
      const expires = expiresAt ? new Date(expiresAt) : null;
      if (expires && expires.getTime() <= Date.now()) throw badRequest('body.expiresAt must be in the future');
      if (role === 'employee' && !employeeId) throw badRequest('body.employeeId is required for a key with the employee role');
      if (employeeId) {
        const [owner] = await app.db.select({ active: employees.active }).from(employees).where(eq(employees.id, employeeId));
        if (!owner) throw badRequest('body.employeeId names no employee');
        if (!owner.active) throw badRequest('body.employeeId names an inactive employee');
      }
      const { row, secret } = await createApiKey(app.db, { name: name.trim(), role, employeeId, expiresAt: expires });
      return reply.status(201).send({ ...toApiKey(row), secret });
    },
  );

  app.get(
    '/',
    {
      schema: {
        tags,
        security,
        description: 'Every key, newest first, without secrets',
        querystring: Type.Object(
          { ...PageQuery, state: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('revoked')])) },
          { additionalProperties: false },
        ),
        response: { 200: Page(ApiKey), ...errorResponses },
      },
    },
    async (request) => {
      const { limit = 50, cursor, state } = request.query;
      const before = decodeCursor(cursor);
      const rows = await app.db
        .select()
        .from(apiKeys)
        .where(
          and(
            state === 'active' ? isNull(apiKeys.revokedAt) : undefined,
            state === 'revoked' ? isNotNull(apiKeys.revokedAt) : undefined,
            before ? or(lt(apiKeys.createdAt, before.createdAt), and(eq(apiKeys.createdAt, before.createdAt), lt(apiKeys.id, before.id))) : undefined,
          ),
        )
        .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id))
        .limit(limit + 1);
      const page = pageOf(rows, limit);
      return { items: page.items.map((row) => toApiKey(row)), nextCursor: page.nextCursor };
    },
  );

  app.delete(
    '/:id',
    {
      schema: {
        tags,
        security,
        description: 'Revokes a key: refused from the next request on',
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      if (!(await revokeApiKey(app.db, request.params.id))) throw notFound('API key');
      return reply.status(204).send(null);
    },
  );
};
