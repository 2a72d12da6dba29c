/** Analytics: rollup-backed NPS / satisfaction / response-rate reports, exports and the backfill. */
export { DIMENSIONS, type AnalyticsFilter, type Dimension } from './counts';
export { PERIOD_UNITS, type PeriodUnit, type DateRange } from './periods';
export { AnalyticsInputError } from './input-error';
export { assertAvailableForAnonymous, NOT_AVAILABLE_FOR_ANONYMOUS } from './anonymous';
export { getSettings, updateSettings, type AnalyticsSettings } from './settings';
export { resolveRange, type RangeQuery } from './range';
export {
  breakdownReport,
  followUpTaskReport,
  kpiReport,
  trendReport,
  waveReport,
  type BreakdownReport,
  type KpiReport,
  type TrendReport,
  type WaveReport,
  type WaveSegment,
} from './reports';
export { breakdownCsv, followUpTasksCsv, kpiCsv, trendCsv, wavesCsv } from './report-csv';
export { exportResponsesCsv } from './export';
export { rebuildRollups, rebuildRollupsIn, type RebuildResult } from './backfill';
