import type Ajv from 'ajv';

/*
 * A `date` or `date-time` the schemas accept must also be one PostgreSQL can take: it has no
 * year 0 (1 BC comes before AD 1) and a JavaScript Date past 9999 prints as "+010000-…", which it
 * cannot read. The format checks are narrowed once, for every route, so such a value is a 400 at
 * the schema instead of a database error.
 */
const FIRST_YEAR = 1;
const LAST_YEAR = 9999;

/** A `YYYY-MM-DD` day PostgreSQL can store. */
export const isStorableDay = (value: string): boolean => Number(value.slice(0, 4)) >= FIRST_YEAR;

/** An RFC 3339 date-time whose instant, in UTC (as it reaches the database), has a year PostgreSQL can store. */
export function isStorableInstant(value: string): boolean {
  const year = new Date(value).getUTCFullYear();
  return year >= FIRST_YEAR && year <= LAST_YEAR;
}

type FormatCheck = (value: string) => boolean;

function narrowed(ajv: Ajv, name: 'date' | 'date-time', storable: FormatCheck): void {
  const format = ajv.formats[name];
  const valid: FormatCheck | undefined =
    typeof format === 'function'
      ? (format as FormatCheck)
      : format && typeof format === 'object' && 'validate' in format && typeof format.validate === 'function'
        ? (format.validate as FormatCheck)
        : undefined;
  if (!valid) throw new Error(`ajv has no "${name}" format to narrow`);
  ajv.addFormat(name, { type: 'string', validate: (value: string) => valid(value) && storable(value) });
}

/** Fastify's `ajv.onCreate`: runs once the standard formats are in. */
export function narrowDateFormats(ajv: Ajv): void {
  narrowed(ajv, 'date', isStorableDay);
  narrowed(ajv, 'date-time', isStorableInstant);
}
