import { and, asc, eq, ilike, or, sql, type SQL } from 'drizzle-orm';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { tables } from '../../db';
import { contactChanged } from '../../contacts';
import { contactWriteError } from '../contact-errors';
import { deliverInBackground } from '../../signals/deliver-in-background';
import { normaliseContactFields, type FieldProblem } from '../../contacts/values';
import { badRequest, notFound } from '../errors';
import { afterCursor, pageOf } from '../pagination';
import { IdParams, Page, errorResponses } from '../schemas/common';
import { Contact, ContactInput, ContactListQuery, ContactPatch } from '../schemas/contacts';
import { contactImportRoutes } from './contact-import';

const { contacts } = tables;

type ContactRow = typeof contacts.$inferSelect;
const iso = (value: Date | null) => (value ? value.toISOString() : null);
export const toContact = (row: ContactRow) => ({
  ...row,
  optedOutAt: iso(row.optedOutAt),
  emailBouncedAt: iso(row.emailBouncedAt),
  lastSurveyCompletedAt: iso(row.lastSurveyCompletedAt),
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

function normalised<T extends ContactInput>(body: T): T {
  const problems: FieldProblem[] = [];
  const fields = normaliseContactFields({ ...body }, problems);
  const first = problems[0];
  if (first) throw badRequest(`body.${first.field}: ${first.message}`, problems);
  return fields;
}

const likePattern = (q: string) => `%${q.replace(/[%_\\]/g, (c) => `\\${c}`)}%`;

/** Contacts: the people surveyed. emailBouncedAt and lastSurveyCompletedAt are written by the system. */
export const contactRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // onRequest, not preHandler: an unauthenticated caller learns nothing from body validation.
  const tags = ['contacts'];
  const security = [{ bearer: [] }];

  await app.register(contactImportRoutes);

  app.post(
    '/',
    { schema: { tags, security, body: ContactInput, response: { 201: Contact, ...errorResponses } } },
    async (request, reply) => {
      const body = normalised(request.body);
      const [row] = await app.db
        .insert(contacts)
        .values({ ...body, optedOutAt: body.optedOut ? new Date() : null })
        .returning()
        .catch((error) => contactWriteError(error, body));
      return reply.status(201).send(toContact(row!));
    },
  );

  app.get(
    '/:id',
    { schema: { tags, security, params: IdParams, response: { 200: Contact, ...errorResponses } } },
    async (request) => {
      const [row] = await app.db.select().from(contacts).where(eq(contacts.id, request.params.id));
      if (!row) throw notFound('contact');
      return toContact(row);
    },
  );

  app.patch(
    '/:id',
    {
      schema: {
        tags,
        security,
        description: 'Changing the email address clears emailBouncedAt: a bounce suppresses only the address that bounced.',
        params: IdParams,
        body: ContactPatch,
        response: { 200: Contact, ...errorResponses },
      },
    },
    async (request) => {
      const body = normalised(request.body);
      const set: Partial<Record<keyof ContactRow, unknown>> = { ...body };
      if (body.optedOut !== undefined) {
        set.optedOutAt = body.optedOut ? sql`coalesce(${contacts.optedOutAt}, now())` : null;
      }
      if (body.email !== undefined) {
        set.emailBouncedAt = sql`case when lower(${contacts.email}) is distinct from lower(${body.email}::text)
          then null else ${contacts.emailBouncedAt} end`;
      }
      // A change that can stop surveys reaches the contact's running members at once.
      const mayStopSurveys = body.optedOut === true || body.inactive === true || body.outOfScope === true || body.email !== undefined;
      const { row, owed } = await app.db
        .transaction(async (tx) => {
          const [updated] = await tx
            .update(contacts)
            .set(set as Partial<typeof contacts.$inferInsert>)
            .where(eq(contacts.id, request.params.id))
            .returning();
          return { row: updated, owed: updated && mayStopSurveys ? await contactChanged(tx, [updated.id]) : [] };
        })
        .catch((error) => contactWriteError(error, body));
      if (!row) throw notFound('contact');
      deliverInBackground(app.db, app.temporal, request.log, owed);
      return toContact(row);
    },
  );

  app.get(
    '/',
    { schema: { tags, security, querystring: ContactListQuery, response: { 200: Page(Contact), ...errorResponses } } },
    async (request) => {
      const { limit = 50, cursor, q, email, externalRef, clientId, frontlineEmployeeId, optedOut, inactive, outOfScope, language } =
        request.query;
      const after = afterCursor(contacts.createdAt, contacts.id, cursor);
      const filters: (SQL | undefined)[] = [];
      if (q) {
        const pattern = likePattern(q);
        filters.push(or(ilike(contacts.email, pattern), ilike(contacts.firstName, pattern), ilike(contacts.lastName, pattern)));
      }
      // lower(email) = lower($1) is served by contacts_email_idx.
      if (email) filters.push(sql`lower(${contacts.email}) = lower(${email.trim()}::text)`);
      if (externalRef) filters.push(eq(contacts.externalRef, externalRef));
      if (clientId) filters.push(eq(contacts.clientId, clientId));
      if (frontlineEmployeeId) filters.push(eq(contacts.frontlineEmployeeId, frontlineEmployeeId));
      if (optedOut !== undefined) filters.push(eq(contacts.optedOut, optedOut));
      if (inactive !== undefined) filters.push(eq(contacts.inactive, inactive));
      if (outOfScope !== undefined) filters.push(eq(contacts.outOfScope, outOfScope));
      if (language) filters.push(eq(contacts.language, language.toLowerCase()));
      filters.push(after);
      const rows = await app.db
        .select()
        .from(contacts)
        .where(and(...filters))
        .orderBy(asc(contacts.createdAt), asc(contacts.id))
        .limit(limit + 1);
      const page = pageOf(rows, limit);
      return { items: page.items.map(toContact), nextCursor: page.nextCursor };
    },
  );
};
