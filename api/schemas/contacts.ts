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
    /** Set once the person's data was erased (DELETE /api/contacts/:id); the row is then an empty tombstone. */
    erasedAt: Nullable(Timestamp),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'Contact' },
);

/** The contact list's filters, shared by the list, its count and its CSV export (contacts/list-filter.ts). */
export const ContactFilterQuery = {
  q: Type.Optional(Type.String({ maxLength: 200, description: 'matches email, first or last name' })),
  email: Type.Optional(Type.String({ maxLength: 320, description: 'exact address, case-insensitive' })),
  externalRef: Type.Optional(Type.String({ maxLength: 200 })),
  clientId: Type.Optional(Type.String({ format: 'uuid' })),
  frontlineEmployeeId: Type.Optional(Type.String({ format: 'uuid' })),
  optedOut: Type.Optional(Type.Boolean()),
  inactive: Type.Optional(Type.Boolean()),
  outOfScope: Type.Optional(Type.Boolean()),
  language: Type.Optional(Language),
  region: Type.Optional(Type.String({ maxLength: 100, description: 'exact region, case-insensitive' })),
  bounced: Type.Optional(Type.Boolean({ description: 'true: the current address bounced (changing it lifts the bounce)' })),
  notCompletedForDays: Type.Optional(
    Type.Integer({ minimum: 0, maximum: 36500, description: 'no survey completed in the last N days (including contacts who never completed one)' }),
  ),
};

export const ContactListQuery = Type.Object({ ...PageQuery, ...ContactFilterQuery }, { additionalProperties: false });

export const ContactCountQuery = Type.Object(ContactFilterQuery, { additionalProperties: false });

const Day = Nullable(Timestamp);
export const ContactActivity = Type.Object({
  memberships: Type.Array(
    Type.Object({
      memberId: Type.String({ format: 'uuid' }),
      campaignId: Type.String({ format: 'uuid' }),
      campaignName: Type.String(),
      campaignStatus: Type.String(),
      status: Type.String({ description: 'the member status (New, Survey_Not_Started, Survey_Completed, Email_Bounced …)' }),
      channel: Nullable(Type.String()),
      remindersSent: Type.Integer(),
      lastCommunicationAt: Day,
      addedAt: Timestamp,
      sentAt: Day,
      openedAt: Day,
      completedAt: Day,
      expiresAt: Day,
    }),
  ),
  responses: Type.Array(
    Type.Object({
      id: Type.String({ format: 'uuid' }),
      surveyId: Type.String({ format: 'uuid' }),
      surveyTitle: Type.String(),
      campaignId: Nullable(Type.String({ format: 'uuid' })),
      campaignName: Nullable(Type.String()),
      npsScore: Nullable(Type.Integer()),
      ratingScore: Nullable(Type.Number()),
      comment: Nullable(Type.String()),
      language: Type.String(),
      submittedAt: Timestamp,
    }),
  ),
  followUpTasks: Type.Array(
    Type.Object({
      id: Type.String({ format: 'uuid' }),
      kind: Type.String(),
      subject: Type.String(),
      status: Type.String(),
      dueAt: Timestamp,
      assigneeEmployeeId: Nullable(Type.String({ format: 'uuid' })),
      assigneeName: Nullable(Type.String()),
      campaignId: Nullable(Type.String({ format: 'uuid' })),
      createdAt: Timestamp,
    }),
  ),
  emails: Type.Array(
    Type.Object({
      id: Type.String({ format: 'uuid' }),
      kind: Type.String(),
      subject: Type.String(),
      toAddress: Type.String(),
      status: Type.String(),
      outcome: Nullable(Type.String()),
      createdAt: Timestamp,
      sentAt: Day,
      events: Type.Array(Type.Object({ type: Type.String(), occurredAt: Timestamp })),
    }),
  ),
});
