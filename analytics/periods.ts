/*
 * Reporting periods as local calendar dates ('YYYY-MM-DD') in the reporting time zone. The
 * rollups store local days, so a period is simply an inclusive range of those days; the only
 * time-zone question is what "today" is, answered by Intl.
 */

export const PERIOD_UNITS = ['day', 'week', 'month', 'quarter', 'year'] as const;
export type PeriodUnit = (typeof PERIOD_UNITS)[number];

export interface DateRange {
  /** First local day, inclusive. */
  from: string;
  /** Last local day, inclusive. */
  to: string;
}

export interface Period extends DateRange {
  unit: PeriodUnit;
  /** A short label: 2026-11-23, 2026-W48, 2026-11, 2026-Q4, 2026. */
  label: string;
}

const DAY_MS = 86_400_000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Local calendar dates are handled as UTC midnights, where no DST can shift them. */
function toUtc(date: string): Date {
  const match = DATE.exec(date);
  if (!match) throw new RangeError(`not a YYYY-MM-DD date: ${date}`);
  const value = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  if (value.toISOString().slice(0, 10) !== date) throw new RangeError(`not a calendar date: ${date}`);
  return value;
}

const fromUtc = (value: Date) => value.toISOString().slice(0, 10);

export function isCalendarDate(date: string): boolean {
  try {
    toUtc(date);
    return true;
  } catch {
    return false;
  }
}

/** The local date in `timeZone` at `at`. */
export function localDate(timeZone: string, at: Date = new Date()): string {
  // en-CA formats as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

export function addDays(date: string, days: number): string {
  return fromUtc(new Date(toUtc(date).getTime() + days * DAY_MS));
}

/** Days from `from` to `to`, inclusive. */
export function daysBetween(range: DateRange): number {
  return Math.round((toUtc(range.to).getTime() - toUtc(range.from).getTime()) / DAY_MS) + 1;
}

/** First day of the period containing `date` (weeks start on Monday, ISO 8601). */
export function periodStart(date: string, unit: PeriodUnit): string {
  const d = toUtc(date);
  const year = d.getUTCFullYear();
  const month = d.getUTCMonth();
  switch (unit) {
    case 'day':
      return date;
    case 'week':
      return addDays(date, -((d.getUTCDay() + 6) % 7));
    case 'month':
      return fromUtc(new Date(Date.UTC(year, month, 1)));
    case 'quarter':
      return fromUtc(new Date(Date.UTC(year, month - (month % 3), 1)));
    case 'year':
      return fromUtc(new Date(Date.UTC(year, 0, 1)));
  }
}

/** The start of the period `count` periods after the one starting at `start` (negative: before). */
export function shiftPeriod(start: string, unit: PeriodUnit, count: number): string {
  if (unit === 'day') return addDays(start, count);
  if (unit === 'week') return addDays(start, 7 * count);
  const d = toUtc(start);
  const months = unit === 'month' ? count : unit === 'quarter' ? 3 * count : 12 * count;
  return fromUtc(new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1)));
}

function isoWeek(date: string): { year: number; week: number } {
  const d = toUtc(date);
  // The Thursday of this week decides the ISO year.
  const thursday = new Date(d.getTime() + (3 - ((d.getUTCDay() + 6) % 7)) * DAY_MS);
  const yearStart = Date.UTC(thursday.getUTCFullYear(), 0, 1);
  return { year: thursday.getUTCFullYear(), week: Math.floor((thursday.getTime() - yearStart) / DAY_MS / 7) + 1 };
}

export function periodLabel(start: string, unit: PeriodUnit): string {
  switch (unit) {
    case 'day':
      return start;
    case 'week': {
      const { year, week } = isoWeek(start);
      return `${year}-W${String(week).padStart(2, '0')}`;
    }
    case 'month':
      return start.slice(0, 7);
    case 'quarter':
      return `${start.slice(0, 4)}-Q${Math.floor(Number(start.slice(5, 7)) / 3) + 1}`;
    case 'year':
      return start.slice(0, 4);
  }
}

/** The period of `unit` that contains `date`. */
export function periodContaining(date: string, unit: PeriodUnit): Period {
  const from = periodStart(date, unit);
  return { unit, from, to: addDays(shiftPeriod(from, unit, 1), -1), label: periodLabel(from, unit) };
}

/** `count` consecutive periods ending with the one that contains `date`, oldest first. */
export function lastPeriods(date: string, unit: PeriodUnit, count: number): Period[] {
  const current = periodStart(date, unit);
  return Array.from({ length: count }, (_, index) => periodContaining(shiftPeriod(current, unit, index - count + 1), unit));
}

/** The range of the same length right before `range` (what a custom range is compared with). */
export function previousRange(range: DateRange): DateRange {
  const length = daysBetween(range);
  return { from: addDays(range.from, -length), to: addDays(range.from, -1) };
}
