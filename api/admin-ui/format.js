/* Numbers and dates for display, in the UI language's conventions. Rounding happens only here. */
import { locale, t } from './i18n.js';

const formatter = (options) => new Intl.NumberFormat(locale(), options);

/** NPS as a signed whole number: +42, −7, 0; an en dash without answers. */
export function formatNps(value) {
  if (value === null || value === undefined) return '–';
  const rounded = Math.round(value);
  return formatter({ signDisplay: 'exceptZero', maximumFractionDigits: 0 }).format(rounded === 0 ? 0 : rounded);
}

export function formatNumber(value, digits = 0) {
  if (value === null || value === undefined) return '–';
  return formatter({ minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);
}

/** A percentage given as 0–100. */
export function formatPercent(value, digits = 1) {
  if (value === null || value === undefined) return '–';
  return `${formatNumber(value, digits)}%`;
}

export function formatMargin(value) {
  if (value === null || value === undefined) return '–';
  return `± ${formatNumber(value, 1)}`;
}

export function formatDate(iso) {
  if (!iso) return '–';
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium' }).format(new Date(iso));
}

/** A calendar day (YYYY-MM-DD) as people say it: "Friday 4 December", whatever the browser's zone. */
export function formatDay(day) {
  if (!day) return '–';
  return new Intl.DateTimeFormat(locale(), { weekday: 'long', day: 'numeric', month: 'long', timeZone: 'UTC' }).format(new Date(`${day}T12:00:00Z`));
}

export function formatDateTime(iso) {
  if (!iso) return '–';
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

/** The text of an API error for a person. */
export function errorText(error) {
  if (!error) return '';
  if (error.status === 0) return t('error.network');
  if (error.status === 503) return t('error.unavailable');
  return error.message || t('error.generic');
}

/** A time in a given IANA zone, with the zone's short name: "10 Jun 2026, 09:00 EDT". */
export function formatDateTimeIn(iso, timeZone) {
  if (!iso) return '–';
  // dateStyle / timeStyle do not combine with timeZoneName: the fields one by one.
  const fields = { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone, timeZoneName: 'short' };
  return new Intl.DateTimeFormat(locale(), fields).format(new Date(iso));
}

/** The viewer's own time zone, as the browser knows it. */
export const viewerTimeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;
