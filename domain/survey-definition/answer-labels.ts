import { localize } from './localize';
import { allQuestions, numericScale } from './questions';
import type { AnswerValue, Answers, LocalizedText, SurveyDefinition } from './schema';

/** A stored answer as a reader sees it: the question's text, the answer, and the labels around it. */
export interface LabelledAnswer {
  questionId: string;
  type: 'nps' | 'rating' | 'open' | 'choice';
  question: string;
  value: AnswerValue;
  /** The answer as one line of text: the number, the text, or the chosen options' labels. */
  text: string;
  /** Choice questions: the chosen options, in the question's order. */
  choices?: { id: string; label: string }[];
  /** NPS and rating questions: the scale and its end labels. */
  scale?: { min: number; max: number; lowLabel: string | null; highLabel: string | null };
}

/**
 * The answered questions in the survey's question order, labelled in `language` (falling back
 * to the survey's languages in order). Answers to questions the version does not have are left out.
 */
export function labelAnswers(definition: SurveyDefinition, answers: Readonly<Answers>, language: string): LabelledAnswer[] {
  const text = (value: LocalizedText | undefined) => localize(value, language, definition.languages);
  const labelled: LabelledAnswer[] = [];
  for (const question of allQuestions(definition)) {
    const value = answers[question.id];
    if (value === undefined) continue;
    const base = { questionId: question.id, type: question.type, question: text(question.label), value };
    switch (question.type) {
      case 'nps':
      case 'rating': {
        const { min, max } = numericScale(question);
        const end = (label: LocalizedText | undefined) => (label ? text(label) : null);
        labelled.push({ ...base, text: String(value), scale: { min, max, lowLabel: end(question.lowLabel), highLabel: end(question.highLabel) } });
        break;
      }
      case 'open':
        labelled.push({ ...base, text: String(value) });
        break;
      case 'choice': {
        const chosen = new Set(Array.isArray(value) ? value : [value]);
        const choices = question.options.filter((option) => chosen.has(option.id)).map((option) => ({ id: option.id, label: text(option.label) }));
        labelled.push({ ...base, text: choices.map((choice) => choice.label).join(', '), choices });
        break;
      }
    }
  }
  return labelled;
}
