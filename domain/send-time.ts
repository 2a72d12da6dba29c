/**
 * When a member's invitation goes out: the next instant inside the campaign's send window
 * (local hours and ISO weekdays) in the contact's own time zone, spread by a deterministic
 * per-member offset so a large wave does not fire in one second (staggered sending).
 * Pure and Intl-based, so workflows can call it with workflow time.
 */

export interface SendWindow {
  /** First local hour a message may go out, 0–23. */
  startHour: number;
  /** Local hour the window closes, exclusive, 1–24. */
  endHour: number;
  /** ISO weekdays, 1 = Monday … 7 = Sunday. */
  weekdays: number[];
}

/** Sales regions (and country codes) to a representative IANA time zone. */
export const REGION_TIME_ZONES: Readonly<Record<string, string>> = {
  NL: 'Europe/Amsterdam',
  BE: 'Europe/Brussels',
  LU: 'Europe/Luxembourg',
  DE: 'Europe/Berlin',
  FR: 'Europe/Paris',
  ES: 'Europe/Madrid',
  IT: 'Europe/Rome',
  GB: 'Europe/London',
  UK: 'Europe/London',
  IE: 'Europe/Dublin',
  PT: 'Europe/Lisbon',
  PL: 'Europe/Warsaw',
  SE: 'Europe/Stockholm',
  US: 'America/New_York',
  CA: 'America/Toronto',
  BR: 'America/Sao_Paulo',
  MX: 'America/Mexico_City',
  IN: 'Asia/Kolkata',
  SG: 'Asia/Singapore',
  JP: 'Asia/Tokyo',
  CN: 'Asia/Shanghai',
  AU: 'Australia/Sydney',
  NZ: 'Pacific/Auckland',
  ZA: 'Africa/Johannesburg',
  EMEA: 'Europe/Amsterdam',
  EUROPE: 'Europe/Amsterdam',
  BENELUX: 'Europe/Amsterdam',
  DACH: 'Europe/Berlin',
  NORDICS: 'Europe/Stockholm',
  AMER: 'America/New_York',
  NA: 'America/New_York',
  NORTH_AMERICA: 'America/New_York',
  US_EAST: 'America/New_York',
  US_CENTRAL: 'America/Chicago',
  US_WEST: 'America/Los_Angeles',
  LATAM: 'America/Sao_Paulo',
  APAC: 'Asia/Singapore',
  ANZ: 'Australia/Sydney',
};

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The contact's own zone, else its region's, else the campaign default (each only when valid). */
export function resolveTimeZone(
  contact: { timeZone?: string | null; region?: string | null },
  defaultTimeZone: string,
  regionTimeZones: Readonly<Record<string, string>> = REGION_TIME_ZONES,
): string {
  if (contact.timeZone && isValidTimeZone(contact.timeZone)) return contact.timeZone;
  const region = contact.region?.trim().toUpperCase().replace(/[\s-]+/g, '_');
  const fromRegion = region ? regionTimeZones[region] : undefined;
  if (fromRegion && isValidTimeZone(fromRegion)) return fromRegion;
  return isValidTimeZone(defaultTimeZone) ? defaultTimeZone : 'UTC';
}

export interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** ISO weekday, 1 = Monday. */
  weekday: number;
}

/** The wall-clock date and time of `instant` in `timeZone`. */
export function localTime(instant: number, timeZone: string): LocalTime {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(instant))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const year = parts.year ?? 1970;
  const month = parts.month ?? 1;
  const day = parts.day ?? 1;
  return {
    year,
    month,
    day,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
    weekday: isoWeekday(Date.UTC(year, month - 1, day)),
  };
}

function isoWeekday(utcMidnight: number): number {
  return ((new Date(utcMidnight).getUTCDay() + 6) % 7) + 1;
}

/** How far the zone's wall clock is ahead of UTC at `instant`, in milliseconds. */
function zoneOffset(instant: number, timeZone: string): number {
  const t = localTime(instant, timeZone);
  const wall = Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second);
  return wall - Math.floor(instant / 1000) * 1000;
}

/**
 * The instant a local wall-clock time occurs in `timeZone`. Two passes settle the offset across
 * a DST change; a wall time inside a spring-forward gap lands just after the gap.
 */
export function instantOfLocal(year: number, month: number, day: number, hour: number, timeZone: string): number {
  const wall = Date.UTC(year, month - 1, day, hour);
  const first = wall - zoneOffset(wall, timeZone);
  return wall - zoneOffset(first, timeZone);
}

/** A local date as YYYY-MM-DD. */
const dateText = (year: number, month: number, day: number) => `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;

/**
 * The first instant at or after `from` (epoch ms) that lies inside the send window, on none of
 * the `noSendDates` (local dates, YYYY-MM-DD: public holidays and the like).
 */
export function nextSendSlot(from: number, window: SendWindow, timeZone: string, noSendDates: readonly string[] = []): number {
  const weekdays = new Set(window.weekdays);
  if (weekdays.size === 0 || window.endHour <= window.startHour) {
    throw new RangeError('a send window needs at least one weekday and startHour < endHour');
  }
  const excluded = new Set(noSendDates);
  const now = localTime(from, timeZone);
  const inWindow = weekdays.has(now.weekday) && now.hour >= window.startHour && now.hour < window.endHour;
  if (inWindow && !excluded.has(dateText(now.year, now.month, now.day))) return from;
  // Some day in the coming week (plus one, for today's closed window, plus one per excluded date) opens the window.
  for (let offset = 0; offset <= 8 + excluded.size; offset++) {
    const date = new Date(Date.UTC(now.year, now.month - 1, now.day + offset));
    const weekday = isoWeekday(date.getTime());
    if (!weekdays.has(weekday)) continue;
    if (excluded.has(dateText(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()))) continue;
    const opening = instantOfLocal(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), window.startHour, timeZone);
    if (opening > from) return opening;
  }
  throw new Error(`no send slot found after ${new Date(from).toISOString()} in ${timeZone}`);
}

/** A stable offset in [0, staggerMinutes) for one member, from a 32-bit FNV-1a hash of its id. */
export function staggerOffsetMs(memberId: string, staggerMinutes: number): number {
  const spreadSeconds = Math.floor(staggerMinutes * 60);
  if (spreadSeconds <= 0) return 0;
  let hash = 0x811c9dc5;
  for (let i = 0; i < memberId.length; i++) {
    hash ^= memberId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return (hash % spreadSeconds) * 1000;
}

export interface SendTimeInput {
  /** Epoch ms the member became ready (workflow time). */
  now: number;
  memberId: string;
  window: SendWindow;
  timeZone: string;
  staggerMinutes: number;
  /** Local dates (YYYY-MM-DD) on which nothing goes out; absent in settings stored before they existed. */
  noSendDates?: readonly string[];
}

/**
 * The member's send time: the window's next opening plus its stagger offset, moved to the next
 * opening again if the offset pushed it past the window's end.
 */
export function computeSendTime(input: SendTimeInput): number {
  const opening = nextSendSlot(input.now, input.window, input.timeZone, input.noSendDates);
  return nextSendSlot(opening + staggerOffsetMs(input.memberId, input.staggerMinutes), input.window, input.timeZone, input.noSendDates);
}
