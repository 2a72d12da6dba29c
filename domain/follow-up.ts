import { instantOfLocal, localTime } from './send-time';

/*
 * Follow-up tasks: a detractor's feedback call or an action-plan task. Their statuses and
 * outcomes, when they fall due and escalate, and the checks on the commands people give them.
 * Pure, so the task's workflow, its activities and the API share one statement of each rule.
 */

export const FOLLOW_UP_STATUSES = ['open', 'in_progress', 'closed'] as const;
export type FollowUpStatus = (typeof FOLLOW_UP_STATUSES)[number];

export const FOLLOW_UP_OUTCOMES = ['resolved', 'not_resolved', 'unreachable', 'no_action_needed'] as const;
export type FollowUpOutcome = (typeof FOLLOW_UP_OUTCOMES)[number];

export const FOLLOW_UP_KINDS = ['feedback_call', 'action_plan'] as const;
export type FollowUpKind = (typeof FOLLOW_UP_KINDS)[number];

/** A closed call that reached the customer must say what came of it. */
export const outcomeNeedsNote = (outcome: FollowUpOutcome): boolean => outcome === 'resolved' || outcome === 'not_resolved';

const DAY = 24 * 60 * 60 * 1000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A calendar date `YYYY-MM-DD` that exists. */
export function isCalendarDate(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const match = DATE.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** The task's due day: the local date of `answeredAt` in `timeZone`, plus `dueDays`. */
export function followUpDueDate(answeredAt: number, dueDays: number, timeZone: string): string {
  const local = localTime(answeredAt, timeZone);
  const due = new Date(Date.UTC(local.year, local.month - 1, local.day + dueDays));
  return `${pad(due.getUTCFullYear(), 4)}-${pad(due.getUTCMonth() + 1)}-${pad(due.getUTCDate())}`;
}

/** The last millisecond of `date` in `timeZone`: a task due that day is overdue from midnight on. */
export function endOfDueDay(date: string, timeZone: string): number {
  const match = DATE.exec(date);
  if (!match || !isCalendarDate(date)) throw new RangeError(`not a calendar date: ${date}`);
  return instantOfLocal(Number(match[1]), Number(match[2]), Number(match[3]) + 1, 0, timeZone) - 1;
}

/** Still open this many days after it fell due, the task goes to whoever escalations reach. */
export const escalationAt = (dueAt: number, escalationDays: number): number => dueAt + escalationDays * DAY;

/** What an employee asks of a task's workflow (the API checks who may ask). */
export interface FollowUpActor {
  employeeId: string | null;
  /** The employee's email or the key's name, as recorded in the task's history. */
  name: string;
}

/**
 * The actor as a workflow may hold it (histories hold ids, not people): an employee by id alone,
 * named when the task's history entry is written; a key by its name.
 */
export const actorForHistory = (by: FollowUpActor): FollowUpActor => (by.employeeId ? { employeeId: by.employeeId, name: '' } : by);

export interface StartFollowUp {
  by: FollowUpActor;
}
export interface NoteFollowUp {
  by: FollowUpActor;
  /** The note row the API recorded. */
  noteId: string;
}
/**
 * A command's note as its workflow receives it: the id of the note the API stored on the task
 * (people's words stay out of Temporal's histories); commands of before carry the text itself.
 */
export interface CommandNote {
  noteId?: string;
  note?: string;
}
export interface ReassignFollowUp extends CommandNote {
  by: FollowUpActor;
  assigneeEmployeeId: string;
}
export interface ChangeFollowUpDueDate {
  by: FollowUpActor;
  dueDate: string;
}
export interface CloseFollowUp extends CommandNote {
  by: FollowUpActor;
  outcome: FollowUpOutcome;
}
export interface ReopenFollowUp extends CommandNote {
  by: FollowUpActor;
  /** A new due day; without it the task keeps its own. */
  dueDate?: string;
}

export const NOTE_MAX_LENGTH = 4000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function invalidActor(input: unknown): string | null {
  if (typeof input !== 'object' || input === null) return 'the command must be an object';
  const by = (input as { by?: unknown }).by as FollowUpActor | undefined;
  if (typeof by !== 'object' || by === null || typeof by.name !== 'string') return 'the command must say who gives it';
  return null;
}

/** The command's note (its text, or the id of the note the API stored) is checked. */
function invalidNote(command: Record<string, unknown>, required: boolean): string | null {
  if (command.noteId !== undefined) return typeof command.noteId === 'string' && UUID.test(command.noteId) ? null : 'noteId must be a note id';
  const note = command.note;
  if (note === undefined || note === null || (typeof note === 'string' && note.trim() === '')) return required ? 'a note is required' : null;
  if (typeof note !== 'string') return 'note must be text';
  if (note.length > NOTE_MAX_LENGTH) return `note must be at most ${NOTE_MAX_LENGTH} characters`;
  return null;
}

/**
 * Why a command cannot be applied to a task with `status`, or null. Shared by the workflow's
 * update validators (which refuse before anything reaches history) and the API (a clear 4xx).
 */
export function refuseFollowUpCommand(
  command: 'start' | 'note' | 'reassign' | 'changeDueDate' | 'close' | 'reopen',
  input: unknown,
  task: { status: FollowUpStatus; assigneeEmployeeId: string | null },
): string | null {
  const actor = invalidActor(input);
  if (actor) return actor;
  const value = input as Record<string, unknown>;
  if (command === 'reopen') {
    if (task.status !== 'closed') return 'only a closed task can be reopened';
    if (value.dueDate !== undefined && !isCalendarDate(value.dueDate)) return 'dueDate must be a date YYYY-MM-DD';
    return invalidNote(value, false);
  }
  if (task.status === 'closed') return 'the task is closed';
  switch (command) {
    case 'start':
      return task.status === 'open' ? null : 'the task has already been started';
    case 'note':
      return null;
    case 'reassign':
      if (typeof value.assigneeEmployeeId !== 'string' || !UUID.test(value.assigneeEmployeeId)) return 'assigneeEmployeeId must be an employee id';
      if (value.assigneeEmployeeId === task.assigneeEmployeeId) return 'the task is already assigned to that employee';
      return invalidNote(value, false);
    case 'changeDueDate':
      return isCalendarDate(value.dueDate) ? null : 'dueDate must be a date YYYY-MM-DD';
    case 'close': {
      const outcome = value.outcome as FollowUpOutcome;
      if (!(FOLLOW_UP_OUTCOMES as readonly unknown[]).includes(outcome)) return `outcome must be one of ${FOLLOW_UP_OUTCOMES.join(', ')}`;
      const note = invalidNote(value, outcomeNeedsNote(outcome));
      return note && note === 'a note is required' ? `a note is required to close a task as ${outcome}` : note;
    }
  }
}
