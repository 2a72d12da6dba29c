import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type {
  ChangeFollowUpDueDate,
  CloseFollowUp,
  FollowUpOutcome as TaskOutcome,
  FollowUpKind,
  FollowUpStatus,
  NoteFollowUp,
  ReassignFollowUp,
  ReopenFollowUp,
  StartFollowUp,
} from '../domain/follow-up';
import type { MemberStatus } from '../domain/member-status';
import { isValidTimeZone } from '../domain/send-time';
import { DATE_PATTERN, invalidSendWindowHours, LANGUAGE_PATTERN, NO_SEND_DATES_MAX, SEND_WINDOW_RANGES, SETTING_RANGES, TEMPLATE_SETS } from '../domain/setting-limits';

/*
 * The messages clients (the API, the webhook handler, operators) exchange with campaign
 * workflows. Defined once here; the API imports this module, so names and shapes never drift.
 */

export interface CampaignMemberInput {
  memberId: string;
  campaignId: string;
  contactId: string;
  /** A fresh lifecycle of a member an administrator had rejected (re-inclusion). */
  reincluded?: boolean;
}

/** Work on many members, run by the memberOperation workflow (see operations/). */
export interface MemberOperationInput {
  operationId: string;
  /** The last member id done by the previous run (continue-as-new). */
  cursor?: string;
}

export const operationWorkflowId = (operationId: string): string => `operation-${operationId}`;
/** Asks an operation's workflow to run (the owed signal that starts it). */
export const operationRequestedSignal = defineSignal<[]>('operationRequested');
/** Asks a campaign's launch to (re)start members that have no workflow yet. */
export const launchRequestedSignal = defineSignal<[]>('launchRequested');

export interface CampaignLaunchInput {
  campaignId: string;
  /** The last member id started by the previous run (continue-as-new); absent on the first run. */
  cursor?: string;
  /** Members started by earlier runs of this launch. */
  started?: number;
  /** The campaign's member count when the launch began. */
  total?: number;
  /** Members per page; defaults to 500. */
  pageSize?: number;
}

export const memberWorkflowId = (memberId: string): string => `member-${memberId}`;

/**
 * The task queue email activities run on, beside a workflow's own queue: its workers cap the
 * activities started per second (maxTaskQueueActivitiesPerSecond), so a 100,000-member launch
 * never sends faster than the provider allows.
 */
export const emailTaskQueue = (taskQueue: string): string => `${taskQueue}-email`;

/**
 * Retry of an email activity; a 429's retry-after overrides the interval (nextRetryDelay). Bounded:
 * an email that cannot be handed to the provider within the bound (a wrong key, a provider down
 * for hours) ends the member as Undeliverable instead of retrying for ever.
 */
/**
 * A workflow's reads and writes of its own records. Bounded: a database that stays away for a day
 * fails the run (visible to an operator) rather than leaving it retrying unseen.
 */
export const RECORDS_ACTIVITY_OPTIONS = {
  startToCloseTimeout: '1 minute',
  scheduleToCloseTimeout: '1 day',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
} as const;
export const EMAIL_ACTIVITY_OPTIONS = {
  startToCloseTimeout: '2 minutes',
  scheduleToCloseTimeout: '6 hours',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '15 minutes' },
} as const;
export const launchWorkflowId = (campaignId: string): string => `launch-${campaignId}`;

export interface SurveyCompletedSignal {
  /** The stored response (the API writes it before signalling); null for an anonymous survey's answer, which names none. */
  responseId: string | null;
  /** 0–10, or null when the survey has no answered NPS question (or is anonymous). */
  npsScore: number | null;
}

export interface EmailBouncedSignal {
  /** The provider's bounce description, if any (recorded, not interpreted). */
  reason?: string;
}

export interface RejectedSignal {
  reason?: string;
}

/** The respondent opened the survey form. */
export const surveyOpenedSignal = defineSignal<[]>('surveyOpened');
/** The respondent submitted the survey; the response is already stored. */
export const surveyCompletedSignal = defineSignal<[SurveyCompletedSignal]>('surveyCompleted');
/** The provider reported the invitation or a reminder as bounced. */
export const emailBouncedSignal = defineSignal<[EmailBouncedSignal?]>('emailBounced');
/** The provider refused a survey email for good, or never accepted it within its bound. */
export interface EmailUndeliverableSignal {
  kind: string;
  reason: string;
}
export const emailUndeliverableSignal = defineSignal<[EmailUndeliverableSignal]>('emailUndeliverable');
/** The contact unsubscribed (NPS opt-out). */
export const optedOutSignal = defineSignal<[]>('optedOut');
/** An administrator took the member out of the campaign (Rejected). */
export const rejectedSignal = defineSignal<[RejectedSignal?]>('rejected');

/** A newer invitation of the same contact for the same survey replaced this member's: its link is dead. */
export const invitationSupersededSignal = defineSignal<[]>('invitationSuperseded');
/** The contact's data changed (opted out, inactive, out of scope, address removed): check it again now. */
export const contactChangedSignal = defineSignal<[]>('contactChanged');
/**
 * The contact's personal data was erased (privacy/erasure.ts): end now as Erased, send nothing
 * more. Owed in the transaction that erased the data.
 */
export const contactErasedSignal = defineSignal<[]>('contactErased');
/** The campaign was paused: send nothing, keep your place. */
export const campaignPausedSignal = defineSignal<[]>('campaignPaused');
/** The campaign was resumed: go on where you were. */
export const campaignResumedSignal = defineSignal<[]>('campaignResumed');
/** The campaign (or its survey) was closed: end now unless already finished. */
export const campaignClosedSignal = defineSignal<[]>('campaignClosed');

/**
 * New settings for a running member (a campaign's settings changed). Send window, time zone and
 * stagger move the slot of a member still waiting for it; language and template set apply to
 * emails not yet queued; reminders, interval and expiry to an invited member's remaining plan.
 */
export interface ChangeSettingsInput {
  /** Days from the invitation's send time; an expiry already past ends the member at once. */
  expiryDays?: number;
  /** Total reminders; reminders already sent count towards it. */
  reminders?: number;
  /** Days between messages. */
  reminderIntervalDays?: number;
  sendWindow?: { startHour: number; endHour: number; weekdays: number[] };
  defaultTimeZone?: string;
  staggerMinutes?: number;
  /** Local dates (YYYY-MM-DD) on which no invitation goes out. */
  noSendDates?: string[];
  noSendRuleDays?: number;
  followUpDueDays?: number;
  defaultLanguage?: string;
  templateSet?: (typeof TEMPLATE_SETS)[number];
}

/** The settings a running member takes through the changeSettings update (the others are read when used). */
export const MEMBER_SETTINGS = [
  'expiryDays',
  'reminders',
  'reminderIntervalDays',
  'sendWindow',
  'defaultTimeZone',
  'staggerMinutes',
  'noSendDates',
  'noSendRuleDays',
  'followUpDueDays',
  'defaultLanguage',
  'templateSet',
] as const satisfies readonly (keyof ChangeSettingsInput)[];

const isInteger = (value: unknown, { minimum, maximum }: { minimum: number; maximum: number }) =>
  typeof value === 'number' && Number.isInteger(value) && value >= minimum && value <= maximum;

function invalidSendWindow(value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return 'sendWindow must be an object';
  const window = value as Record<string, unknown>;
  const unknownKey = Object.keys(window).find((key) => !['startHour', 'endHour', 'weekdays'].includes(key));
  if (unknownKey) return `sendWindow.${unknownKey} is not a send window setting`;
  for (const hour of ['startHour', 'endHour'] as const) {
    const limits = SEND_WINDOW_RANGES[hour];
    if (!isInteger(window[hour], limits)) return `sendWindow.${hour} must be an integer from ${limits.minimum} to ${limits.maximum}`;
  }
  const { weekdays } = window;
  if (!Array.isArray(weekdays) || weekdays.length === 0 || new Set(weekdays).size !== weekdays.length || !weekdays.every((d) => isInteger(d, SEND_WINDOW_RANGES.weekday))) {
    return 'sendWindow.weekdays must be one or more different ISO weekdays (1–7)';
  }
  return invalidSendWindowHours(window as { startHour: number; endHour: number });
}

/** Returns a reason the input is invalid, or null. Shared by the update validator and the API. */
export function invalidSettingsChange(input: unknown): string | null {
  if (typeof input !== 'object' || input === null) return 'settings change must be an object';
  const change = input as Record<string, unknown>;
  const unknownKey = Object.keys(change).find((key) => !(MEMBER_SETTINGS as readonly string[]).includes(key));
  if (unknownKey) return `${unknownKey} cannot be changed on a running member`;
  let any = false;
  for (const [key, limits] of Object.entries(SETTING_RANGES)) {
    const value = change[key];
    if (value === undefined) continue;
    any = true;
    if (!isInteger(value, limits)) return `${key} must be an integer from ${limits.minimum} to ${limits.maximum}`;
  }
  if (change.sendWindow !== undefined) {
    any = true;
    const problem = invalidSendWindow(change.sendWindow);
    if (problem) return problem;
  }
  if (change.noSendDates !== undefined) {
    any = true;
    const dates = change.noSendDates;
    const pattern = new RegExp(DATE_PATTERN);
    if (!Array.isArray(dates) || dates.length > NO_SEND_DATES_MAX || !dates.every((d) => typeof d === 'string' && pattern.test(d))) {
      return `noSendDates must be at most ${NO_SEND_DATES_MAX} dates (YYYY-MM-DD)`;
    }
  }
  if (change.defaultTimeZone !== undefined) {
    any = true;
    if (typeof change.defaultTimeZone !== 'string' || !isValidTimeZone(change.defaultTimeZone)) return 'defaultTimeZone must be a known IANA time zone';
  }
  if (change.defaultLanguage !== undefined) {
    any = true;
    if (typeof change.defaultLanguage !== 'string' || !new RegExp(LANGUAGE_PATTERN).test(change.defaultLanguage)) {
      return 'defaultLanguage must be a two-letter language code';
    }
  }
  if (change.templateSet !== undefined) {
    any = true;
    if (!(TEMPLATE_SETS as readonly unknown[]).includes(change.templateSet)) return `templateSet must be one of ${TEMPLATE_SETS.join(', ')}`;
  }
  return any ? null : `nothing to change: give one of ${MEMBER_SETTINGS.join(', ')}`;
}

/** What a member workflow knows about itself; the `memberState` query and update result. */
export interface MemberState {
  memberId: string;
  campaignId: string;
  contactId: string;
  status: MemberStatus;
  /** ISO time the invitation is (or was) due to go out. */
  scheduledSendAt: string | null;
  invitationId: string | null;
  invitedAt: string | null;
  expiresAt: string | null;
  remindersSent: number;
  reminders: number;
  reminderIntervalDays: number;
  expiryDays: number;
  nextReminderAt: string | null;
  responseId: string | null;
  npsScore: number | null;
  followUpTaskId: string | null;
}

export const changeSettingsUpdate = defineUpdate<MemberState, [ChangeSettingsInput]>('changeSettings');
/** An administrator takes a running member out of its campaign; refused once the member has finished. */
export const rejectUpdate = defineUpdate<MemberState, [RejectedSignal]>('reject');
export const memberStateQuery = defineQuery<MemberState>('memberState');

export interface LaunchProgress {
  campaignId: string;
  started: number;
  total: number | null;
  done: boolean;
}

export interface FollowUpTaskInput {
  taskId: string;
}

export const followUpWorkflowId = (taskId: string): string => `follow-up-${taskId}`;

/** The API closed the task in PostgreSQL (follow-up workflows started before the task lifecycle). */
export const followUpClosedSignal = defineSignal<[]>('followUpClosed');

/** A follow-up task as its workflow knows it: the answer of its query and updates. */
export interface FollowUpTaskView {
  taskId: string;
  kind: FollowUpKind;
  status: FollowUpStatus;
  assigneeEmployeeId: string | null;
  /** The due day, in the assignee's time zone. */
  dueDate: string;
  /** The last instant of the due day there (ISO). */
  dueAt: string;
  escalatedAt: string | null;
  outcome: TaskOutcome | null;
}

export const followUpStateQuery = defineQuery<FollowUpTaskView>('followUpState');
/** Owed with the start of an action-plan task's workflow (the task row is the fact); nothing to do. */
export const followUpCreatedSignal = defineSignal<[]>('followUpCreated');
/** The assignee starts working on the task (open → in progress). */
export const startFollowUpUpdate = defineUpdate<FollowUpTaskView, [StartFollowUp]>('startFollowUp');
/** Someone wrote a note (the API stored it); an open task counts as started. */
export const followUpNotedSignal = defineSignal<[NoteFollowUp]>('followUpNoted');
/** Another employee takes the task over; they are told, and its due time moves to their time zone. */
export const reassignFollowUpUpdate = defineUpdate<FollowUpTaskView, [ReassignFollowUp]>('reassignFollowUp');
/** A new due day: the due and escalation timers move with it. */
export const changeFollowUpDueDateUpdate = defineUpdate<FollowUpTaskView, [ChangeFollowUpDueDate]>('changeFollowUpDueDate');
/** Closed with an outcome: its timers stop, nobody is told it is overdue. */
export const closeFollowUpUpdate = defineUpdate<FollowUpTaskView, [CloseFollowUp]>('closeFollowUp');
/** A closed task opened again. */
export const reopenFollowUpUpdate = defineUpdate<FollowUpTaskView, [ReopenFollowUp]>('reopenFollowUp');

export interface FollowUpOutcome {
  taskId: string;
  /** closed: done or cancelled in time; overdue: still open at its due date (assignee told). */
  outcome: 'closed' | 'overdue';
}
