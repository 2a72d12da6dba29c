/**
 * The limits of a campaign's send settings, stated once. The TypeBox schema (API validation and
 * the OpenAPI document the admin form reads its hints from) and the member workflow's update
 * validator are both built from these. Plain data, so workflow code may import it.
 */
export const SETTING_RANGES = {
  /** Reminders after the invitation (one to three; 0 turns them off). */
  reminders: { minimum: 0, maximum: 3 },
  /** Days between messages (2–14 days apart). */
  reminderIntervalDays: { minimum: 2, maximum: 14 },
  /** Days an invitation stays valid after it went out. */
  expiryDays: { minimum: 1, maximum: 365 },
  /** A contact who answered any survey within this many days is not mailed (the NPS No Send Rule; 0 turns it off). */
  noSendRuleDays: { minimum: 0, maximum: 3650 },
  /** Days a detractor's follow-up task is due after the answer (14 by default). */
  followUpDueDays: { minimum: 1, maximum: 90 },
  /** Days a follow-up task may stay open past its due day before it goes to the campaign owner. */
  escalationDays: { minimum: 1, maximum: 90 },
  /** Minutes over which a wave's invitations are spread. */
  staggerMinutes: { minimum: 0, maximum: 1440 },
} as const;

export type RangedSetting = keyof typeof SETTING_RANGES;

/** The send window's local hours; the end is exclusive and must come after the start. */
export const SEND_WINDOW_RANGES = {
  startHour: { minimum: 0, maximum: 23 },
  endHour: { minimum: 1, maximum: 24 },
  weekday: { minimum: 1, maximum: 7 },
} as const;

/** At most a year of dates without invitations. */
export const NO_SEND_DATES_MAX = 366;
export const DATE_PATTERN = '^\\d{4}-\\d{2}-\\d{2}$';

export const TEMPLATE_SETS = ['A', 'B', 'C', 'D', 'E'] as const;
export const LANGUAGE_PATTERN = '^[a-z]{2}$';
export const TIME_ZONE_MAX_LENGTH = 64;

/** Settings that matter only until a member is invited: they decide its send slot. */
export const SEND_SLOT_SETTINGS = ['sendWindow', 'defaultTimeZone', 'staggerMinutes', 'noSendDates'] as const;

/** A send window whose hours cannot hold a slot (the schema cannot compare two fields). */
export function invalidSendWindowHours(window: { startHour: number; endHour: number }): string | null {
  return window.endHour > window.startHour ? null : 'sendWindow.endHour must be after sendWindow.startHour';
}
