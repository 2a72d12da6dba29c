import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';

/*
 * A survey version's definition: pages of questions, and the pure rules over it — definition
 * checks, visibility, answer validation, scores and the projection of answers onto record
 * fields through question reference codes (second seed, section 8).
 *
 * Pure: no Node imports, no I/O, so workflows, activities and the API can all use it.
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

// ---------------------------------------------------------------------------------------------
// Reference codes → record fields (second seed, section 8). A question's own `recordField`
// wins over this map (LT2A is "Primary Comment" after the non-promoter page and "General
// Comment" after the promoter page, so one of them overrides).
// ---------------------------------------------------------------------------------------------

export const REFERENCE_CODE_FIELDS: Readonly<Record<string, string>> = {
  SN1A: 'contactJobDepartment',
  NP1A: 'npsScore',
  SN2A: 'primaryEpisode',
  SC2A: 'primaryScore',
  SN3A: 'secondaryEpisode',
  SC3A: 'secondaryScore',
  SC1A: 'srFrequencyOfInteractions',
  SC4A: 'partnership',
  SC4B: 'innovation',
  SC4C: 'sustainability',
  SC4D: 'digital',
  SC5A: 'amResponsiveness',
  SC6A: 'omProfessionalismAndSupport',
  SC6B: 'omOrderConfirmation',
  SC6C: 'omOrderChangeCommunication',
  SC7A: 'tsResponsiveness',
  SC7B: 'tsClearContactAndInteraction',
  SC7C: 'tsDeepExpertise',
  SC8A: 'qmQualityPerception',
  SC8B: 'qmImprovementMindset',
  SC8C: 'qmFlexibilityOnQualityRequirements',
  SC8D: 'qmComplaintsHandling',
  SC9A: 'bdResponsiveness',
  SC9B: 'bdProactivityInProposingNewApplications',
  LT1A: 'improvementComment',
  LT1B: 'strengthComment',
  LT2A: 'primaryComment',
  LT3A: 'competitorComment',
  LT4A: 'npsComment',
  ONR1: 'optionalNumberResponse1',
  ONR2: 'optionalNumberResponse2',
  ONR3: 'optionalNumberResponse3',
  ONR4: 'optionalNumberResponse4',
  ONR5: 'optionalNumberResponse5',
  OTR1: 'optionalTextResponse1',
  OTR2: 'optionalTextResponse2',
  OTR3: 'optionalTextResponse3',
};

/** The record field a question's answer lands in, if any. */
export function recordFieldOf(question: Question): string | undefined {
  return question.recordField ?? (question.referenceCode ? REFERENCE_CODE_FIELDS[question.referenceCode] : undefined);
}

// ---------------------------------------------------------------------------------------------
// Small accessors
// ---------------------------------------------------------------------------------------------

export type AnswerValue = number | string | string[];
export type Answers = Record<string, AnswerValue>;

export const DEFAULT_RATING_SCALE = { min: 1, max: 5 } as const;
export const DEFAULT_OPEN_MAX_LENGTH = 1000;

export const ratingScale = (q: RatingQuestion) => q.scale ?? DEFAULT_RATING_SCALE;
export const openMaxLength = (q: OpenQuestion) => q.maxLength ?? DEFAULT_OPEN_MAX_LENGTH;
export const choiceMode = (q: ChoiceQuestion) => q.mode ?? 'single';
export const isRequired = (q: Question) => q.required === true;

export function allQuestions(definition: SurveyDefinition): Question[] {
  return definition.pages.flatMap((page) => page.questions);
}

/** Picks the text for a language, falling back to the given languages in order. */
export function localize(text: LocalizedText | undefined, language: string, fallbacks: readonly string[] = []): string {
  if (!text) return '';
  for (const candidate of [language, ...fallbacks]) {
    const value = text[candidate];
    if (value !== undefined) return value;
  }
  return Object.values(text)[0] ?? '';
}

function conditionParts(condition: Condition): SimpleCondition[] {
  if ('all' in condition) return condition.all;
  if ('any' in condition) return condition.any;
  return [condition];
}

// ---------------------------------------------------------------------------------------------
// Definition checks
// ---------------------------------------------------------------------------------------------

export interface DefinitionProblem {
  /** Where: e.g. `pages[1].questions[0].visibleIf`. */
  path: string;
  message: string;
}

/** Structure problems (wrong types, missing fields) of an untrusted value, then the rules below. */
export function validateDefinition(value: unknown): DefinitionProblem[] {
  if (!Value.Check(SurveyDefinitionSchema, value)) {
    return Value.Errors(SurveyDefinitionSchema, value)
      .slice(0, 20)
      .map((error) => ({ path: error.instancePath.replace(/^\//, '').replace(/\//g, '.') || '(definition)', message: error.message }));
  }
  return checkDefinition(value);
}

/**
 * Everything wrong with a structurally valid definition (the TypeBox schema checks structure):
 * duplicate ids, conditions on unknown, later or incompatible questions, empty choice lists,
 * bad scales, unknown or missing languages, unknown reference codes. Empty list = valid.
 */
export function checkDefinition(definition: SurveyDefinition): DefinitionProblem[] {
  const problems: DefinitionProblem[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });
  const languages = new Set(definition.languages);

  definition.languages.forEach((language, i) => {
    if (!isSupportedLanguage(language)) {
      add(`languages[${i}]`, `unknown language "${language}" (supported: ${SUPPORTED_LANGUAGES.join(', ')})`);
    }
  });

  const checkText = (text: LocalizedText | undefined, path: string, requiredText: boolean) => {
    if (!text) {
      if (requiredText) add(path, 'is required');
      return;
    }
    for (const key of Object.keys(text)) {
      if (!languages.has(key)) add(`${path}.${key}`, `language "${key}" is not one of the survey's languages (${definition.languages.join(', ')})`);
    }
    for (const language of definition.languages) {
      if (text[language] === undefined) add(path, `has no "${language}" text`);
    }
  };

  checkText(definition.title, 'title', false);
  checkText(definition.intro, 'intro', false);
  checkText(definition.thankYou, 'thankYou', false);

  if (definition.pages.length === 0) add('pages', 'a survey needs at least one page');

  const pageIds = new Set<string>();
  const seen = new Map<string, Question>(); // questions defined so far, in order
  const allIds = new Set(allQuestions(definition).map((q) => q.id));

  const checkCondition = (condition: Condition, path: string, ownId?: string) => {
    conditionParts(condition).forEach((part, i) => {
      const where = 'question' in condition ? path : `${path}.${'all' in condition ? 'all' : 'any'}[${i}]`;
      if (part.question === ownId) {
        add(where, `refers to its own question "${part.question}"`);
        return;
      }
      const target = seen.get(part.question);
      if (!target) {
        add(
          where,
          allIds.has(part.question)
            ? `refers to question "${part.question}", which comes later; a condition may only use earlier answers`
            : `refers to unknown question "${part.question}"`,
        );
        return;
      }
      const needsValue = part.op !== 'answered' && part.op !== 'notAnswered';
      if (needsValue && part.value === undefined) {
        add(where, `operator "${part.op}" needs a value`);
        return;
      }
      if (!needsValue) return;
      const isList = Array.isArray(part.value);
      if ((part.op === 'in' || part.op === 'notIn') && !isList) add(where, `operator "${part.op}" needs a list value`);
      if (part.op !== 'in' && part.op !== 'notIn' && isList) add(where, `operator "${part.op}" needs a single value, not a list`);
      const numeric = target.type === 'nps' || target.type === 'rating';
      if (['gt', 'gte', 'lt', 'lte'].includes(part.op) && (!numeric || typeof part.value !== 'number')) {
        add(where, `operator "${part.op}" compares numbers; "${part.question}" is a ${target.type} question`);
      }
      if ((part.op === 'includes' || part.op === 'excludes') && !(target.type === 'choice' && choiceMode(target) === 'multiple')) {
        add(where, `operator "${part.op}" needs a multiple-choice question; "${part.question}" is not one`);
      }
      const values = isList ? (part.value as unknown[]) : [part.value];
      if (target.type === 'choice') {
        const optionIds = new Set(target.options.map((o) => o.id));
        for (const value of values) {
          if (typeof value !== 'string' || !optionIds.has(value)) {
            add(where, `value ${JSON.stringify(value)} is not an option of "${part.question}"`);
          }
        }
      } else if (numeric) {
        const { min, max } = target.type === 'nps' ? { min: 0, max: 10 } : ratingScale(target);
        for (const value of values) {
          if (typeof value !== 'number' || value < min || value > max) {
            add(where, `value ${JSON.stringify(value)} is outside ${min}–${max} of "${part.question}"`);
          }
        }
      }
    });
  };

  definition.pages.forEach((page, p) => {
    const pagePath = `pages[${p}]`;
    if (pageIds.has(page.id)) add(`${pagePath}.id`, `duplicate page id "${page.id}"`);
    pageIds.add(page.id);
    checkText(page.title, `${pagePath}.title`, false);
    if (page.visibleIf) checkCondition(page.visibleIf, `${pagePath}.visibleIf`);
    if (page.questions.length === 0) add(`${pagePath}.questions`, `page "${page.id}" has no questions`);

    page.questions.forEach((question, q) => {
      const path = `${pagePath}.questions[${q}]`;
      if (seen.has(question.id)) add(`${path}.id`, `duplicate question id "${question.id}"`);
      checkText(question.label, `${path}.label`, true);
      checkText(question.description, `${path}.description`, false);
      if (question.referenceCode && !question.recordField && !REFERENCE_CODE_FIELDS[question.referenceCode]) {
        add(`${path}.referenceCode`, `unknown reference code "${question.referenceCode}"; give a recordField for it`);
      }
      if (question.visibleIf) checkCondition(question.visibleIf, `${path}.visibleIf`, question.id);
      switch (question.type) {
        case 'nps':
        case 'rating':
          checkText(question.lowLabel, `${path}.lowLabel`, false);
          checkText(question.highLabel, `${path}.highLabel`, false);
          if (question.type === 'rating') {
            const { min, max } = ratingScale(question);
            if (min >= max) add(`${path}.scale`, `scale minimum ${min} must be below its maximum ${max}`);
          }
          break;
        case 'choice': {
          if (question.options.length === 0) add(`${path}.options`, `choice question "${question.id}" has no options`);
          const optionIds = new Set<string>();
          question.options.forEach((option, o) => {
            if (optionIds.has(option.id)) add(`${path}.options[${o}].id`, `duplicate option id "${option.id}"`);
            optionIds.add(option.id);
            checkText(option.label, `${path}.options[${o}].label`, true);
          });
          break;
        }
        case 'open':
          break;
      }
      if (!seen.has(question.id)) seen.set(question.id, question);
    });
  });
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Visibility
// ---------------------------------------------------------------------------------------------

function holds(part: SimpleCondition, answer: AnswerValue | undefined): boolean {
  const answered = answer !== undefined && !(Array.isArray(answer) && answer.length === 0) && answer !== '';
  if (part.op === 'answered') return answered;
  if (part.op === 'notAnswered') return !answered;
  if (!answered) return false;
  const value = part.value;
  switch (part.op) {
    case 'eq':
      return answer === value;
    case 'neq':
      return answer !== value;
    case 'gt':
      return typeof answer === 'number' && typeof value === 'number' && answer > value;
    case 'gte':
      return typeof answer === 'number' && typeof value === 'number' && answer >= value;
    case 'lt':
      return typeof answer === 'number' && typeof value === 'number' && answer < value;
    case 'lte':
      return typeof answer === 'number' && typeof value === 'number' && answer <= value;
    case 'in':
      return Array.isArray(value) && !Array.isArray(answer) && (value as (string | number)[]).includes(answer);
    case 'notIn':
      return Array.isArray(value) && !Array.isArray(answer) && !(value as (string | number)[]).includes(answer);
    case 'includes':
      return Array.isArray(answer) && typeof value === 'string' && answer.includes(value);
    case 'excludes':
      return Array.isArray(answer) && typeof value === 'string' && !answer.includes(value);
  }
}

/** Whether a condition holds for the answers given (answers of hidden questions must be absent). */
export function evaluateCondition(condition: Condition | undefined, answers: Readonly<Record<string, unknown>>): boolean {
  if (!condition) return true;
  const answerOf = (id: string) => answers[id] as AnswerValue | undefined;
  if ('all' in condition) return condition.all.every((part) => holds(part, answerOf(part.question)));
  if ('any' in condition) return condition.any.some((part) => holds(part, answerOf(part.question)));
  return holds(condition, answerOf(condition.question));
}

/**
 * The ids of the questions visible for these answers, in order. An answer to a question that
 * is itself hidden does not count: conditions see only what the respondent could answer.
 */
export function visibleQuestionIds(definition: SurveyDefinition, answers: Readonly<Record<string, unknown>>): Set<string> {
  const effective: Record<string, unknown> = {};
  const visible = new Set<string>();
  for (const page of definition.pages) {
    const pageVisible = evaluateCondition(page.visibleIf, effective);
    for (const question of page.questions) {
      if (pageVisible && evaluateCondition(question.visibleIf, effective)) {
        visible.add(question.id);
        if (answers[question.id] !== undefined) effective[question.id] = answers[question.id];
      }
    }
  }
  return visible;
}

/** The answers with those to hidden questions dropped (a respondent who changed a branch). */
export function pruneHiddenAnswers(definition: SurveyDefinition, answers: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const visible = visibleQuestionIds(definition, answers);
  return Object.fromEntries(Object.entries(answers).filter(([id]) => visible.has(id)));
}

/**
 * The form's steps: each page, split where a question depends on an answer given on the same
 * step, so a form without JavaScript can evaluate every condition on the server between steps.
 */
export interface FormStep {
  pageIndex: number;
  page: SurveyPage;
  /** First step of its page (shows the page title). */
  firstOfPage: boolean;
  questions: Question[];
}

export function formSteps(definition: SurveyDefinition): FormStep[] {
  const steps: FormStep[] = [];
  definition.pages.forEach((page, pageIndex) => {
    let current: FormStep | undefined;
    for (const question of page.questions) {
      const dependsOnCurrent =
        current !== undefined &&
        question.visibleIf !== undefined &&
        conditionParts(question.visibleIf).some((part) => current!.questions.some((q) => q.id === part.question));
      if (!current || dependsOnCurrent) {
        current = { pageIndex, page, firstOfPage: current === undefined, questions: [] };
        steps.push(current);
      }
      current.questions.push(question);
    }
  });
  return steps;
}

// ---------------------------------------------------------------------------------------------
// Answer validation
// ---------------------------------------------------------------------------------------------

export type AnswerProblemCode =
  | 'unknown_question'
  | 'hidden'
  | 'required'
  | 'not_integer'
  | 'out_of_range'
  | 'not_text'
  | 'too_long'
  | 'not_option'
  | 'not_single'
  | 'duplicate_option';

export interface AnswerProblem {
  questionId: string;
  code: AnswerProblemCode;
  message: string;
  /** Numbers for the localized message (range ends, length limit). */
  params?: Record<string, number>;
}

export interface AnswerValidation {
  /** Normalised answers (text trimmed, empty values dropped) when there are no problems. */
  answers: Answers;
  problems: AnswerProblem[];
}

const isEmpty = (value: unknown) =>
  value === undefined || value === null || (typeof value === 'string' && value.trim() === '') || (Array.isArray(value) && value.length === 0);

/** Validates one answer against its question; returns the normalised value or a problem. */
export function checkAnswer(question: Question, raw: unknown): { value?: AnswerValue; problem?: AnswerProblem } {
  const problem = (code: AnswerProblemCode, message: string, params?: Record<string, number>) => ({
    problem: { questionId: question.id, code, message: `${question.id}: ${message}`, ...(params ? { params } : {}) },
  });
  if (isEmpty(raw)) return isRequired(question) ? problem('required', 'an answer is required') : {};
  switch (question.type) {
    case 'nps':
    case 'rating': {
      const { min, max } = question.type === 'nps' ? { min: 0, max: 10 } : ratingScale(question);
      if (typeof raw !== 'number' || !Number.isInteger(raw)) return problem('not_integer', `must be a whole number from ${min} to ${max}`, { min, max });
      if (raw < min || raw > max) return problem('out_of_range', `must be from ${min} to ${max}`, { min, max });
      return { value: raw };
    }
    case 'open': {
      if (typeof raw !== 'string') return problem('not_text', 'must be text');
      const text = raw.trim();
      const limit = openMaxLength(question);
      // Count code points, as a respondent would.
      if ([...text].length > limit) return problem('too_long', `must be at most ${limit} characters`, { max: limit });
      return { value: text };
    }
    case 'choice': {
      const ids = new Set(question.options.map((o) => o.id));
      if (choiceMode(question) === 'single') {
        if (typeof raw !== 'string') return problem('not_single', 'must be one option id');
        if (!ids.has(raw)) return problem('not_option', `"${raw}" is not one of its options`);
        return { value: raw };
      }
      const list = typeof raw === 'string' ? [raw] : raw;
      if (!Array.isArray(list) || list.some((v) => typeof v !== 'string')) return problem('not_option', 'must be a list of option ids');
      const unknown = (list as string[]).find((v) => !ids.has(v));
      if (unknown !== undefined) return problem('not_option', `"${unknown}" is not one of its options`);
      if (new Set(list).size !== list.length) return problem('duplicate_option', 'lists an option twice');
      // Keep the definition's option order, whatever order they were sent in.
      return { value: question.options.map((o) => o.id).filter((id) => (list as string[]).includes(id)) };
    }
  }
  return problem('not_text', 'has an unknown question type');
}

/**
 * Validates a whole submission: every answer's type and range, required questions that are
 * visible, and no answers to unknown or hidden questions.
 */
export function validateAnswers(definition: SurveyDefinition, answers: Readonly<Record<string, unknown>>): AnswerValidation {
  const problems: AnswerProblem[] = [];
  const known = new Map(allQuestions(definition).map((q) => [q.id, q]));
  for (const id of Object.keys(answers)) {
    if (!known.has(id)) problems.push({ questionId: id, code: 'unknown_question', message: `${id}: no such question in this survey` });
  }
  const visible = visibleQuestionIds(definition, answers);
  const cleaned: Answers = {};
  for (const [id, question] of known) {
    const raw = answers[id];
    if (!visible.has(id)) {
      if (!isEmpty(raw)) {
        problems.push({ questionId: id, code: 'hidden', message: `${id}: this question is not shown for the other answers, so it cannot be answered` });
      }
      continue;
    }
    const { value, problem } = checkAnswer(question, raw);
    if (problem) problems.push(problem);
    else if (value !== undefined) cleaned[id] = value;
  }
  return { answers: problems.length ? {} : cleaned, problems };
}

/** Validates only the given questions (one form step), given the answers so far. */
export function validateStep(questions: readonly Question[], answers: Readonly<Record<string, unknown>>, visible: ReadonlySet<string>) {
  const problems: AnswerProblem[] = [];
  const cleaned: Answers = {};
  for (const question of questions) {
    if (!visible.has(question.id)) continue;
    const { value, problem } = checkAnswer(question, answers[question.id]);
    if (problem) problems.push(problem);
    else if (value !== undefined) cleaned[question.id] = value;
  }
  return { answers: cleaned, problems };
}

// ---------------------------------------------------------------------------------------------
// Scores and record fields
// ---------------------------------------------------------------------------------------------

/** The first answered NPS question's score (0–10), or null. */
export function npsScoreOf(definition: SurveyDefinition, answers: Readonly<Answers>): number | null {
  for (const question of allQuestions(definition)) {
    const value = answers[question.id];
    if (question.type === 'nps' && typeof value === 'number') return value;
  }
  return null;
}

/** Mean of the answered rating questions, each normalised to 1–5; null when none. */
export function ratingScoreOf(definition: SurveyDefinition, answers: Readonly<Answers>): number | null {
  const normalised: number[] = [];
  for (const question of allQuestions(definition)) {
    const value = answers[question.id];
    if (question.type !== 'rating' || typeof value !== 'number') continue;
    const { min, max } = ratingScale(question);
    normalised.push(1 + (4 * (value - min)) / (max - min));
  }
  if (normalised.length === 0) return null;
  return Math.round((normalised.reduce((a, b) => a + b, 0) / normalised.length) * 1000) / 1000;
}

/**
 * Answers projected onto record fields: each answered question with a record field (its own,
 * or its reference code's) sets that field. Several questions can share a code (SC2A is the
 * score of whichever area was chosen); only visible ones are answered, and the first wins.
 */
export function projectRecordFields(definition: SurveyDefinition, answers: Readonly<Answers>): Record<string, AnswerValue> {
  const fields: Record<string, AnswerValue> = {};
  for (const question of allQuestions(definition)) {
    const value = answers[question.id];
    const field = recordFieldOf(question);
    if (value === undefined || !field || field in fields) continue;
    fields[field] = value;
  }
  return fields;
}

/** All derived values a stored response carries. */
export function scoreResponse(definition: SurveyDefinition, answers: Readonly<Answers>) {
  return {
    npsScore: npsScoreOf(definition, answers),
    ratingScore: ratingScoreOf(definition, answers),
    recordFields: projectRecordFields(definition, answers),
  };
}
