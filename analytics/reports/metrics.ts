import {
  computeNps,
  computeResponseRate,
  computeSatisfaction,
  emptyScoreCounts,
  type InvitationCounts,
  type NpsResult,
  type ResponseRateResult,
  type SatisfactionResult,
  type ScoreCounts,
} from '../../domain/nps-statistics';

/** The figures every report shows for a set of counts: NPS, satisfaction, response rate. */

export interface Metrics {
  responses: number;
  nps: NpsResult;
  satisfaction: SatisfactionResult;
  /** Null where invitations are not tracked for the filter (per employee). */
  responseRate: ResponseRateResult | null;
}

export function metricsOf(counts: ScoreCounts | undefined, invitations: InvitationCounts | undefined | null, minSample: number): Metrics {
  const score = counts ?? emptyScoreCounts();
  return {
    responses: score.responses,
    nps: computeNps(score, minSample),
    satisfaction: computeSatisfaction(score),
    responseRate: invitations === null ? null : computeResponseRate(invitations ?? { invited: 0, delivered: 0, completed: 0 }),
  };
}
