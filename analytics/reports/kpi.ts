import type { Database } from '../../db';
import { compareNps, computeNps, emptyScoreCounts, type NpsChange, type NpsResult } from '../../domain/nps-statistics';
import { invitationCounts, responseCounts, type AnalyticsFilter } from '../counts';
import type { DateRange } from '../periods';
import { resolveRange, type RangeQuery } from '../range';
import { getSettings } from '../settings';
import { metricsOf, type Metrics } from './metrics';

export interface KpiReport extends Metrics {
  filter: AnalyticsFilter;
  timeZone: string;
  range: DateRange & { label: string };
  previous: { range: DateRange; responses: number; nps: NpsResult };
  change: NpsChange;
  source: 'rollup' | 'raw';
}

/** The dashboard KPI card: NPS with counts and margin, satisfaction, response rate, change. */
export async function kpiReport(db: Database, filter: AnalyticsFilter, query: RangeQuery, now = new Date()): Promise<KpiReport> {
  const settings = await getSettings(db);
  const range = resolveRange(query, settings.timeZone, now);
  const none = { kind: 'none' } as const;
  const [current, previous, invitations] = await Promise.all([
    responseCounts(db, settings.timeZone, filter, range, none),
    responseCounts(db, settings.timeZone, filter, range.previous, none),
    invitationCounts(db, settings.timeZone, filter, range, none),
  ]);
  const metrics = metricsOf(current.groups.get(''), invitations ? invitations.get('') : null, settings.minSample);
  const previousNps = computeNps(previous.groups.get('') ?? emptyScoreCounts(), settings.minSample);
  return {
    filter,
    timeZone: settings.timeZone,
    range: { from: range.from, to: range.to, label: range.label },
    ...metrics,
    previous: { range: range.previous, responses: previous.groups.get('')?.responses ?? 0, nps: previousNps },
    change: compareNps(metrics.nps, previousNps),
    source: current.source,
  };
}
