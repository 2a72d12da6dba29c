import { Type } from 'typebox';
import { Uuid } from './common';
import { EntityType } from './surveys';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const SurveyResponse = Type.Object({
  id: Uuid,
  surveyId: Uuid,
  surveyVersion: Type.Integer(),
  invitationId: Uuid,
  language: Type.String(),
  submittedAt: Type.String({ format: 'date-time' }),
  answers: Type.Record(Type.String(), Type.Unknown(), { description: 'answers keyed by question id' }),
  npsScore: Nullable(Type.Integer()),
  ratingScore: Nullable(Type.Number()),
  recordFields: Type.Record(Type.String(), Type.Unknown(), { description: 'answers projected through reference codes' }),
  channel: Nullable(Type.String()),
  requestType: Nullable(Type.String()),
  links: Type.Object({
    contact: Nullable(Type.Object({ id: Uuid, href: Type.String() })),
    client: Nullable(Type.Object({ id: Uuid, href: Type.String() })),
    entity: Nullable(Type.Object({ type: EntityType, ref: Type.String() })),
    campaign: Nullable(Type.Object({ id: Uuid, href: Type.String() })),
    member: Nullable(Type.Object({ id: Uuid })),
    frontlineEmployee: Nullable(Type.Object({ id: Uuid, href: Type.String() })),
    survey: Type.Object({ id: Uuid, href: Type.String() }),
  }),
});

export const ResponseQuery = {
  surveyId: Type.Optional(Uuid),
  contactId: Type.Optional(Uuid),
  clientId: Type.Optional(Uuid),
  campaignId: Type.Optional(Uuid),
  entityType: Type.Optional(EntityType),
  entityRef: Type.Optional(Type.String({ maxLength: 200 })),
  channel: Type.Optional(Type.String({ maxLength: 100 })),
  from: Type.Optional(Type.String({ format: 'date-time', description: 'submitted at or after' })),
  to: Type.Optional(Type.String({ format: 'date-time', description: 'submitted before' })),
};
