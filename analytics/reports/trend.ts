import type { Database } from '../../db';
import { compareNps, type NpsChange } from '../../domain/nps-statistics';
import { invitationCounts, responseCounts, type AnalyticsFilter } from '../counts';
import { lastPeriods, localDate, type DateRange, type PeriodUnit } from '../periods';
import { checkDate } from '../range';
import { getSettings } from '../settings';
import { metricsOf, type Metrics } from './metrics';

export interface TrendPoint extends Metrics, DateRange {
  label: string;
  /** Change from the period before (the first point is compared with the period before it too). */
  change: NpsChange;
}

export interface TrendReport {
  filter: AnalyticsFilter;
  timeZone: string;
  unit: PeriodUnit;
  periods: TrendPoint[];
  source: 'rollup' | 'raw';
}

/** The last `count` periods (default 12) up to the one containing `date` (default today). */
export async function trendReport(
  db: Database,
  filter: AnalyticsFilter,
  options: { unit?: PeriodUnit; date?: string; count?: number },
  now = new Date(),
): Promise<TrendReport> {
  checkDate('date', options.date);
  const settings = await getSettings(db);
  const unit = options.unit ?? 'month';
  const count = options.count ?? 12;
  // One extra period at the front, so the first shown period has a change too.
  const periods = lastPeriods(options.date ?? localDate(settings.timeZone, now), unit, count + 1);
  const range = { from: periods[0]!.from, to: periods.at(-1)!.to };
  const grouping = { kind: 'period', unit } as const;
  const [responses, invitations] = await Promise.all([
    responseCounts(db, settings.timeZone, filter, range, grouping),
    invitationCounts(db, settings.timeZone, filter, range, grouping),
  ]);
  const points = periods.map((period) => ({
    period,
    metrics: metricsOf(responses.groups.get(period.from), invitations ? invitations.get(period.from) : null, settings.minSample),
  }));
  return {
    filter,
    timeZone: settings.timeZone,
    unit,
    periods: points.slice(1).map(({ period, metrics }, index) => ({
      label: period.label,
      from: period.from,
      to: period.to,
      ...metrics,
      change: compareNps(metrics.nps, points[index]!.metrics.nps),
    })),
    source: responses.source,
  };
}
