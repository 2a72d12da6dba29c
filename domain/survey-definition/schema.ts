import { Type, type Static } from 'typebox';

/*
 * The shape of a survey version's definition: pages of NPS, rating, open and choice questions
 * with per-language texts and visibility conditions. TypeBox checks the structure; the rules
 * across fields are in definition-checks.ts.
 */

/** Languages the respondent form has its own texts for; a definition may use any of these. */
export const SUPPORTED_LANGUAGES = ['nl', 'en', 'de', 'fr'] as const;
export type SupportedLanguage = (typeof SUPPORTED_LANGUAGES)[number];

export const isSupportedLanguage = (value: unknown): value is SupportedLanguage =>
  typeof value === 'string' && (SUPPORTED_LANGUAGES as readonly string[]).includes(value);

export const ID_PATTERN = '^[a-zA-Z][a-zA-Z0-9_-]{0,63}$';
export const REFERENCE_CODE_PATTERN = '^[A-Z]{2,4}[0-9]{1,2}[A-Z]?$';
export const RECORD_FIELD_PATTERN = '^[a-zA-Z][a-zA-Z0-9_]{0,63}$';

const Id = Type.String({ pattern: ID_PATTERN, description: 'letters, digits, _ and -; starts with a letter' });

export const LocalizedText = Type.Record(Type.String({ pattern: '^[a-z]{2}$' }), Type.String({ minLength: 1, maxLength: 2000 }), {
  description: 'text per language code, e.g. { "nl": "…", "en": "…" }',
});
export type LocalizedText = Static<typeof LocalizedText>;

const ConditionValue = Type.Union([
  Type.Number(),
  Type.String({ maxLength: 200 }),
  Type.Boolean(),
  Type.Array(Type.Union([Type.Number(), Type.String({ maxLength: 200 })]), { maxItems: 100 }),
]);

export const CONDITION_OPS = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'in', 'notIn', 'includes', 'excludes', 'answered', 'notAnswered'] as const;
export type ConditionOp = (typeof CONDITION_OPS)[number];

export const SimpleCondition = Type.Object(
  {
    question: Id,
    op: Type.Union([
      Type.Literal('eq'),
      Type.Literal('neq'),
      Type.Literal('gt'),
      Type.Literal('gte'),
      Type.Literal('lt'),
      Type.Literal('lte'),
      Type.Literal('in'),
      Type.Literal('notIn'),
      Type.Literal('includes'),
      Type.Literal('excludes'),
      Type.Literal('answered'),
      Type.Literal('notAnswered'),
    ]),
    value: Type.Optional(ConditionValue),
  },
  { additionalProperties: false },
);
export type SimpleCondition = Static<typeof SimpleCondition>;

/** Either one comparison or all / any of several (one level deep keeps definitions readable). */
export const Condition = Type.Union([
  SimpleCondition,
  Type.Object({ all: Type.Array(SimpleCondition, { minItems: 1, maxItems: 20 }) }, { additionalProperties: false }),
  Type.Object({ any: Type.Array(SimpleCondition, { minItems: 1, maxItems: 20 }) }, { additionalProperties: false }),
]);
export type Condition = Static<typeof Condition>;

const questionBase = {
  id: Id,
  referenceCode: Type.Optional(Type.String({ pattern: REFERENCE_CODE_PATTERN, description: 'e.g. NP1A, SC2A, LT1A' })),
  recordField: Type.Optional(
    Type.String({ pattern: RECORD_FIELD_PATTERN, description: 'record field name; overrides the reference code mapping' }),
  ),
  label: LocalizedText,
  description: Type.Optional(LocalizedText),
  required: Type.Optional(Type.Boolean({ description: 'defaults to false' })),
  visibleIf: Type.Optional(Condition),
};

const ScaleLabels = {
  lowLabel: Type.Optional(LocalizedText),
  highLabel: Type.Optional(LocalizedText),
};

export const NpsQuestion = Type.Object({ ...questionBase, type: Type.Literal('nps'), ...ScaleLabels }, { additionalProperties: false });
export const RatingQuestion = Type.Object(
  {
    ...questionBase,
    type: Type.Literal('rating'),
    scale: Type.Optional(
      Type.Object(
        { min: Type.Integer({ minimum: 0, maximum: 10 }), max: Type.Integer({ minimum: 1, maximum: 10 }) },
        { additionalProperties: false, description: 'defaults to 1–5' },
      ),
    ),
    ...ScaleLabels,
  },
  { additionalProperties: false },
);
export const OpenQuestion = Type.Object(
  {
    ...questionBase,
    type: Type.Literal('open'),
    maxLength: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000, description: 'defaults to 1000' })),
  },
  { additionalProperties: false },
);
export const ChoiceOption = Type.Object({ id: Id, label: LocalizedText }, { additionalProperties: false });
export const ChoiceQuestion = Type.Object(
  {
    ...questionBase,
    type: Type.Literal('choice'),
    mode: Type.Optional(Type.Union([Type.Literal('single'), Type.Literal('multiple')], { description: 'defaults to single' })),
    options: Type.Array(ChoiceOption, { maxItems: 100 }),
  },
  { additionalProperties: false },
);

export const Question = Type.Union([NpsQuestion, RatingQuestion, OpenQuestion, ChoiceQuestion]);
export type NpsQuestion = Static<typeof NpsQuestion>;
export type RatingQuestion = Static<typeof RatingQuestion>;
export type OpenQuestion = Static<typeof OpenQuestion>;
export type ChoiceQuestion = Static<typeof ChoiceQuestion>;
export type Question = Static<typeof Question>;

export const SurveyPage = Type.Object(
  {
    id: Id,
    title: Type.Optional(LocalizedText),
    visibleIf: Type.Optional(Condition),
    questions: Type.Array(Question, { maxItems: 200 }),
  },
  { additionalProperties: false },
);
export type SurveyPage = Static<typeof SurveyPage>;

export const SurveyDefinitionSchema = Type.Object(
  {
    languages: Type.Array(Type.String({ pattern: '^[a-z]{2}$' }), { minItems: 1, maxItems: 10, uniqueItems: true }),
    title: Type.Optional(LocalizedText),
    intro: Type.Optional(LocalizedText),
    thankYou: Type.Optional(LocalizedText),
    pages: Type.Array(SurveyPage, { maxItems: 100 }),
  },
  { additionalProperties: false, description: 'pages of questions' },
);
export type SurveyDefinition = Static<typeof SurveyDefinitionSchema>;

/** A respondent's answers, keyed by question id. */
export type AnswerValue = number | string | string[];
export type Answers = Record<string, AnswerValue>;
