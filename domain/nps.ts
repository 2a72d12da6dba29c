/** Net Promoter Score: 9–10 promoters, 7–8 passives, 0–6 detractors. */
export type NpsCategory = 'promoter' | 'passive' | 'detractor';

export function isValidNpsScore(score: unknown): score is number {
  return typeof score === 'number' && Number.isInteger(score) && score >= 0 && score <= 10;
}

export function classifyNps(score: number): NpsCategory {
  if (!isValidNpsScore(score)) throw new RangeError(`an NPS score is an integer 0–10, got ${String(score)}`);
  if (score >= 9) return 'promoter';
  if (score >= 7) return 'passive';
  return 'detractor';
}

/** A score below 7 asks for a feedback call (second seed, 3.3.3). */
export function isDetractor(score: number): boolean {
  return classifyNps(score) === 'detractor';
}
