import { AnalyticsInputError } from './input-error';
import { daysBetween, isCalendarDate, localDate, periodContaining, previousRange, shiftPeriod, type DateRange, type PeriodUnit } from './periods';

/** The range of local days a report covers, from a period or explicit dates, and the one before it. */

export interface RangeQuery {
  /** Period unit (default month): the period containing `date` (default today). */
  period?: PeriodUnit;
  date?: string;
  /** An explicit range of local days, inclusive; overrides period/date. */
  from?: string;
  to?: string;
}

export interface ResolvedRange extends DateRange {
  label: string;
  previous: DateRange;
}

const MAX_RANGE_DAYS = 366 * 20;

export function checkDate(name: string, value: string | undefined): void {
  if (value !== undefined && !isCalendarDate(value)) throw new AnalyticsInputError(`${name} must be a date YYYY-MM-DD, got "${value}"`);
}

export function resolveRange(query: RangeQuery, timeZone: string, now = new Date()): ResolvedRange {
  checkDate('from', query.from);
  checkDate('to', query.to);
  checkDate('date', query.date);
  const today = localDate(timeZone, now);
  if (query.from !== undefined || query.to !== undefined) {
    if (query.from === undefined) throw new AnalyticsInputError('from is required with to');
    const range = { from: query.from, to: query.to ?? today };
    if (range.to < range.from) throw new AnalyticsInputError('to is before from');
    if (daysBetween(range) > MAX_RANGE_DAYS) throw new AnalyticsInputError(`a range spans at most ${MAX_RANGE_DAYS} days`);
    return { ...range, label: `${range.from} – ${range.to}`, previous: previousRange(range) };
  }
  const unit = query.period ?? 'month';
  const current = periodContaining(query.date ?? today, unit);
  const previous = periodContaining(shiftPeriod(current.from, unit, -1), unit);
  return { from: current.from, to: current.to, label: current.label, previous: { from: previous.from, to: previous.to } };
}
