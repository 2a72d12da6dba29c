import { allQuestions } from './questions';
import type { AnswerValue, Answers, Question, SurveyDefinition } from './schema';

/*
 * Answers onto the fields of the customer record's survey result. Each question with a reference
 * code lands in that code's field; a question's own `recordField` wins over this map (LT2A is
 * "Primary Comment" after the non-promoter page and "General Comment" after the promoter page,
 * so one of them overrides).
 */

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
