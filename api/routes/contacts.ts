import { Readable } from 'node:stream';
import { and, asc, eq, isNotNull, isNull, sql } from 'drizzle-orm';
import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { tables } from '../../db';
import { contactChanged } from '../../contacts';
import { contactActivity } from '../../contacts/activity';
import { countContacts, exportContactsCsv } from '../../contacts/export';
import { contactConditions } from '../../contacts/list-filter';
import { csvDialect, CsvDialectParam, sendCsv } from '../csv-reply';
import { contactWriteError } from '../contact-errors';
import { deliverInBackground } from '../../signals/deliver-in-background';
import { normaliseContactFields, type FieldProblem } from '../../contacts/values';
import { badRequest, conflict, notFound } from '../errors';
import { afterCursor, pageOf } from '../pagination';
import { CsvBody, IdParams, Page, errorResponses } from '../schemas/common';
import { Contact, ContactActivity, ContactCountQuery, ContactFilterQuery, ContactInput, ContactListQuery, ContactPatch } from '../schemas/contacts';
import { contactImportRoutes } from './contact-import';
import { contactPrivacyRoutes } from './contact-privacy';

const { contacts } = tables;

type ContactRow = typeof contacts.$inferSelect;
const iso = (value: Date | null) => (value ? value.toISOString() : null);
export const toContact = (row: ContactRow) => ({
  ...row,
  optedOutAt: iso(row.optedOutAt),
  emailBouncedAt: iso(row.emailBouncedAt),
  lastSurveyCompletedAt: iso(row.lastSurveyCompletedAt),
  erasedAt: iso(row.erasedAt),
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

/** Contacts: the people surveyed. emailBouncedAt and lastSurveyCompletedAt are written by the system. */
export const contactRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // onRequest, not preHandler: an unauthenticated caller learns nothing from body validation.
  const tags = ['contacts'];
  const security = [{ bearer: [] }];

  await app.register(contactImportRoutes);
  await app.register(contactPrivacyRoutes);

  const isErased = async (id: string) =>
    (await app.db.select({ id: contacts.id }).from(contacts).where(and(eq(contacts.id, id), isNotNull(contacts.erasedAt)))).length > 0;

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
            // An erased person's tombstone takes no new data.
            .where(and(eq(contacts.id, request.params.id), isNull(contacts.erasedAt)))
            .returning();
          return { row: updated, owed: updated && mayStopSurveys ? await contactChanged(tx, [updated.id]) : [] };
        })
        .catch((error) => contactWriteError(error, body));
      if (!row) throw (await isErased(request.params.id)) ? conflict('the contact was erased') : notFound('contact');
      deliverInBackground(app.db, app.temporal, request.log, owed);
      return toContact(row);
    },
  );

  app.get(
    '/',
    { schema: { tags, security, querystring: ContactListQuery, response: { 200: Page(Contact), ...errorResponses } } },
    async (request) => {
      const { limit = 50, cursor, ...filter } = request.query;
      const rows = await app.db
        .select()
        .from(contacts)
        .where(and(...contactConditions(filter), afterCursor(contacts.createdAt, contacts.id, cursor)))
        .orderBy(asc(contacts.createdAt), asc(contacts.id))
        .limit(limit + 1);
      const page = pageOf(rows, limit);
      return { items: page.items.map(toContact), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/count',
    {
      schema: {
        tags,
        security,
        description: 'How many contacts match the list\'s filters.',
        querystring: ContactCountQuery,
        response: { 200: Type.Object({ count: Type.Integer() }), ...errorResponses },
      },
    },
    async (request) => ({ count: await countContacts(app.db, request.query) }),
  );

  app.get(
    '/export.csv',
    {
      schema: {
        tags,
        security,
        description:
          'Every contact matching the list\'s filters, one line each. The columns carry the import\'s names, so an edited ' +
          'export imports again (matched on externalRef); id, client, frontlineEmployee, emailBouncedAt, ' +
          'lastSurveyCompletedAt and createdAt are for reading and the import skips them. dialect=excel for Dutch Excel.',
        querystring: Type.Object({ ...ContactFilterQuery, dialect: CsvDialectParam }, { additionalProperties: false }),
        response: { 200: CsvBody, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { dialect, ...filter } = request.query;
      return sendCsv(reply, 'contacts', Readable.from(exportContactsCsv(app.db, filter, csvDialect(dialect))));
    },
  );

  app.get(
    '/:id/activity',
    {
      schema: {
        tags,
        security,
        description:
          "The contact's campaign memberships (with the latest survey link's dates), answers, follow-up tasks and the " +
          "emails sent to them with the provider's events, newest first, at most 100 of each.",
        params: IdParams,
        response: { 200: ContactActivity, ...errorResponses },
      },
    },
    async (request) => {
      const [row] = await app.db.select({ id: contacts.id }).from(contacts).where(eq(contacts.id, request.params.id));
      if (!row) throw notFound('contact');
      return contactActivity(app.db, row.id);
    },
  );
};
