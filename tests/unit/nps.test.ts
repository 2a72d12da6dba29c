import { describe, expect, it } from 'vitest';
import { isDetractor, isPassive, isPromoter, isSatisfied, npsGroup } from '../../domain/nps';

describe('the NPS and satisfaction rules', () => {
  it('group answers 9–10 as promoters, 7–8 as passives, 0–6 as detractors, and a missing answer nowhere', () => {
    const answers = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, null];
    expect(answers.map(npsGroup)).toEqual([
      ...Array<string>(7).fill('detractor'),
      'passive',
      'passive',
      'promoter',
      'promoter',
      null,
    ]);
    expect(answers.filter(isPromoter)).toEqual([9, 10]);
    expect(answers.filter(isPassive)).toEqual([7, 8]);
    expect(answers.filter(isDetractor)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(() => npsGroup(11)).toThrow(RangeError);
  });

  it('call a 1–5 rating of 4 or more satisfied, and a missing one not', () => {
    expect([1, 3, 3.99, 4, 4.5, 5, null].map(isSatisfied)).toEqual([false, false, false, true, true, true, false]);
  });
});
