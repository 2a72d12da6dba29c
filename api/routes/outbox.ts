import { and, desc, eq, ilike, lt, or, type SQL } from 'drizzle-orm';
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { tables } from '../../db';
import { notFound } from '../errors';
import { decodeCursor, pageOf } from '../pagination';
import { IdParams, Page, PageQuery, errorResponses } from '../schemas/common';
import { maskSignInLinks } from '../../people/sign-in-links';

const { emailOutbox } = tables;
type OutboxRow = typeof emailOutbox.$inferSelect;

const Timestamp = Type.String({ format: 'date-time' });
const NullableString = Type.Union([Type.String(), Type.Null()]);

/**
 * What a list shows of a message: who, what, when and how it went. The bodies and headers carry
 * the recipient's personal survey and unsubscribe links, so they appear only in the detail view.
 */
const summaryFields = {
  id: Type.String({ format: 'uuid' }),
  kind: Type.String({ description: 'invitation, reminder, follow-up …' }),
  toAddress: Type.String(),
  fromAddress: Type.String(),
  subject: Type.String(),
  status: Type.String(),
  provider: Type.String(),
  providerMessageId: NullableString,
  contactId: NullableString,
  memberId: NullableString,
  createdAt: Timestamp,
  sentAt: Type.Union([Timestamp, Type.Null()]),
};
const OutboxSummary = Type.Object(summaryFields);
const OutboxMessage = Type.Object({
  ...summaryFields,
  html: Type.String(),
  text: Type.String(),
  headers: Type.Record(Type.String(), Type.String()),
});

const OutboxListQuery = Type.Object(
  {
    ...PageQuery,
    kind: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    to: Type.Optional(Type.String({ minLength: 1, maxLength: 320, description: 'part of the recipient address, case-insensitive' })),
  },
  { additionalProperties: false },
);

const toSummary = (row: OutboxRow) => ({
  id: row.id,
  kind: row.kind,
  toAddress: row.toAddress,
  fromAddress: row.fromAddress,
  subject: row.subject,
  status: row.status,
  provider: row.provider,
  providerMessageId: row.providerMessageId,
  contactId: row.contactId,
  memberId: row.memberId,
  createdAt: row.createdAt.toISOString(),
  sentAt: row.sentAt?.toISOString() ?? null,
});

const escapeLike = (value: string) => value.replace(/[%_\\]/g, (c) => `\\${c}`);

/** The email outbox (the embedded mail default): newest first, for the admin UI and operators. */
export const outboxRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['outbox'];
  const security = [{ bearer: [] }];

  app.get(
    '/',
    {
      schema: {
        tags,
        security,
        description: 'Messages newest first, without bodies (they hold personal survey links)',
        querystring: OutboxListQuery,
        response: { 200: Page(OutboxSummary), ...errorResponses },
      },
    },
    async (request) => {
      const { limit = 50, cursor, kind, to } = request.query;
      const before = decodeCursor(cursor);
      const filters: (SQL | undefined)[] = [
        kind ? eq(emailOutbox.kind, kind) : undefined,
        to ? ilike(emailOutbox.toAddress, `%${escapeLike(to.trim())}%`) : undefined,
        before
          ? or(lt(emailOutbox.createdAt, before.createdAt), and(eq(emailOutbox.createdAt, before.createdAt), lt(emailOutbox.id, before.id)))
          : undefined,
      ];
      const rows = await app.db
        .select()
        .from(emailOutbox)
        .where(and(...filters))
        .orderBy(desc(emailOutbox.createdAt), desc(emailOutbox.id))
        .limit(limit + 1);
      const page = pageOf(rows, limit);
      return { items: page.items.map(toSummary), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/:id',
    {
      schema: {
        tags,
        security,
        description: 'One message with its bodies and headers',
        params: IdParams,
        response: { 200: OutboxMessage, ...errorResponses },
      },
    },
    async (request) => {
      const [row] = await app.db.select().from(emailOutbox).where(eq(emailOutbox.id, request.params.id));
      if (!row) throw notFound('message');
      // A sign-in link in the outbox would let its reader sign in as the recipient.
      return { ...toSummary(row), html: maskSignInLinks(row.html), text: maskSignInLinks(row.text), headers: row.headers };
    },
  );
};
