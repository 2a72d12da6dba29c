import { Type } from 'typebox';
import { NOTE_MAX_LENGTH } from '../../domain/follow-up';
import { Nullable } from '../../contacts/fields';
import { PageQuery } from './common';

const Uuid = Type.String({ format: 'uuid' });
const Timestamp = Type.String({ format: 'date-time' });
const DueDate = Type.String({ format: 'date', description: 'a day, YYYY-MM-DD: due at its end in the assignee’s time zone' });
const Note = Type.String({ minLength: 1, maxLength: NOTE_MAX_LENGTH });
const CreatedDay = (description: string) => Type.String({ format: 'date', description });

/** The values of domain/follow-up.ts (tests/api/follow-up-tasks.test.ts holds them together). */
export const TaskStatus = Type.Union([Type.Literal('open'), Type.Literal('in_progress'), Type.Literal('closed')]);
export const TaskOutcome = Type.Union([Type.Literal('resolved'), Type.Literal('not_resolved'), Type.Literal('unreachable'), Type.Literal('no_action_needed')]);

export const TaskListQuery = Type.Object(
  {
    ...PageQuery,
    assignee: Type.Optional(Type.Union([Uuid, Type.Literal('me')], { description: 'an employee id, or me' })),
    status: Type.Optional(Type.Union([TaskStatus, Type.Literal('active')], { description: 'active: open or in progress' })),
    overdue: Type.Optional(Type.Boolean({ description: 'not closed and past the end of its due day' })),
    escalated: Type.Optional(Type.Boolean()),
    kind: Type.Optional(Type.Union([Type.Literal('feedback_call'), Type.Literal('action_plan')])),
    surveyId: Type.Optional(Uuid),
    campaignId: Type.Optional(Uuid),
    clientId: Type.Optional(Uuid),
    dueBefore: Type.Optional(Timestamp),
    dueAfter: Type.Optional(Timestamp),
    createdFrom: Type.Optional(CreatedDay('created on or after this day (a reporting day), the days GET /api/analytics/follow-up-tasks counts in')),
    createdTo: Type.Optional(CreatedDay('created on or before this day (a reporting day)')),
  },
  { additionalProperties: false },
);

const Person = Nullable(Type.Object({ id: Uuid, name: Type.String(), email: Nullable(Type.String()) }));

export const TaskSummary = Type.Object(
  {
    id: Uuid,
    kind: Type.String(),
    status: TaskStatus,
    subject: Type.String(),
    dueDate: Type.String(),
    dueAt: Timestamp,
    overdue: Type.Boolean(),
    escalatedAt: Nullable(Timestamp),
    outcome: Nullable(Type.String()),
    firstActionAt: Nullable(Timestamp),
    completedAt: Nullable(Timestamp),
    createdAt: Timestamp,
    assignee: Person,
    contact: Person,
    campaignId: Nullable(Type.String()),
    surveyId: Nullable(Type.String()),
    clientId: Nullable(Type.String()),
  },
  { description: 'A follow-up task in a list' },
);

export const TaskDetail = Type.Object(
  {
    ...TaskSummary.properties,
    description: Type.String(),
    contact: Nullable(
      Type.Object({ id: Uuid, name: Type.String(), email: Nullable(Type.String()), phone: Nullable(Type.String()), language: Nullable(Type.String()) }),
    ),
    client: Nullable(Type.Object({ id: Uuid, name: Type.String() })),
    campaign: Nullable(Type.Object({ id: Uuid, name: Type.String() })),
    survey: Nullable(Type.Object({ id: Uuid, title: Type.String() })),
    response: Nullable(
      Type.Object({
        id: Uuid,
        submittedAt: Timestamp,
        npsScore: Nullable(Type.Integer()),
        language: Type.String(),
        answers: Type.Array(Type.Object({ questionId: Type.String(), type: Type.String(), question: Type.String(), answer: Type.String() })),
      }),
    ),
    timeline: Type.Array(Type.Object({ at: Timestamp, event: Type.String() })),
    history: Type.Array(
      Type.Object({
        id: Uuid,
        at: Timestamp,
        kind: Type.String(),
        note: Nullable(Type.String()),
        actorName: Nullable(Type.String()),
        details: Type.Record(Type.String(), Type.Unknown()),
      }),
    ),
  },
  { description: 'A task with the answers (in the survey’s question order), the contact, the member’s timeline and the history' },
);

export const DetailQuery = Type.Object(
  { language: Type.Optional(Type.String({ pattern: '^[a-z]{2}$', description: 'language of the question labels; yours by default' })) },
  { additionalProperties: false },
);

export const CloseBody = Type.Object(
  { outcome: TaskOutcome, note: Type.Optional(Note) },
  { additionalProperties: false, description: 'A note is required for resolved and not_resolved' },
);
export const NoteBody = Type.Object({ note: Note }, { additionalProperties: false });
export const ReassignBody = Type.Object({ assigneeEmployeeId: Uuid, note: Type.Optional(Note) }, { additionalProperties: false });
export const DueDateBody = Type.Object({ dueDate: DueDate }, { additionalProperties: false });
export const ReopenBody = Type.Object({ note: Type.Optional(Note), dueDate: Type.Optional(DueDate) }, { additionalProperties: false });
export const StartBody = Type.Object({}, { additionalProperties: false });

export const ActionPlanBody = Type.Object(
  {
    subject: Type.String({ minLength: 1, maxLength: 300 }),
    description: Type.Optional(Type.String({ maxLength: NOTE_MAX_LENGTH })),
    assigneeEmployeeId: Uuid,
    dueDate: DueDate,
    clientId: Type.Optional(Uuid),
    contactId: Type.Optional(Uuid),
  },
  { additionalProperties: false, description: 'An action-plan task on a client or a contact (one of the two at least)' },
);
