import type { AnswerValue, Condition, SimpleCondition, SurveyDefinition } from './schema';

/** Which questions a respondent sees for the answers given so far. */

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
