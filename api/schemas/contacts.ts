import { Type, type Static } from 'typebox';
import { contactFields, Language, Nullable } from '../../contacts/fields';
import { PageQuery } from './common';

export { ExternalRef, Language, Nullable, TimeZone } from '../../contacts/fields';

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
    phone: Nullable(Type.String()),
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
    clientId: Type.Optional(Type.String({ format: 'uuid' })),
    frontlineEmployeeId: Type.Optional(Type.String({ format: 'uuid' })),
    optedOut: Type.Optional(Type.Boolean()),
    inactive: Type.Optional(Type.Boolean()),
    outOfScope: Type.Optional(Type.Boolean()),
    language: Type.Optional(Language),
  },
  { additionalProperties: false },
);
