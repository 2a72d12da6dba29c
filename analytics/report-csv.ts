import { toCsv, type CsvDialect } from '../csv';
import type { BreakdownReport, KpiReport, Metrics, TaskLoadRow, TrendReport, WaveReport, WaveRow } from './reports';

/** Each report as a spreadsheet: one row per period / segment / employee, figures to 2 decimals. */

const round2 = (value: number | null) => (value === null ? null : Math.round(value * 100) / 100);

const METRIC_HEADER = [
  'responses',
  'nps_answers',
  'promoters',
  'passives',
  'detractors',
  'nps',
  'nps_margin_of_error_95',
  'nps_reliable',
  'rating_answers',
  'average_satisfaction',
  'pct_satisfied',
  'invited',
  'delivered',
  'completed',
  'response_rate_pct',
  'response_rate_of_delivered_pct',
];

function metricCells(metrics: Metrics): unknown[] {
  const { nps, satisfaction, responseRate } = metrics;
  return [
    metrics.responses,
    nps.n,
    nps.promoters,
    nps.passives,
    nps.detractors,
    round2(nps.nps),
    round2(nps.marginOfError),
    nps.reliable,
    satisfaction.n,
    round2(satisfaction.average),
    round2(satisfaction.satisfiedPct),
    responseRate?.invited,
    responseRate?.delivered,
    responseRate?.completed,
    round2(responseRate?.ofInvited ?? null),
    round2(responseRate?.ofDelivered ?? null),
  ];
}

export function kpiCsv(report: KpiReport, dialect?: CsvDialect): string {
  return toCsv(
    ['from', 'to', ...METRIC_HEADER, 'previous_from', 'previous_to', 'previous_nps', 'nps_change', 'change_threshold', 'trend_arrow'],
    [
      [
        report.range.from,
        report.range.to,
        ...metricCells(report),
        report.previous.range.from,
        report.previous.range.to,
        round2(report.previous.nps.nps),
        round2(report.change.delta),
        round2(report.change.threshold),
        report.change.arrow,
      ],
    ],
    dialect,
  );
}

export function trendCsv(report: TrendReport, dialect?: CsvDialect): string {
  return toCsv(
    ['period', 'from', 'to', ...METRIC_HEADER, 'nps_change', 'change_threshold', 'trend_arrow'],
    report.periods.map((point) => [
      point.label,
      point.from,
      point.to,
      ...metricCells(point),
      round2(point.change.delta),
      round2(point.change.threshold),
      point.change.arrow,
    ]),
    dialect,
  );
}

export function breakdownCsv(report: BreakdownReport, dialect?: CsvDialect): string {
  return toCsv(
    [report.by, 'label', ...METRIC_HEADER],
    report.rows.map((row) => [row.key, row.label, ...metricCells(row)]),
    dialect,
  );
}

export function wavesCsv(report: WaveReport, dialect?: CsvDialect): string {
  const line = (row: WaveRow) => [
    row.key,
    row.label,
    row.current.responses,
    row.current.nps.n,
    round2(row.current.nps.nps),
    round2(row.current.nps.marginOfError),
    row.current.nps.reliable,
    row.previous.responses,
    row.previous.nps.n,
    round2(row.previous.nps.nps),
    round2(row.previous.nps.marginOfError),
    row.previous.nps.reliable,
    round2(row.change.delta),
    round2(row.change.threshold),
    row.change.arrow,
  ];
  return toCsv(
    [
      report.segment === 'none' ? 'segment' : report.segment,
      'label',
      'responses',
      'nps_answers',
      'nps',
      'nps_margin_of_error_95',
      'nps_reliable',
      'previous_responses',
      'previous_nps_answers',
      'previous_nps',
      'previous_nps_margin_of_error_95',
      'previous_nps_reliable',
      'nps_change',
      'change_threshold',
      'trend_arrow',
    ],
    [line(report.total), ...report.segments.map(line)],
    dialect,
  );
}

export function followUpTasksCsv(report: { rows: TaskLoadRow[] }, dialect?: CsvDialect): string {
  return toCsv(
    [
      'employee_id', 'name', 'email', 'open', 'overdue', 'oldest_due_at', 'escalated', 'closed', 'closed_within_due_pct',
      'first_action_median_hours', 'first_action_p90_hours', 'close_median_hours', 'close_p90_hours',
    ],
    report.rows.map((row) => [
      row.employeeId, row.name, row.email, row.open, row.overdue, row.oldestDueAt, row.escalated, row.closed, row.closedWithinDuePct,
      row.firstActionMedianHours, row.firstActionP90Hours, row.closeMedianHours, row.closeP90Hours,
    ]),
    dialect,
  );
}
