import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { readOperation } from '../../operations';
import { notFound } from '../errors';
import { IdParams, errorResponses } from '../schemas/common';

const OperationItem = Type.Object({
  memberId: Type.String(),
  result: Type.Union([Type.Literal('done'), Type.Literal('skipped'), Type.Literal('failed')]),
  detail: Type.Union([Type.String(), Type.Null()]),
  at: Type.String({ format: 'date-time' }),
});

const Operation = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  campaignId: Type.String(),
  params: Type.Unknown(),
  status: Type.Union([Type.Literal('running'), Type.Literal('done')]),
  total: Type.Union([Type.Integer(), Type.Null()]),
  done: Type.Integer(),
  skipped: Type.Integer(),
  failed: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }),
  finishedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  items: Type.Array(OperationItem),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

const OperationQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  cursor: Type.Optional(Type.String({ format: 'uuid' })),
  result: Type.Optional(Type.Union([Type.Literal('done'), Type.Literal('skipped'), Type.Literal('failed')])),
});

/** Operations on many members: progress (done / skipped / failed of total) and each member's result. */
export const operationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/:id',
    {
      schema: {
        tags: ['operations'],
        security: [{ bearer: [] }],
        description: "An operation's progress and a page of its members' results",
        params: IdParams,
        querystring: OperationQuery,
        response: { 200: Operation, ...errorResponses },
      },
    },
    async (request) => {
      const { limit, cursor, result } = request.query;
      const report = await readOperation(app.db, request.params.id, { limit, after: cursor, result });
      if (!report) throw notFound('operation');
      return report;
    },
  );
};
