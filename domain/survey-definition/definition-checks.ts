import { Value } from 'typebox/value';
import { REFERENCE_CODE_FIELDS } from './record-fields';
import { allQuestions, choiceMode, conditionParts, numericScale, ratingScale } from './questions';
import {
  SUPPORTED_LANGUAGES,
  SurveyDefinitionSchema,
  isSupportedLanguage,
  type Condition,
  type LocalizedText,
  type Question,
  type SurveyDefinition,
} from './schema';

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
        const { min, max } = numericScale(target);
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
