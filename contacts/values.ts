import { canonicalTimeZone } from '../domain/time-zones';

/** A field-level problem schema validation cannot see (e.g. an unknown time zone). */
export interface FieldProblem {
  field: string;
  message: string;
}

interface NormalisableFields {
  email?: string | null;
  language?: string | null;
  timeZone?: string | null;
  externalRef?: string | null;
  region?: string | null;
  firstName?: string;
  lastName?: string;
}

/**
 * Normalises the fields of a contact as they are stored: trimmed email and names, lower-case
 * language, canonical IANA zone. Mutates and returns `fields`; reports what is still wrong.
 */
export function normaliseContactFields<T extends NormalisableFields>(fields: T, problems: FieldProblem[]): T {
  if (typeof fields.email === 'string') fields.email = fields.email.trim();
  if (typeof fields.firstName === 'string') fields.firstName = fields.firstName.trim();
  if (typeof fields.lastName === 'string') fields.lastName = fields.lastName.trim();
  if (typeof fields.externalRef === 'string') fields.externalRef = fields.externalRef.trim();
  if (typeof fields.region === 'string') fields.region = fields.region.trim();
  if (typeof fields.language === 'string') fields.language = fields.language.toLowerCase();
  if (typeof fields.timeZone === 'string') {
    const zone = canonicalTimeZone(fields.timeZone.trim());
    if (zone) fields.timeZone = zone;
    else problems.push({ field: 'timeZone', message: `${fields.timeZone} is not a known IANA time zone` });
  }
  return fields;
}
