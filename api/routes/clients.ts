import { and, asc, eq, ilike, or, type SQL } from 'drizzle-orm';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { tables } from '../../db';
import { contactWriteError } from '../contact-errors';
import { notFound } from '../errors';
import { afterCursor, pageOf } from '../pagination';
import { Client, ClientInput, ClientListQuery, ClientPatch } from '../schemas/clients';
import { IdParams, Page, errorResponses } from '../schemas/common';

const { clients } = tables;

type ClientRow = typeof clients.$inferSelect;
const toClient = (row: ClientRow) => ({
  ...row,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

const trimmed = <T extends { name?: string; externalRef?: string | null }>(body: T): T => ({
  ...body,
  ...(body.name === undefined ? {} : { name: body.name.trim() }),
  ...(typeof body.externalRef === 'string' ? { externalRef: body.externalRef.trim() } : {}),
});

/** Clients (accounts): the organisations contacts belong to, each with a frontline employee. */
export const clientRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // onRequest, not preHandler: an unauthenticated caller learns nothing from body validation.
  const tags = ['clients'];
  const security = [{ bearer: [] }];

  app.post(
    '/',
    { schema: { tags, security, body: ClientInput, response: { 201: Client, ...errorResponses } } },
    async (request, reply) => {
      const body = trimmed(request.body);
      const [row] = await app.db
        .insert(clients)
        .values(body)
        .returning()
        .catch((error) => contactWriteError(error, body, 'client'));
      return reply.status(201).send(toClient(row!));
    },
  );

  app.get(
    '/:id',
    { schema: { tags, security, params: IdParams, response: { 200: Client, ...errorResponses } } },
    async (request) => {
      const [row] = await app.db.select().from(clients).where(eq(clients.id, request.params.id));
      if (!row) throw notFound('client');
      return toClient(row);
    },
  );

  app.patch(
    '/:id',
    { schema: { tags, security, params: IdParams, body: ClientPatch, response: { 200: Client, ...errorResponses } } },
    async (request) => {
      const body = trimmed(request.body);
      const [row] = await app.db
        .update(clients)
        .set(body)
        .where(eq(clients.id, request.params.id))
        .returning()
        .catch((error) => contactWriteError(error, body, 'client'));
      if (!row) throw notFound('client');
      return toClient(row);
    },
  );

  app.get(
    '/',
    { schema: { tags, security, querystring: ClientListQuery, response: { 200: Page(Client), ...errorResponses } } },
    async (request) => {
      const { limit = 50, cursor, q, externalRef, frontlineEmployeeId } = request.query;
      const after = afterCursor(clients.createdAt, clients.id, cursor);
      const filters: (SQL | undefined)[] = [];
      if (q) {
        const pattern = `%${q.replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
        filters.push(or(ilike(clients.name, pattern), ilike(clients.externalRef, pattern)));
      }
      if (externalRef) filters.push(eq(clients.externalRef, externalRef));
      if (frontlineEmployeeId) filters.push(eq(clients.frontlineEmployeeId, frontlineEmployeeId));
      filters.push(after);
      const rows = await app.db
        .select()
        .from(clients)
        .where(and(...filters))
        .orderBy(asc(clients.createdAt), asc(clients.id))
        .limit(limit + 1);
      const page = pageOf(rows, limit);
      return { items: page.items.map(toClient), nextCursor: page.nextCursor };
    },
  );
};
