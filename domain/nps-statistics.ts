/*
 * The numbers behind every NPS and satisfaction report, from counts only (pure, no I/O).
 *
 * NPS. Each answer to an NPS-typed question scores +100 (promoter), 0 (passive) or −100
 * (detractor), by the groups of domain/nps.ts; the NPS is their mean, 100·(p − d) with p and d the unrounded
 * promoter and detractor fractions. Skipped answers are not counts at all, so they never reach
 * the denominator n = promoters + passives + detractors.
 *
 * Margin of error. The per-answer variance of that ±100/0 score is
 *   σ² = 100² · [p + d − (p − d)²]
 * so the standard error of the NPS is SE = sqrt(σ² / n) and the 95% margin is 1.96 · SE
 * (normal approximation; with fewer than `minSample` answers the result is flagged unreliable
 * instead, which is where that approximation stops being trustworthy anyway).
 *
 * Significant change (trend arrows). Two periods' NPS values are independent samples, so their
 * difference has standard error sqrt(SE₁² + SE₂²). A change gets an arrow only when
 *   both periods are reliable (n ≥ minSample)  and  |Δ| > 1.96 · sqrt(SE₁² + SE₂²),
 * i.e. the change is significant at the 5% level (two-sided). Otherwise the arrow is 'flat'
 * (reliable but within the noise) or 'none' (a period has too few answers to say).
 */

/** 1.96: the two-sided 95% quantile of the standard normal distribution. */
export const Z_95 = 1.96;
/** Below this many NPS answers a score is shown as "not yet reliable". */
export const DEFAULT_MIN_SAMPLE = 30;

export interface ScoreCounts {
  /** Completed responses (whether or not they answered an NPS or rating question). */
  responses: number;
  promoters: number;
  passives: number;
  detractors: number;
  /** Responses with at least one answered rating question, and the sum of their 1–5 scores. */
  ratingCount: number;
  ratingSum: number;
  /** Responses whose 1–5 rating counts as satisfied (domain/nps.ts). */
  satisfied: number;
}

export interface InvitationCounts {
  invited: number;
  /** Invitations with at least one delivery event from the email provider. */
  delivered: number;
  /** Invitations that were completed. */
  completed: number;
}

export const emptyScoreCounts = (): ScoreCounts => ({
  responses: 0,
  promoters: 0,
  passives: 0,
  detractors: 0,
  ratingCount: 0,
  ratingSum: 0,
  satisfied: 0,
});

export const emptyInvitationCounts = (): InvitationCounts => ({ invited: 0, delivered: 0, completed: 0 });

export function addScoreCounts(a: ScoreCounts, b: ScoreCounts): ScoreCounts {
  return {
    responses: a.responses + b.responses,
    promoters: a.promoters + b.promoters,
    passives: a.passives + b.passives,
    detractors: a.detractors + b.detractors,
    ratingCount: a.ratingCount + b.ratingCount,
    ratingSum: a.ratingSum + b.ratingSum,
    satisfied: a.satisfied + b.satisfied,
  };
}

export interface NpsResult {
  /** Number of NPS answers (skipped answers excluded). */
  n: number;
  promoters: number;
  passives: number;
  detractors: number;
  /** Unrounded percentages of n; null when n = 0. */
  promoterPct: number | null;
  passivePct: number | null;
  detractorPct: number | null;
  /** −100 … +100, unrounded; null when n = 0. */
  nps: number | null;
  standardError: number | null;
  /** Half-width of the 95% confidence interval, in NPS points. */
  marginOfError: number | null;
  reliable: boolean;
  minSample: number;
}

export function computeNps(
  counts: Pick<ScoreCounts, 'promoters' | 'passives' | 'detractors'>,
  minSample = DEFAULT_MIN_SAMPLE,
): NpsResult {
  const { promoters, passives, detractors } = counts;
  for (const [name, value] of Object.entries({ promoters, passives, detractors })) {
    if (!Number.isInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
  }
  const n = promoters + passives + detractors;
  if (n === 0) {
    return {
      n,
      promoters,
      passives,
      detractors,
      promoterPct: null,
      passivePct: null,
      detractorPct: null,
      nps: null,
      standardError: null,
      marginOfError: null,
      reliable: false,
      minSample,
    };
  }
  const p = promoters / n;
  const d = detractors / n;
  const variance = 100 * 100 * Math.max(0, p + d - (p - d) ** 2);
  const standardError = Math.sqrt(variance / n);
  return {
    n,
    promoters,
    passives,
    detractors,
    promoterPct: 100 * p,
    passivePct: (100 * passives) / n,
    detractorPct: 100 * d,
    nps: 100 * (p - d),
    standardError,
    marginOfError: Z_95 * standardError,
    reliable: n >= minSample,
    minSample,
  };
}

export interface SatisfactionResult {
  /** Responses with a rating score. */
  n: number;
  /** Mean rating on the 1–5 scale; null when n = 0. */
  average: number | null;
  satisfied: number;
  /** % of rated responses that are satisfied; null when n = 0. */
  satisfiedPct: number | null;
}

export function computeSatisfaction(counts: Pick<ScoreCounts, 'ratingCount' | 'ratingSum' | 'satisfied'>): SatisfactionResult {
  const { ratingCount: n, ratingSum, satisfied } = counts;
  if (n === 0) return { n, average: null, satisfied, satisfiedPct: null };
  return { n, average: ratingSum / n, satisfied, satisfiedPct: (100 * satisfied) / n };
}

export interface ResponseRateResult extends InvitationCounts {
  /** completed / invited as a percentage; null without invitations. */
  ofInvited: number | null;
  /** completed / delivered as a percentage; null where no delivery events exist. */
  ofDelivered: number | null;
}

export function computeResponseRate(counts: InvitationCounts): ResponseRateResult {
  const { invited, delivered, completed } = counts;
  return {
    invited,
    delivered,
    completed,
    ofInvited: invited > 0 ? (100 * completed) / invited : null,
    ofDelivered: delivered > 0 ? (100 * completed) / delivered : null,
  };
}

export type TrendArrow = 'up' | 'down' | 'flat' | 'none';

export interface NpsChange {
  /** current − previous in NPS points; null when either has no answers. */
  delta: number | null;
  /** 1.96 · sqrt(SE₁² + SE₂²): the smallest |delta| that counts as a real change. */
  threshold: number | null;
  significant: boolean;
  arrow: TrendArrow;
}

/** The change from `previous` to `current` and its arrow, per the rule at the top of this file. */
export function compareNps(current: NpsResult, previous: NpsResult): NpsChange {
  if (current.nps === null || previous.nps === null) return { delta: null, threshold: null, significant: false, arrow: 'none' };
  const delta = current.nps - previous.nps;
  const threshold = Z_95 * Math.sqrt((current.standardError ?? 0) ** 2 + (previous.standardError ?? 0) ** 2);
  if (!current.reliable || !previous.reliable) return { delta, threshold, significant: false, arrow: 'none' };
  const significant = Math.abs(delta) > threshold;
  return { delta, threshold, significant, arrow: significant ? (delta > 0 ? 'up' : 'down') : 'flat' };
}

/** Rounds for display only (the computations above never round). */
export function roundTo(value: number | null, digits = 1): number | null {
  if (value === null) return null;
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
