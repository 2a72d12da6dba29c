import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { PUBLIC_BODY_LIMIT, TokenParams } from './params';
import { localize, validateAnswers } from '../../../domain/survey-definition';
import { ApiError } from '../../errors';
import { Uuid } from '../../schemas/common';
import { chooseLanguage, findLink, linkState, recordOpened, storeResponse } from '../../../responses';
import { deliverInBackground } from '../../../signals/deliver-in-background';

const LINK_ERRORS = {
  invalid: () => new ApiError(404, 'LINK_NOT_FOUND', 'no survey link with this token'),
  expired: () => new ApiError(410, 'LINK_EXPIRED', 'this survey link has expired'),
  closed: () => new ApiError(410, 'SURVEY_CLOSED', 'this survey no longer takes answers'),
  answered: () => new ApiError(409, 'ALREADY_ANSWERED', 'this survey link has already been answered'),
} as const;

/** The same survey and submission as JSON under /api/public, for embedding. */
export const jsonRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['public'];
  const errors = { 400: Type.Ref('ErrorBody'), 404: Type.Ref('ErrorBody'), 409: Type.Ref('ErrorBody'), 410: Type.Ref('ErrorBody'), 429: Type.Ref('ErrorBody') };

  app.get(
    '/surveys/:token',
    {
      schema: {
        tags,
        summary: 'the survey behind a link, for rendering it elsewhere',
        params: TokenParams,
        querystring: Type.Object({ lang: Type.Optional(Type.String({ maxLength: 10 })) }),
        response: {
          200: Type.Object({
            title: Type.String(),
            language: Type.String(),
            version: Type.Integer(),
            anonymous: Type.Boolean({ description: 'answers are stored without the link: tell the respondent' }),
            definition: Type.Unknown(),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const link = await findLink(app.db, request.params.token);
      const state = linkState(link);
      if (!link || state !== 'open') throw LINK_ERRORS[state as keyof typeof LINK_ERRORS]();
      try {
        deliverInBackground(app.db, app.temporal, request.log, await recordOpened(app.db, link));
      } catch (error) {
        request.log.warn({ err: error }, 'could not record the survey open');
      }
      const language = chooseLanguage(
        link.definition.languages,
        [request.query.lang, link.invitation.language, link.contactLanguage],
        request.headers['accept-language'],
        link.defaultLanguage,
      );
      return {
        title: localize(link.definition.title, language, [link.defaultLanguage]) || link.surveyTitle,
        language,
        version: link.version,
        anonymous: link.anonymous,
        definition: link.definition,
      };
    },
  );

  app.post(
    '/responses/:token',
    {
      bodyLimit: PUBLIC_BODY_LIMIT,
      schema: {
        tags,
        summary: 'answer a survey link (JSON); 409 when it was already answered',
        params: TokenParams,
        body: Type.Object(
          {
            answers: Type.Record(Type.String({ maxLength: 64 }), Type.Unknown(), { maxProperties: 500 }),
            language: Type.Optional(Type.String({ maxLength: 10 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ id: Uuid, npsScore: Type.Union([Type.Integer(), Type.Null()]) }), ...errors },
      },
    },
    async (request, reply) => {
      const link = await findLink(app.db, request.params.token);
      const state = linkState(link);
      if (!link || state !== 'open') throw LINK_ERRORS[state as keyof typeof LINK_ERRORS]();
      const { definition } = link;
      const result = validateAnswers(definition, request.body.answers);
      if (result.problems.length) {
        throw new ApiError(400, 'VALIDATION_ERROR', result.problems.map((p) => p.message).join('; '), { problems: result.problems });
      }
      const language = chooseLanguage(
        definition.languages,
        [request.body.language, link.invitation.language, link.contactLanguage],
        request.headers['accept-language'],
        link.defaultLanguage,
      );
      const outcome = await storeResponse(app.db, link, definition, result.answers, language);
      if (!outcome.stored) throw LINK_ERRORS.answered();
      deliverInBackground(app.db, app.temporal, request.log, outcome.owed);
      return reply.status(201).send({ id: outcome.responseId, npsScore: outcome.npsScore });
    },
  );
};
