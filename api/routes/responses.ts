import { and, asc, eq, gt, gte, lt, or, type SQL } from 'drizzle-orm';
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { tables } from '../../db';
import { notFound } from '../errors';
import { decodeCursor, encodeCursor } from '../pagination';
import { IdParams, Page, PageQuery, errorResponses } from '../schemas/common';
import { ResponseQuery, SurveyResponse } from '../schemas/responses';

const { responses } = tables;
type ResponseRow = typeof responses.$inferSelect;

const link = (id: string | null, href: (id: string) => string) => (id ? { id, href: href(id) } : null);

export const toSurveyResponse = (row: ResponseRow) => ({
  id: row.id,
  surveyId: row.surveyId,
  surveyVersion: row.surveyVersion,
  invitationId: row.invitationId,
  language: row.language,
  submittedAt: row.submittedAt.toISOString(),
  answers: row.answers,
  npsScore: row.npsScore,
  ratingScore: row.ratingScore,
  recordFields: row.recordFields,
  channel: row.channel,
  requestType: row.requestType,
  links: {
    contact: link(row.contactId, (id) => `/api/contacts/${id}`),
    client: link(row.clientId, (id) => `/api/clients/${id}`),
    entity: row.entityType && row.entityRef ? { type: row.entityType, ref: row.entityRef } : null,
    campaign: link(row.campaignId, (id) => `/api/campaigns/${id}`),
    member: row.memberId ? { id: row.memberId } : null,
    frontlineEmployee: link(row.frontlineEmployeeId, (id) => `/api/employees/${id}`),
    survey: { id: row.surveyId, href: `/api/surveys/${row.surveyId}` },
  },
});

/** Survey responses, with their links and record fields, for the admin side. */
export const responseRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['responses'];
  const security = [{ bearer: [] }];

  app.get(
    '/',
    {
      schema: {
        tags,
        security,
        querystring: Type.Object({ ...PageQuery, ...ResponseQuery }, { additionalProperties: false }),
        response: { 200: Page(SurveyResponse), ...errorResponses },
      },
    },
    async (request) => {
      const { limit = 50, cursor, from, to, ...match } = request.query;
      const after = decodeCursor(cursor);
      const filters: (SQL | undefined)[] = [];
      if (match.surveyId) filters.push(eq(responses.surveyId, match.surveyId));
      if (match.contactId) filters.push(eq(responses.contactId, match.contactId));
      if (match.clientId) filters.push(eq(responses.clientId, match.clientId));
      if (match.campaignId) filters.push(eq(responses.campaignId, match.campaignId));
      if (match.entityType) filters.push(eq(responses.entityType, match.entityType));
      if (match.entityRef) filters.push(eq(responses.entityRef, match.entityRef));
      if (match.channel) filters.push(eq(responses.channel, match.channel));
      if (from) filters.push(gte(responses.submittedAt, new Date(from)));
      if (to) filters.push(lt(responses.submittedAt, new Date(to)));
      if (after) {
        filters.push(
          or(gt(responses.submittedAt, after.createdAt), and(eq(responses.submittedAt, after.createdAt), gt(responses.id, after.id))),
        );
      }
      const rows = await app.db
        .select()
        .from(responses)
        .where(and(...filters))
        .orderBy(asc(responses.submittedAt), asc(responses.id))
        .limit(limit + 1);
      const items = rows.slice(0, limit);
      const last = items.at(-1);
      return {
        items: items.map(toSurveyResponse),
        nextCursor: rows.length > limit && last ? encodeCursor({ createdAt: last.submittedAt, id: last.id }) : null,
      };
    },
  );

  app.get(
    '/:id',
    { schema: { tags, security, params: IdParams, response: { 200: SurveyResponse, ...errorResponses } } },
    async (request) => {
      const [row] = await app.db.select().from(responses).where(eq(responses.id, request.params.id));
      if (!row) throw notFound('response');
      return toSurveyResponse(row);
    },
  );
};
