import type { Database } from '../../db';
import { invitationCounts, responseCounts, type AnalyticsFilter, type Dimension } from '../counts';
import type { DateRange } from '../periods';
import { resolveRange, type RangeQuery } from '../range';
import { getSettings } from '../settings';
import { labelsFor } from './labels';
import { metricsOf, type Metrics } from './metrics';

export interface BreakdownRow extends Metrics {
  /** The dimension's value; null for responses without one. */
  key: string | null;
  label: string;
}

export interface BreakdownReport {
  filter: AnalyticsFilter;
  by: Dimension;
  timeZone: string;
  range: DateRange & { label: string };
  rows: BreakdownRow[];
  source: 'rollup' | 'raw';
}

/** One row per value of `by` (channel, client …) for the range, most answers first. */
export async function breakdownReport(
  db: Database,
  filter: AnalyticsFilter,
  by: Dimension,
  query: RangeQuery & { limit?: number },
  now = new Date(),
): Promise<BreakdownReport> {
  const settings = await getSettings(db);
  const range = resolveRange(query, settings.timeZone, now);
  const grouping = { kind: 'dimension', dimension: by } as const;
  const [responses, invitations] = await Promise.all([
    responseCounts(db, settings.timeZone, filter, range, grouping),
    invitationCounts(db, settings.timeZone, filter, range, grouping),
  ]);
  const keys = [...new Set([...responses.groups.keys(), ...(invitations?.keys() ?? [])])];
  const labels = await labelsFor(db, by, keys);
  const rows = keys
    .map((key) => ({
      key: key === '' ? null : key,
      label: key === '' ? '(none)' : labels.get(key) ?? key,
      ...metricsOf(responses.groups.get(key), invitations ? invitations.get(key) : null, settings.minSample),
    }))
    .sort((a, b) => b.nps.n - a.nps.n || b.responses - a.responses || a.label.localeCompare(b.label))
    .slice(0, query.limit ?? 500);
  return { filter, by, timeZone: settings.timeZone, range: { from: range.from, to: range.to, label: range.label }, rows, source: responses.source };
}
