import { allQuestions } from './questions';
import { projectRecordFields } from './record-fields';
import type { AnswerValue, Answers, SurveyDefinition } from './schema';

/**
 * A response's answers without its open (free-text) ones, and its record fields projected again
 * from what is left, so no open answer survives in either. `removed` says whether there was any.
 */
export function withoutOpenAnswers(
  definition: SurveyDefinition,
  answers: Readonly<Answers>,
): { answers: Answers; recordFields: Record<string, AnswerValue>; removed: boolean } {
  const open = new Set(allQuestions(definition).filter((q) => q.type === 'open').map((q) => q.id));
  const kept = Object.fromEntries(Object.entries(answers).filter(([id]) => !open.has(id)));
  return {
    answers: kept,
    recordFields: projectRecordFields(definition, kept),
    removed: Object.keys(kept).length !== Object.keys(answers).length,
  };
}
