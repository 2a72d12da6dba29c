import { Type } from 'typebox';
import { Uuid } from './common';
import { EntityType } from './surveys';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const SurveyResponse = Type.Object({
  id: Uuid,
  surveyId: Uuid,
  surveyVersion: Type.Integer(),
  /** Null for an anonymous survey's answer, and once retention removed the link. */
  invitationId: Nullable(Uuid),
  language: Type.String(),
  submittedAt: Type.String({ format: 'date-time' }),
  answers: Type.Record(Type.String(), Type.Unknown(), { description: 'answers keyed by question id' }),
  npsScore: Nullable(Type.Integer()),
  npsGroup: Nullable(Type.Union([Type.Literal('promoter'), Type.Literal('passive'), Type.Literal('detractor')], { description: 'the group of npsScore' })),
  ratingScore: Nullable(Type.Number()),
  recordFields: Type.Record(Type.String(), Type.Unknown(), { description: 'answers projected through reference codes' }),
  channel: Nullable(Type.String()),
  requestType: Nullable(Type.String()),
  comment: Nullable(Type.String({ description: 'the open answers in question order, one paragraph each' })),
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
  scoreGroup: Type.Optional(
    Type.Union([Type.Literal('promoter'), Type.Literal('passive'), Type.Literal('detractor')], { description: 'the NPS group of the answer' }),
  ),
  minRating: Type.Optional(Type.Number({ minimum: 1, maximum: 5, description: 'the 1–5 rating at least this' })),
  maxRating: Type.Optional(Type.Number({ minimum: 1, maximum: 5, description: 'the 1–5 rating at most this' })),
  hasComment: Type.Optional(Type.Boolean({ description: 'with (true) or without (false) an open answer' })),
  q: Type.Optional(
    Type.String({
      maxLength: 200,
      description: 'words in the open answers, Dutch and English stemmed ("klanten" finds "klant"); "a phrase", or, -word',
    }),
  ),
};

export const ResponsePage = Type.Object({
  items: Type.Array(SurveyResponse, { description: 'newest first' }),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
  count: Type.Object(
    {
      value: Type.Integer({ minimum: 0, maximum: 1000 }),
      capped: Type.Boolean({ description: 'more match than value ("1,000+")' }),
    },
    { description: 'how many responses match, counted up to 1,000' },
  ),
});

const Label = Type.String();
const LabelledAnswer = Type.Object({
  questionId: Type.String(),
  type: Type.Union([Type.Literal('nps'), Type.Literal('rating'), Type.Literal('open'), Type.Literal('choice')]),
  question: Label,
  value: Type.Union([Type.Number(), Type.String(), Type.Array(Type.String())]),
  text: Type.String({ description: 'the answer as one line: the number, the text or the chosen labels' }),
  choices: Type.Optional(Type.Array(Type.Object({ id: Type.String(), label: Label }))),
  scale: Type.Optional(Type.Object({ min: Type.Integer(), max: Type.Integer(), lowLabel: Nullable(Label), highLabel: Nullable(Label) })),
});

export const SurveyResponseDetail = Type.Object({
    ...SurveyResponse.properties,
    labelsLanguage: Type.String({ description: 'the language of the labels' }),
    labelledAnswers: Type.Array(LabelledAnswer, { description: "the answered questions in the survey's order" }),
    survey: Type.Object({ id: Uuid, title: Type.String() }),
    contact: Nullable(Type.Object({ id: Uuid, name: Type.String(), email: Nullable(Type.String()), language: Nullable(Type.String()) })),
    client: Nullable(Type.Object({ id: Uuid, name: Type.String() })),
    campaign: Nullable(Type.Object({ id: Uuid, name: Type.String() })),
    member: Nullable(Type.Object({ id: Uuid, status: Type.String() })),
});

export const ResponseDetailQuery = Type.Object(
  { language: Type.Optional(Type.String({ pattern: '^[a-z]{2}$', description: "labels in this language when the survey has it (else Accept-Language, else the answer's)" })) },
  { additionalProperties: false },
);
