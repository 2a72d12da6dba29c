import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { npsGroup } from '../../domain/nps';
import { listResponses, readResponse, type ListedResponse } from '../../responses';
import { notFound } from '../errors';
import { decodeCursor, encodeCursor } from '../pagination';
import { IdParams, PageQuery, errorResponses } from '../schemas/common';
import { ResponseDetailQuery, ResponsePage, ResponseQuery, SurveyResponseDetail } from '../schemas/responses';

const link = (id: string | null, href: (id: string) => string) => (id ? { id, href: href(id) } : null);

export const toSurveyResponse = (row: ListedResponse) => ({
  id: row.id,
  surveyId: row.surveyId,
  surveyVersion: row.surveyVersion,
  invitationId: row.invitationId,
  language: row.language,
  submittedAt: row.submittedAt.toISOString(),
  answers: row.answers,
  npsScore: row.npsScore,
  npsGroup: npsGroup(row.npsScore),
  ratingScore: row.ratingScore,
  recordFields: row.recordFields,
  channel: row.channel,
  requestType: row.requestType,
  comment: row.comment,
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
        description: 'Responses matching every given filter, newest first, with a count capped at 1,000.',
        querystring: Type.Object({ ...PageQuery, ...ResponseQuery }, { additionalProperties: false }),
        response: { 200: ResponsePage, ...errorResponses },
      },
    },
    async (request) => {
      const { limit = 50, cursor, from, to, q, ...match } = request.query;
      const after = decodeCursor(cursor);
      const filter = { ...match, from: from ? new Date(from) : undefined, to: to ? new Date(to) : undefined, text: q };
      const page = await listResponses(app.db, filter, { limit, before: after && { submittedAt: after.createdAt, id: after.id } });
      return {
        items: page.items.map(toSurveyResponse),
        nextCursor: page.next && encodeCursor({ createdAt: page.next.submittedAt, id: page.next.id }),
        count: page.count,
      };
    },
  );

  app.get(
    '/:id',
    {
      schema: {
        tags,
        security,
        description: "One response with its answers in the survey's question order, labelled in the reader's language.",
        params: IdParams,
        querystring: ResponseDetailQuery,
        response: { 200: SurveyResponseDetail, ...errorResponses },
      },
    },
    async (request) => {
      const found = await readResponse(app.db, request.params.id, {
        language: request.query.language,
        acceptLanguage: request.headers['accept-language'],
      });
      if (!found) throw notFound('response');
      const { response, ...detail } = found;
      return { ...toSurveyResponse(response), ...detail };
    },
  );
};
