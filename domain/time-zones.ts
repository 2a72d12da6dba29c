/**
 * IANA time zones, checked against the runtime's own tz database (Intl). Offsets such as
 * "+01:00" are refused: a contact's zone must follow daylight-saving rules.
 */
const NAME = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/;
const known = new Map<string, string | undefined>();

/** The canonical spelling of an IANA zone (e.g. "europe/amsterdam" → "Europe/Amsterdam"), or undefined. */
export function canonicalTimeZone(zone: string): string | undefined {
  if (known.has(zone)) return known.get(zone);
  let canonical: string | undefined;
  if (NAME.test(zone)) {
    try {
      canonical = new Intl.DateTimeFormat('en', { timeZone: zone }).resolvedOptions().timeZone;
    } catch {
      canonical = undefined;
    }
  }
  if (known.size < 10_000) known.set(zone, canonical);
  return canonical;
}
