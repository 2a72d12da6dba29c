import { describe, expect, it } from 'vitest';
import { lastPeriods, localDate, periodContaining, previousRange } from '../../analytics/periods';
import { csvCell, toCsv } from '../../analytics/csv';

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

describe('CSV cells', () => {
  it('quotes commas, quotes and line breaks', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('one\ntwo')).toBe('"one\ntwo"');
    expect(csvCell(' padded')).toBe('" padded"');
  });

  it('guards text that a spreadsheet would run as a formula, but not numbers', () => {
    expect(csvCell('=1+2')).toBe("'=1+2");
    expect(csvCell('+31')).toBe("'+31");
    expect(csvCell('-5')).toBe("'-5");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\tcmd')).toBe("'\tcmd");
    expect(csvCell('=A1,"x"')).toBe(`"'=A1,""x"""`);
    expect(csvCell(-5)).toBe('-5');
  });

  it('writes empty cells for null, lists joined, objects as JSON, CRLF line ends', () => {
    expect(toCsv(['a', 'b', 'c', 'd'], [[null, ['x', 'y'], { k: 1 }, true]])).toBe('a,b,c,d\r\n,x; y,"{""k"":1}",true\r\n');
  });
});
