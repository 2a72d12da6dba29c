/*
 * The NPS and satisfaction rules, for TypeScript. The database states the same rules once, as
 * the SQL functions nps_group, is_promoter, is_passive, is_detractor and is_satisfied (migration
 * 0007); tests/analytics/score-rules.test.ts holds the two definitions to each other.
 *
 * NPS: an answer of 9–10 is a promoter, 0–6 a detractor, 7–8 a passive.
 * Satisfaction: a rating (normalised to 1–5) of 4 or more is satisfied.
 */

export type NpsCategory = 'promoter' | 'passive' | 'detractor';

/** The lowest NPS answer that makes a promoter. */
export const PROMOTER_MIN_SCORE = 9;
/** The highest NPS answer that makes a detractor. */
export const DETRACTOR_MAX_SCORE = 6;
/** The lowest 1–5 rating that counts as satisfied. */
export const SATISFIED_MIN_RATING = 4;

export function isValidNpsScore(score: unknown): score is number {
  return typeof score === 'number' && Number.isInteger(score) && score >= 0 && score <= 10;
}

export function classifyNps(score: number): NpsCategory {
  if (!isValidNpsScore(score)) throw new RangeError(`an NPS score is an integer 0–10, got ${String(score)}`);
  if (score >= PROMOTER_MIN_SCORE) return 'promoter';
  if (score <= DETRACTOR_MAX_SCORE) return 'detractor';
  return 'passive';
}

/** The group of an NPS answer; null for a response without one. */
export function npsGroup(score: number | null): NpsCategory | null {
  return score === null ? null : classifyNps(score);
}

export const isPromoter = (score: number | null): boolean => npsGroup(score) === 'promoter';
export const isPassive = (score: number | null): boolean => npsGroup(score) === 'passive';
/** A detractor's answer asks for a follow-up call by the account's frontline employee. */
export const isDetractor = (score: number | null): boolean => npsGroup(score) === 'detractor';

/** Whether a response's 1–5 rating counts as satisfied; a response without a rating does not. */
export function isSatisfied(rating: number | null): boolean {
  return rating !== null && rating >= SATISFIED_MIN_RATING;
}
