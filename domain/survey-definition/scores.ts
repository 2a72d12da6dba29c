import { allQuestions, ratingScale } from './questions';
import { projectRecordFields } from './record-fields';
import type { Answers, SurveyDefinition } from './schema';

/** The values a stored response carries besides its answers: NPS, rating, record fields, comment. */

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

/** The open answers in question order, one paragraph each, for reading and text search; null when none. */
export function commentOf(definition: SurveyDefinition, answers: Readonly<Answers>): string | null {
  const texts = allQuestions(definition)
    .filter((question) => question.type === 'open')
    .map((question) => answers[question.id])
    .filter((value): value is string => typeof value === 'string' && value !== '');
  return texts.length ? texts.join('\n\n') : null;
}

/** All derived values a stored response carries. */
export function scoreResponse(definition: SurveyDefinition, answers: Readonly<Answers>) {
  return {
    npsScore: npsScoreOf(definition, answers),
    ratingScore: ratingScoreOf(definition, answers),
    recordFields: projectRecordFields(definition, answers),
    comment: commentOf(definition, answers),
  };
}
