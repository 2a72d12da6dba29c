import type { ChoiceQuestion, Condition, NpsQuestion, OpenQuestion, Question, RatingQuestion, SimpleCondition, SurveyDefinition } from './schema';

/** Reading a definition: each question's defaults filled in, its questions in order, a condition's parts. */

export const DEFAULT_RATING_SCALE = { min: 1, max: 5 } as const;
export const DEFAULT_OPEN_MAX_LENGTH = 1000;

export const NPS_SCALE = { min: 0, max: 10 } as const;

export const ratingScale = (q: RatingQuestion) => q.scale ?? DEFAULT_RATING_SCALE;
/** The answers a numeric question accepts: 0–10 for NPS, its scale for a rating. */
export const numericScale = (q: NpsQuestion | RatingQuestion) => (q.type === 'nps' ? NPS_SCALE : ratingScale(q));
export const openMaxLength = (q: OpenQuestion) => q.maxLength ?? DEFAULT_OPEN_MAX_LENGTH;
export const choiceMode = (q: ChoiceQuestion) => q.mode ?? 'single';
export const isRequired = (q: Question) => q.required === true;

export function allQuestions(definition: SurveyDefinition): Question[] {
  return definition.pages.flatMap((page) => page.questions);
}

/** The comparisons a condition is made of. */
export function conditionParts(condition: Condition): SimpleCondition[] {
  if ('all' in condition) return condition.all;
  if ('any' in condition) return condition.any;
  return [condition];
}
