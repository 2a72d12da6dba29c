import { Type, type Static, type TSchema } from 'typebox';
import { Email } from './employees';
import { PageQuery } from './common';

/**
 * `type: [T, 'null']` rather than anyOf: with coerceTypes on, Ajv would coerce null to "" in
 * the string branch of an anyOf, and its errors would name the wrong branch.
 */
export function Nullable<T extends TSchema & { type: string }>(schema: T) {
  return Type.Unsafe<Static<T> | null>({ ...schema, type: [schema.type, 'null'] });
}

export const Language = Type.String({ pattern: '^[A-Za-z]{2}$', description: 'ISO 639-1 code, e.g. nl, en' });
export const TimeZone = Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone, e.g. Europe/Amsterdam' });
export const ExternalRef = Type.String({ minLength: 1, maxLength: 200, description: 'id in the source CRM' });
const Name = Type.String({ maxLength: 200 });
const UuidRef = Type.String({ format: 'uuid' });

/** The writable fields of a contact, shared by create, update and import. */
export const contactFields = {
  externalRef: Type.Optional(Nullable(ExternalRef)),
  email: Type.Optional(Nullable(Email)),
  firstName: Type.Optional(Name),
  lastName: Type.Optional(Name),
  language: Type.Optional(Nullable(Language)),
  timeZone: Type.Optional(Nullable(TimeZone)),
  region: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 100 }))),
  clientId: Type.Optional(Nullable(UuidRef)),
  frontlineEmployeeId: Type.Optional(Nullable(UuidRef)),
  optedOut: Type.Optional(Type.Boolean({ description: 'true records optedOutAt; false clears it' })),
  outOfScope: Type.Optional(Type.Boolean()),
  inactive: Type.Optional(Type.Boolean()),
};

export const ContactInput = Type.Object(contactFields, { additionalProperties: false });
export type ContactInput = Static<typeof ContactInput>;

export const ContactPatch = Type.Object(contactFields, { additionalProperties: false, minProperties: 1 });
export type ContactPatch = Static<typeof ContactPatch>;

const Timestamp = Type.String({ format: 'date-time' });
export const Contact = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    externalRef: Nullable(Type.String()),
    email: Nullable(Type.String()),
    firstName: Type.String(),
    lastName: Type.String(),
    language: Nullable(Type.String()),
    timeZone: Nullable(Type.String()),
    region: Nullable(Type.String()),
    clientId: Nullable(Type.String({ format: 'uuid' })),
    frontlineEmployeeId: Nullable(Type.String({ format: 'uuid' })),
    optedOut: Type.Boolean(),
    optedOutAt: Nullable(Timestamp),
    outOfScope: Type.Boolean(),
    inactive: Type.Boolean(),
    emailBouncedAt: Nullable(Timestamp),
    lastSurveyCompletedAt: Nullable(Timestamp),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'Contact' },
);

export const ContactListQuery = Type.Object(
  {
    ...PageQuery,
    q: Type.Optional(Type.String({ maxLength: 200, description: 'matches email, first or last name' })),
    email: Type.Optional(Type.String({ maxLength: 320, description: 'exact address, case-insensitive' })),
    externalRef: Type.Optional(Type.String({ maxLength: 200 })),
    clientId: Type.Optional(UuidRef),
    frontlineEmployeeId: Type.Optional(UuidRef),
    optedOut: Type.Optional(Type.Boolean()),
    inactive: Type.Optional(Type.Boolean()),
    outOfScope: Type.Optional(Type.Boolean()),
    language: Type.Optional(Language),
  },
  { additionalProperties: false },
);

/**
 * One row of a contact import: the contact's fields, plus references the source CRM knows
 * (`frontlineEmployeeEmail`, `clientRef` with an optional `clientName` that creates or renames
 * the client) in place of ids.
 */
export const ContactImportRow = Type.Object(
  {
    ...contactFields,
    frontlineEmployeeEmail: Type.Optional(Nullable(Email)),
    clientRef: Type.Optional(Nullable(ExternalRef)),
    clientName: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 200 }))),
  },
  { additionalProperties: false },
);
export type ContactImportRow = Static<typeof ContactImportRow>;
