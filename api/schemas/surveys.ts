import { Type, type Static } from 'typebox';
import { SurveyDefinitionSchema } from '../../domain/survey-definition';
import { Uuid } from './common';

const Language = Type.String({ pattern: '^[a-z]{2}$', description: 'ISO 639-1 code, e.g. nl' });
const Tag = Type.String({ minLength: 1, maxLength: 100 });
const IsoDate = Type.String({ format: 'date', description: 'YYYY-MM-DD' });
const RetentionDays = Type.Integer({ minimum: 1, maximum: 36_500 });

export const SurveyStatus = Type.Union([Type.Literal('draft'), Type.Literal('active'), Type.Literal('closed'), Type.Literal('archived')]);

const surveyFields = {
  title: Type.String({ minLength: 1, maxLength: 300 }),
  description: Type.Optional(Type.String({ maxLength: 5000 })),
  defaultLanguage: Type.Optional(Language),
  channels: Type.Optional(Type.Array(Tag, { maxItems: 50, uniqueItems: true, description: 'interaction channels the survey is for' })),
  requestTypes: Type.Optional(Type.Array(Tag, { maxItems: 200, uniqueItems: true, description: 'request types the survey is for' })),
  periodStart: Type.Optional(Type.Union([IsoDate, Type.Null()])),
  periodEnd: Type.Optional(Type.Union([IsoDate, Type.Null()])),
  anonymous: Type.Optional(
    Type.Boolean({
      description:
        'answers store no invitation, member, contact, client or employee (invitations stay per member); set while the survey is a draft',
    }),
  ),
  responseLinkRetentionDays: Type.Optional(
    Type.Union([RetentionDays, Type.Null()], { description: 'days after which a response loses its link to the contact; null keeps it' }),
  ),
  openAnswerRetentionDays: Type.Optional(
    Type.Union([RetentionDays, Type.Null()], { description: 'days after which a response\'s open answers are removed; null keeps them' }),
  ),
};

export const SurveyInput = Type.Object({ ...surveyFields, definition: SurveyDefinitionSchema }, { additionalProperties: false });
export type SurveyInput = Static<typeof SurveyInput>;

export const SurveyPatch = Type.Object(
  {
    title: Type.Optional(surveyFields.title),
    description: surveyFields.description,
    defaultLanguage: surveyFields.defaultLanguage,
    channels: surveyFields.channels,
    requestTypes: surveyFields.requestTypes,
    periodStart: surveyFields.periodStart,
    periodEnd: surveyFields.periodEnd,
    anonymous: surveyFields.anonymous,
    responseLinkRetentionDays: surveyFields.responseLinkRetentionDays,
    openAnswerRetentionDays: surveyFields.openAnswerRetentionDays,
    definition: Type.Optional(SurveyDefinitionSchema),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type SurveyPatch = Static<typeof SurveyPatch>;

const surveyOutputFields = {
  id: Uuid,
  title: Type.String(),
  description: Type.String(),
  status: SurveyStatus,
  currentVersion: Type.Integer(),
  defaultLanguage: Type.String(),
  channels: Type.Array(Type.String()),
  requestTypes: Type.Array(Type.String()),
  periodStart: Type.Union([Type.String(), Type.Null()]),
  periodEnd: Type.Union([Type.String(), Type.Null()]),
  anonymous: Type.Boolean(),
  responseLinkRetentionDays: Type.Union([Type.Integer(), Type.Null()]),
  openAnswerRetentionDays: Type.Union([Type.Integer(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
};

export const SurveySummary = Type.Object(surveyOutputFields);
export const Survey = Type.Object({ ...surveyOutputFields, definition: Type.Unknown({ description: 'the current version\'s definition' }) });

export const SurveyVersion = Type.Object({
  surveyId: Uuid,
  version: Type.Integer(),
  definition: Type.Unknown(),
  createdAt: Type.String({ format: 'date-time' }),
});

export const EntityType = Type.Union([Type.Literal('contactmoment'), Type.Literal('request'), Type.Literal('client')]);

export const LinkInput = Type.Object(
  {
    entityType: EntityType,
    entityRef: Type.String({ minLength: 1, maxLength: 200, description: 'id of the contactmoment, request or client' }),
    contactId: Type.Optional(Uuid),
    clientId: Type.Optional(Uuid),
    channel: Type.Optional(Tag),
    requestType: Type.Optional(Tag),
    language: Type.Optional(Language),
    expiresInDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 365, default: 30 })),
  },
  { additionalProperties: false },
);
export type LinkInput = Static<typeof LinkInput>;

export const Link = Type.Object({
  invitationId: Uuid,
  token: Type.String(),
  url: Type.String(),
  expiresAt: Type.String({ format: 'date-time' }),
});
