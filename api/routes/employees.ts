import { and, asc, eq, ilike, or, type SQL } from 'drizzle-orm';
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { tables } from '../../db';
import { frontlineCounts, reassignFrontline } from '../../contacts/frontline';
import { badRequest, conflict, notFound, sqlState, UNIQUE_VIOLATION } from '../errors';
import { afterCursor, pageOf } from '../pagination';
import { IdParams, Page, PageQuery, errorResponses } from '../schemas/common';
import { Employee, EmployeeCreate, EmployeePatch, FrontlineCounts, ReassignBody, ReassignResult } from '../schemas/employees';
import { employeeImportRoutes } from './employee-import';

const { employees } = tables;

type EmployeeRow = typeof employees.$inferSelect;
const toEmployee = (row: EmployeeRow) => ({
  ...row,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

function uniqueEmail(error: unknown, email: string | undefined): never {
  if (sqlState(error) === UNIQUE_VIOLATION) throw conflict(`an employee with email ${email} already exists`);
  throw error;
}

/** Employees: the frontline staff who own contacts and follow-up tasks. */
export const employeeRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['employees'];
  const security = [{ bearer: [] }];

  await app.register(employeeImportRoutes);

  app.post(
    '/',
    { schema: { tags, security, body: EmployeeCreate, response: { 201: Employee, ...errorResponses } } },
    async (request, reply) => {
      const body = request.body;
      const [row] = await app.db
        .insert(employees)
        .values({ ...body, email: body.email.trim() })
        .returning()
        .catch((error) => uniqueEmail(error, body.email));
      return reply.status(201).send(toEmployee(row!));
    },
  );

  app.get(
    '/:id',
    { schema: { tags, security, params: IdParams, response: { 200: Employee, ...errorResponses } } },
    async (request) => {
      const [row] = await app.db.select().from(employees).where(eq(employees.id, request.params.id));
      if (!row) throw notFound('employee');
      return toEmployee(row);
    },
  );

  app.patch(
    '/:id',
    { schema: { tags, security, params: IdParams, body: EmployeePatch, response: { 200: Employee, ...errorResponses } } },
    async (request) => {
      const [row] = await app.db
        .update(employees)
        .set(request.body)
        .where(eq(employees.id, request.params.id))
        .returning()
        .catch((error) => uniqueEmail(error, request.body.email));
      if (!row) throw notFound('employee');
      return toEmployee(row);
    },
  );

  app.get(
    '/',
    {
      schema: {
        tags,
        security,
        querystring: Type.Object(
          {
            ...PageQuery,
            q: Type.Optional(Type.String({ maxLength: 200, description: 'matches email or name' })),
            active: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
        response: { 200: Page(Employee), ...errorResponses },
      },
    },
    async (request) => {
      const { limit = 50, cursor, q, active } = request.query;
      const after = afterCursor(employees.createdAt, employees.id, cursor);
      const filters: (SQL | undefined)[] = [];
      if (q) {
        const pattern = `%${q.replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
        filters.push(or(ilike(employees.email, pattern), ilike(employees.firstName, pattern), ilike(employees.lastName, pattern)));
      }
      if (active !== undefined) filters.push(eq(employees.active, active));
      filters.push(after);
      const rows = await app.db
        .select()
        .from(employees)
        .where(and(...filters))
        .orderBy(asc(employees.createdAt), asc(employees.id))
        .limit(limit + 1);
      const page = pageOf(rows, limit);
      return { items: page.items.map(toEmployee), nextCursor: page.nextCursor };
    },
  );

  const exists = async (id: string) => {
    const [row] = await app.db.select({ id: employees.id }).from(employees).where(eq(employees.id, id));
    if (!row) throw notFound('employee');
  };

  app.get(
    '/:id/frontline',
    {
      schema: {
        tags,
        security,
        description: 'How many clients and contacts the employee is the frontline employee of (list them with GET /api/clients and GET /api/contacts ?frontlineEmployeeId=).',
        params: IdParams,
        response: { 200: FrontlineCounts, ...errorResponses },
      },
    },
    async (request) => {
      await exists(request.params.id);
      return frontlineCounts(app.db, request.params.id);
    },
  );

  app.post(
    '/:id/reassign',
    {
      schema: {
        tags,
        security,
        description:
          "Makes another active employee the frontline employee of all or some of this employee's clients and contacts, in " +
          'one transaction however many rows. Follow-up tasks already made keep their assignee; running campaign members ' +
          "make later detractor tasks for their contact's frontline employee at that time, so those go to the new one.",
        params: IdParams,
        body: ReassignBody,
        response: { 200: ReassignResult, ...errorResponses },
      },
    },
    async (request) => {
      await exists(request.params.id);
      const result = await reassignFrontline(app.db, { fromEmployeeId: request.params.id, ...request.body });
      if (result.outcome === 'refused') throw badRequest(result.reason);
      return { clients: result.clients, contacts: result.contacts };
    },
  );
};
