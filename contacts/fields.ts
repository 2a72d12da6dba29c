import { Type, type Static, type TSchema } from 'typebox';
import { Email } from '../people/employee-fields';

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
  phone: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 50, description: 'for the follow-up call' }))),
  language: Type.Optional(Nullable(Language)),
  timeZone: Type.Optional(Nullable(TimeZone)),
  region: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 100 }))),
  clientId: Type.Optional(Nullable(UuidRef)),
  frontlineEmployeeId: Type.Optional(Nullable(UuidRef)),
  optedOut: Type.Optional(Type.Boolean({ description: 'true records optedOutAt; false clears it' })),
  outOfScope: Type.Optional(Type.Boolean()),
  inactive: Type.Optional(Type.Boolean()),
};

/**
 * One row of a contact import: the contact's fields (with `id`, those of a contact npsflow holds),
 * plus references the source CRM knows
 * (`frontlineEmployeeEmail`, `clientRef` with an optional `clientName` that creates or renames
 * the client) in place of ids.
 */
export const ContactImportRow = Type.Object(
  {
    id: Type.Optional(Type.String({ format: 'uuid', description: 'an existing contact (the export gives it): the row updates that contact' })),
    ...contactFields,
    frontlineEmployeeEmail: Type.Optional(Nullable(Email)),
    clientRef: Type.Optional(Nullable(ExternalRef)),
    clientName: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 200 }))),
  },
  { additionalProperties: false },
);
export type ContactImportRow = Static<typeof ContactImportRow>;
