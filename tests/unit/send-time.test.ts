import { describe, expect, it } from 'vitest';
import { computeSendTime, nextSendSlot, resolveTimeZone, staggerOffsetMs, type SendWindow } from '../../domain/send-time';

const officeHours: SendWindow = { startHour: 9, endHour: 17, weekdays: [1, 2, 3, 4, 5] };
const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

describe('nextSendSlot', () => {
  it('sends at once when the window is open', () => {
    const tuesdayTenAmsterdam = at('2026-06-09T08:00:00Z'); // 10:00 CEST
    expect(nextSendSlot(tuesdayTenAmsterdam, officeHours, 'Europe/Amsterdam')).toBe(tuesdayTenAmsterdam);
  });

  it('waits for the next morning after closing time', () => {
    const tuesdayEvening = at('2026-06-09T16:30:00Z'); // 18:30 CEST
    expect(iso(nextSendSlot(tuesdayEvening, officeHours, 'Europe/Amsterdam'))).toBe('2026-06-10T07:00:00.000Z');
  });

  it('waits until opening time the same day', () => {
    const earlyMorning = at('2026-06-09T04:00:00Z'); // 06:00 CEST
    expect(iso(nextSendSlot(earlyMorning, officeHours, 'Europe/Amsterdam'))).toBe('2026-06-09T07:00:00.000Z');
  });

  it('skips the weekend: Friday evening goes to Monday morning', () => {
    const fridayEvening = at('2026-01-09T18:00:00Z'); // 19:00 CET, Friday
    expect(iso(nextSendSlot(fridayEvening, officeHours, 'Europe/Amsterdam'))).toBe('2026-01-12T08:00:00.000Z');
  });

  it('keeps local opening time across the spring DST change', () => {
    // Amsterdam moves to CEST on Sunday 29 March 2026; Friday 27th is CET (+1), Monday 30th CEST (+2).
    const fridayEvening = at('2026-03-27T17:00:00Z');
    expect(iso(nextSendSlot(fridayEvening, officeHours, 'Europe/Amsterdam'))).toBe('2026-03-30T07:00:00.000Z');
  });

  it('keeps local opening time across the autumn DST change (New York)', () => {
    // New York leaves EDT on Sunday 1 November 2026.
    const window: SendWindow = { startHour: 8, endHour: 12, weekdays: [7, 1] };
    const saturday = at('2026-10-31T15:00:00Z');
    expect(iso(nextSendSlot(saturday, window, 'America/New_York'))).toBe('2026-11-01T13:00:00.000Z'); // 08:00 EST
  });

  it('lands just after a spring-forward gap when the window opens inside it', () => {
    const window: SendWindow = { startHour: 2, endHour: 4, weekdays: [7] };
    const saturday = at('2026-03-28T12:00:00Z');
    // 02:00 does not exist on 29 March in Amsterdam; 03:00 CEST = 01:00Z.
    expect(iso(nextSendSlot(saturday, window, 'Europe/Amsterdam'))).toBe('2026-03-29T01:00:00.000Z');
  });

  it('handles a window that runs to midnight and time zones ahead of UTC', () => {
    const window: SendWindow = { startHour: 20, endHour: 24, weekdays: [1, 2, 3, 4, 5, 6, 7] };
    const tokyoMorning = at('2026-06-09T00:00:00Z'); // 09:00 JST
    expect(iso(nextSendSlot(tokyoMorning, window, 'Asia/Tokyo'))).toBe('2026-06-09T11:00:00.000Z');
  });

  it('rejects an empty window', () => {
    expect(() => nextSendSlot(0, { startHour: 9, endHour: 9, weekdays: [1] }, 'UTC')).toThrow(RangeError);
  });
});

describe('resolveTimeZone', () => {
  it('prefers the contact, then its region, then the campaign default', () => {
    expect(resolveTimeZone({ timeZone: 'America/Chicago', region: 'NL' }, 'UTC')).toBe('America/Chicago');
    expect(resolveTimeZone({ timeZone: null, region: 'us-west' }, 'UTC')).toBe('America/Los_Angeles');
    expect(resolveTimeZone({ timeZone: 'Not/AZone', region: 'Atlantis' }, 'Europe/Brussels')).toBe('Europe/Brussels');
    expect(resolveTimeZone({}, 'Nowhere/Nothing')).toBe('UTC');
  });
});

describe('staggered sending', () => {
  it('gives each member a stable offset inside the stagger window', () => {
    const ids = Array.from({ length: 500 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    const offsets = ids.map((id) => staggerOffsetMs(id, 60));
    expect(offsets.every((o) => o >= 0 && o < 60 * 60_000)).toBe(true);
    expect(staggerOffsetMs(ids[0]!, 60)).toBe(offsets[0]);
    expect(new Set(offsets).size).toBeGreaterThan(400);
    expect(staggerOffsetMs(ids[0]!, 0)).toBe(0);
  });

  it('moves a send time pushed past closing time to the next opening', () => {
    const window: SendWindow = { startHour: 9, endHour: 17, weekdays: [1, 2, 3, 4, 5, 6, 7] };
    const nearlyClosed = at('2026-06-09T16:59:59Z');
    const memberId = 'member-with-a-late-offset';
    const offset = staggerOffsetMs(memberId, 600);
    const sendAt = computeSendTime({ now: nearlyClosed, memberId, window, timeZone: 'UTC', staggerMinutes: 600 });
    expect(offset).toBeGreaterThan(1000);
    expect(iso(sendAt)).toBe('2026-06-10T09:00:00.000Z');
  });

  it('spreads a wave from the window opening', () => {
    const window: SendWindow = { startHour: 9, endHour: 17, weekdays: [1, 2, 3, 4, 5] };
    const sunday = at('2026-06-07T12:00:00Z');
    const sendAt = computeSendTime({ now: sunday, memberId: 'm-1', window, timeZone: 'UTC', staggerMinutes: 60 });
    expect(sendAt - at('2026-06-08T09:00:00Z')).toBe(staggerOffsetMs('m-1', 60));
  });

  it('skips no-send dates, local to the contact: a holiday Monday moves the slot to Tuesday', () => {
    const window: SendWindow = { startHour: 9, endHour: 17, weekdays: [1, 2, 3, 4, 5] };
    const sunday = at('2026-06-07T12:00:00Z');
    const input = { now: sunday, memberId: 'm-1', window, timeZone: 'Europe/Amsterdam', staggerMinutes: 0 };
    expect(iso(computeSendTime(input))).toBe('2026-06-08T07:00:00.000Z');
    expect(iso(computeSendTime({ ...input, noSendDates: ['2026-06-08'] }))).toBe('2026-06-09T07:00:00.000Z');
    // Inside an open window on an excluded date: not now, but the next day that is not excluded.
    const mondayNoon = at('2026-06-08T10:00:00Z');
    expect(iso(nextSendSlot(mondayNoon, window, 'Europe/Amsterdam', ['2026-06-08', '2026-06-09']))).toBe('2026-06-10T07:00:00.000Z');
    // A long run of excluded dates is still crossed.
    const fortnight = Array.from({ length: 14 }, (_, i) => `2026-06-${String(8 + i).padStart(2, '0')}`);
    expect(iso(nextSendSlot(sunday, window, 'Europe/Amsterdam', fortnight))).toBe('2026-06-22T07:00:00.000Z');
  });
});
