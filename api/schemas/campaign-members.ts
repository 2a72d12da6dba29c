import { Type } from 'typebox';
import { MemberStatus } from './campaigns';

/** One member's detail page: the member, its workflow's live state and what the records say happened. */

const Timestamp = Type.String({ format: 'date-time' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Id = Type.String({ format: 'uuid' });

export const MemberTimeline = Type.Object({
  workflow: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()], { description: "the running workflow's state; null when it does not run" }),
  timeZone: Type.String({ description: "the zone the member's sending is planned in: the contact's, its region's, else the campaign's default" }),
  statusHistory: Type.Array(Type.Object({ status: MemberStatus, at: Timestamp }), { description: 'statuses with the (business) time each began, oldest first' }),
  invitations: Type.Array(
    Type.Object({
      id: Id,
      status: Type.String(),
      language: Nullable(Type.String()),
      sentAt: Nullable(Timestamp),
      openedAt: Nullable(Timestamp),
      completedAt: Nullable(Timestamp),
      expiresAt: Nullable(Timestamp),
      createdAt: Timestamp,
    }),
  ),
  emails: Type.Array(
    Type.Object({
      id: Id,
      kind: Type.String(),
      status: Type.String({ description: 'queued, sent, failed or withheld' }),
      outcome: Nullable(Type.String({ description: 'why it failed or was withheld' })),
      invitationId: Nullable(Id),
      requestedAt: Nullable(Timestamp),
      createdAt: Timestamp,
      sentAt: Nullable(Timestamp),
      events: Type.Array(Type.Object({ type: Type.String(), occurredAt: Timestamp }), { description: "the provider's events (delivered, opened, bounced …)" }),
    }),
  ),
  responses: Type.Array(
    Type.Object({ id: Id, invitationId: Nullable(Id), submittedAt: Timestamp, npsScore: Nullable(Type.Integer()), ratingScore: Nullable(Type.Number()) }),
  ),
  followUpTasks: Type.Array(
    Type.Object({ id: Id, kind: Type.String(), status: Type.String(), subject: Type.String(), dueAt: Timestamp, outcome: Nullable(Type.String()), completedAt: Nullable(Timestamp), createdAt: Timestamp }),
  ),
});
