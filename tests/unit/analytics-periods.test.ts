import { describe, expect, it } from 'vitest';
import { lastPeriods, localDate, periodContaining, previousRange } from '../../analytics/periods';

describe('reporting periods', () => {
  it('finds today in the reporting time zone', () => {
    // 23:30 UTC on 31 Dec is already New Year in Amsterdam.
    expect(localDate('Europe/Amsterdam', new Date('2025-12-31T23:30:00Z'))).toBe('2026-01-01');
    expect(localDate('UTC', new Date('2025-12-31T23:30:00Z'))).toBe('2025-12-31');
  });

  it('cuts ISO weeks, months, quarters and years', () => {
    expect(periodContaining('2026-01-01', 'week')).toEqual({ unit: 'week', from: '2025-12-29', to: '2026-01-04', label: '2026-W01' });
    expect(periodContaining('2027-01-01', 'week').label).toBe('2026-W53');
    expect(periodContaining('2024-02-10', 'month')).toMatchObject({ from: '2024-02-01', to: '2024-02-29' });
    expect(periodContaining('2026-11-23', 'quarter')).toMatchObject({ from: '2026-10-01', to: '2026-12-31', label: '2026-Q4' });
    expect(periodContaining('2026-11-23', 'year')).toMatchObject({ from: '2026-01-01', to: '2026-12-31', label: '2026' });
  });

  it('lists the last periods oldest first, across year ends', () => {
    expect(lastPeriods('2026-02-15', 'month', 3).map((p) => p.label)).toEqual(['2025-12', '2026-01', '2026-02']);
    expect(lastPeriods('2026-03-29', 'day', 2).map((p) => p.from)).toEqual(['2026-03-28', '2026-03-29']);
  });

  it('compares a custom range with the same number of days before it', () => {
    expect(previousRange({ from: '2026-03-01', to: '2026-03-10' })).toEqual({ from: '2026-02-19', to: '2026-02-28' });
  });
});
