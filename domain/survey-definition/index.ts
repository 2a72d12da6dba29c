/*
 * A survey version's definition and the pure rules over it: its schema, the checks of a
 * definition, visibility and form steps, answer validation, scores, and the projection of answers
 * onto record fields through question reference codes.
 *
 * Pure: no Node imports, no I/O, so workflows, activities and the API can all use it.
 */
export * from './schema';
export {
  DEFAULT_OPEN_MAX_LENGTH,
  DEFAULT_RATING_SCALE,
  NPS_SCALE,
  allQuestions,
  choiceMode,
  isRequired,
  numericScale,
  openMaxLength,
  ratingScale,
} from './questions';
export { localize } from './localize';
export { labelAnswers, type LabelledAnswer } from './answer-labels';
export { validateDefinition, checkDefinition, type DefinitionProblem } from './definition-checks';
export { evaluateCondition, visibleQuestionIds, pruneHiddenAnswers } from './visibility';
export { formSteps, type FormStep } from './form-steps';
export {
  checkAnswer,
  validateAnswers,
  validateStep,
  type AnswerProblem,
  type AnswerProblemCode,
  type AnswerValidation,
} from './answers';
export { commentOf, npsScoreOf, ratingScoreOf, scoreResponse } from './scores';
export { REFERENCE_CODE_FIELDS, recordFieldOf, projectRecordFields } from './record-fields';
export { withoutOpenAnswers } from './open-answers';
