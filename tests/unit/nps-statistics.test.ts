import { describe, expect, it } from 'vitest';
import {
  compareNps,
  computeNps,
  computeResponseRate,
  computeSatisfaction,
  roundTo,
} from '../../domain/nps-statistics';

describe('computeNps', () => {
  it('computes NPS and its 95% margin by hand: 50 promoters, 30 passives, 20 detractors', () => {
    const result = computeNps({ promoters: 50, passives: 30, detractors: 20 });
    // p = .5, d = .2 → NPS 30; σ² = 100²·(.7 − .3²) = 6100; SE = √(6100/100) = √61 = 7.8102
    expect(result.n).toBe(100);
    expect(result.nps).toBeCloseTo(30, 10);
    expect(result.standardError).toBeCloseTo(Math.sqrt(61), 10);
    expect(result.marginOfError).toBeCloseTo(15.308, 3);
    expect(result.promoterPct).toBe(50);
    expect(result.passivePct).toBe(30);
    expect(result.detractorPct).toBe(20);
    expect(result.reliable).toBe(true);
  });

  it('uses unrounded fractions: 2 promoters and 1 detractor is 33.3, not 67 − 33 = 34', () => {
    const result = computeNps({ promoters: 2, passives: 0, detractors: 1 }, 1);
    expect(result.nps).toBeCloseTo(100 / 3, 10);
    expect(roundTo(result.nps, 0)).toBe(33);
    // σ² = 100²·(1 − (1/3)²) = 8888.9; SE = √(8888.9/3) = 54.43
    expect(result.standardError).toBeCloseTo(Math.sqrt((10000 * (1 - 1 / 9)) / 3), 10);
  });

  it('flags a sample below the minimum as not reliable', () => {
    expect(computeNps({ promoters: 10, passives: 10, detractors: 9 }).reliable).toBe(false);
    expect(computeNps({ promoters: 10, passives: 10, detractors: 10 }).reliable).toBe(true);
    expect(computeNps({ promoters: 3, passives: 1, detractors: 1 }, 5).reliable).toBe(true);
  });

  it('has no score and no margin without answers', () => {
    const result = computeNps({ promoters: 0, passives: 0, detractors: 0 });
    expect(result).toMatchObject({ n: 0, nps: null, marginOfError: null, reliable: false });
  });

  it('has a zero margin when everyone agrees', () => {
    const result = computeNps({ promoters: 40, passives: 0, detractors: 0 });
    expect(result.nps).toBe(100);
    expect(result.marginOfError).toBe(0);
  });

  it('rejects negative or fractional counts', () => {
    expect(() => computeNps({ promoters: -1, passives: 0, detractors: 0 })).toThrow(RangeError);
    expect(() => computeNps({ promoters: 1.5, passives: 0, detractors: 0 })).toThrow(RangeError);
  });
});

describe('computeSatisfaction', () => {
  it('averages the 1–5 ratings and counts scores of 4 or more as satisfied', () => {
    // ratings 5, 4, 3.5, 2 → mean 3.625, 2 of 4 satisfied
    expect(computeSatisfaction({ ratingCount: 4, ratingSum: 14.5, satisfied: 2 })).toEqual({
      n: 4,
      average: 3.625,
      satisfied: 2,
      satisfiedPct: 50,
    });
    expect(computeSatisfaction({ ratingCount: 0, ratingSum: 0, satisfied: 0 }).average).toBeNull();
  });
});

describe('computeResponseRate', () => {
  it('is completed / invited, and completed / delivered only where deliveries are known', () => {
    expect(computeResponseRate({ invited: 200, delivered: 160, completed: 40 })).toMatchObject({ ofInvited: 20, ofDelivered: 25 });
    expect(computeResponseRate({ invited: 8, delivered: 0, completed: 2 })).toMatchObject({ ofInvited: 25, ofDelivered: null });
    expect(computeResponseRate({ invited: 0, delivered: 0, completed: 0 }).ofInvited).toBeNull();
  });
});

describe('compareNps (trend arrows)', () => {
  it('draws no arrow for a change within the noise', () => {
    // NPS 30 (SE² 61) vs NPS 10 (σ² = 100²·(.7 − .01) = 6900, SE² 69): threshold 1.96·√130 = 22.35 > 20
    const change = compareNps(
      computeNps({ promoters: 50, passives: 30, detractors: 20 }),
      computeNps({ promoters: 40, passives: 30, detractors: 30 }),
    );
    expect(change.delta).toBeCloseTo(20, 10);
    expect(change.threshold).toBeCloseTo(1.96 * Math.sqrt(130), 10);
    expect(change).toMatchObject({ significant: false, arrow: 'flat' });
  });

  it('draws an arrow for the same change with twice the answers', () => {
    // SE² halves: 30.5 + 34.5 = 65, threshold 1.96·√65 = 15.80 < 20
    const up = compareNps(
      computeNps({ promoters: 100, passives: 60, detractors: 40 }),
      computeNps({ promoters: 80, passives: 60, detractors: 60 }),
    );
    expect(up).toMatchObject({ significant: true, arrow: 'up' });
    expect(up.threshold).toBeCloseTo(1.96 * Math.sqrt(65), 10);
    const down = compareNps(
      computeNps({ promoters: 80, passives: 60, detractors: 60 }),
      computeNps({ promoters: 100, passives: 60, detractors: 40 }),
    );
    expect(down.arrow).toBe('down');
  });

  it('draws no arrow when either period is below the minimum sample', () => {
    const change = compareNps(
      computeNps({ promoters: 20, passives: 0, detractors: 0 }),
      computeNps({ promoters: 0, passives: 0, detractors: 20 }),
    );
    expect(change.delta).toBe(200);
    expect(change.arrow).toBe('none');
    expect(compareNps(computeNps({ promoters: 1, passives: 0, detractors: 0 }), computeNps({ promoters: 0, passives: 0, detractors: 0 })).delta).toBeNull();
  });
});
