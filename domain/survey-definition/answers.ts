import { allQuestions, choiceMode, isRequired, numericScale, openMaxLength } from './questions';
import type { AnswerValue, Answers, Question, SurveyDefinition } from './schema';
import { visibleQuestionIds } from './visibility';

/** Validation of a respondent's answers against the definition. */

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
      const { min, max } = numericScale(question);
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
