import { conditionParts } from './questions';
import type { Question, SurveyDefinition, SurveyPage } from './schema';

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
