import {
  allHandlersFinished,
  condition,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { CampaignSettings } from '../domain/campaign-settings';
import { checkSendability } from '../domain/eligibility';
import { isTerminalStatus, type MemberStatus } from '../domain/member-status';
import { isDetractor, isValidNpsScore } from '../domain/nps';
import { computeSendTime, resolveTimeZone } from '../domain/send-time';
import {
  changeSettingsUpdate,
  EMAIL_ACTIVITY_OPTIONS,
  RECORDS_ACTIVITY_OPTIONS,
  emailBouncedSignal,
  emailTaskQueue,
  invalidSettingsChange,
  memberStateQuery,
  optedOutSignal,
  rejectedSignal,
  surveyCompletedSignal,
  surveyOpenedSignal,
  type CampaignMemberInput,
  type ChangeSettingsInput,
  type MemberState,
  type SurveyCompletedSignal,
} from './definitions';
import { CampaignIdAttribute, ContactIdAttribute, MemberStatusAttribute } from './search-attributes';

/** This frozen lifecycle only takes completions that name their response (see its handler). */
type AnsweredCompletion = SurveyCompletedSignal & { responseId: string };

/*
 * Short PostgreSQL reads and writes run as local activities: in the worker, recorded in the
 * workflow's own history, with no task-queue round trip through the Temporal server. That
 * keeps the server's load per member small, which is what limits a large launch. Email stays
 * a regular activity so the provider's rate limit can be enforced on its task queue.
 */
const records = proxyLocalActivities<Activities>(RECORDS_ACTIVITY_OPTIONS);

const DAY = 24 * 60 * 60 * 1000;

/**
 * Members started before this change recorded 'Awaiting_Send' and re-upserted their start
 * attributes even when nothing was to wait for; they replay that way, new ones skip both.
 */
const LEAN_INVITE_PATCH = 'lean-invite-when-due';
const iso = (ms: number): string => new Date(ms).toISOString();

/** Why a member's lifecycle was cut short from outside. */
type StopReason = Extract<MemberStatus, 'Rejected' | 'NPS_Opt_Out' | 'Email_Bounced'>;

/**
 * FROZEN: the member lifecycle as it ran before the one-writer change, kept only so that members
 * started by that code replay and finish (campaignMember runs it when its ONE_WRITER patch is
 * absent from a history). Never change it; remove it when the patch is retired (see
 * docs/workflow-versioning.md). Outside changes reach these members only at the email activity's
 * check before every send.
 */
export async function campaignMemberBeforeOneWriter(input: CampaignMemberInput): Promise<MemberState> {
  const { memberId } = input;
  const workflowId = workflowInfo().workflowId;
  // Email goes through the rate-limited email queue beside this workflow's own.
  const mail = proxyActivities<Activities>({ ...EMAIL_ACTIVITY_OPTIONS, taskQueue: emailTaskQueue(workflowInfo().taskQueue) });
  /**
   * `${workflowId}:${kind}:${n}`: a retried send of the same message is delivered once. A member
   * reincluded after an earlier lifecycle that sent mail gets `:${lifecycle}` appended, so its new
   * messages are not mistaken for the old ones.
   */
  let lifecycle = 0;
  const emailKey = (kind: string, n: number) => `${workflowId}:${kind}:${n}${lifecycle > 0 ? `:${lifecycle}` : ''}`;

  const state: MemberState = {
    ...input,
    status: 'New',
    scheduledSendAt: null,
    invitationId: null,
    invitedAt: null,
    expiresAt: null,
    remindersSent: 0,
    reminders: 0,
    reminderIntervalDays: 0,
    expiryDays: 0,
    nextReminderAt: null,
    responseId: null,
    npsScore: null,
    followUpTaskId: null,
  };
  let settings: CampaignSettings | undefined;
  /** Settings changed through the update; they win over the campaign's stored settings. */
  let overrides: ChangeSettingsInput = {};
  let settingsVersion = 0;

  // What the outside world tells the member.
  let opened = false;
  // Type only: this frozen lifecycle takes completions that name their response (the handler below).
  let completion: AnsweredCompletion | null = null;
  let stopReason: StopReason | null = null;

  setHandler(memberStateQuery, () => ({ ...state }));
  setHandler(surveyOpenedSignal, () => {
    opened = true;
  });
  setHandler(surveyCompletedSignal, (signal) => {
    if (completion || typeof signal?.responseId !== 'string') return;
    completion = { responseId: signal.responseId, npsScore: isValidNpsScore(signal.npsScore) ? signal.npsScore : null };
  });
  setHandler(emailBouncedSignal, () => {
    stopReason ??= 'Email_Bounced';
  });
  setHandler(optedOutSignal, () => {
    stopReason ??= 'NPS_Opt_Out';
  });
  setHandler(rejectedSignal, () => {
    stopReason ??= 'Rejected';
  });
  setHandler(
    changeSettingsUpdate,
    async (change) => {
      overrides = { ...overrides, ...change };
      applySettings();
      if (state.invitedAt && change.expiryDays !== undefined) {
        state.expiresAt = iso(Date.parse(state.invitedAt) + state.expiryDays * DAY);
        if (state.invitationId) {
          await records.setInvitationExpiry({ invitationId: state.invitationId, expiresAt: state.expiresAt });
        }
      }
      settingsVersion++;
      return { ...state };
    },
    {
      validator: (change) => {
        const problem = invalidSettingsChange(change);
        if (problem) throw new Error(problem);
        if (isTerminalStatus(state.status)) throw new Error(`member has finished with status ${state.status}`);
      },
    },
  );

  function applySettings(base?: CampaignSettings): void {
    if (base) settings = base;
    if (!settings) return;
    settings = { ...settings, ...overrides };
    state.reminders = settings.reminders;
    state.reminderIntervalDays = settings.reminderIntervalDays;
    state.expiryDays = settings.expiryDays;
  }

  async function setStatus(status: MemberStatus, at = Date.now()): Promise<void> {
    state.status = status;
    upsertSearchAttributes([{ key: MemberStatusAttribute, value: status }]);
    await records.recordMemberStatus({
      memberId,
      status,
      at: iso(at),
      scheduledSendAt: state.scheduledSendAt ?? undefined,
      invitationId: state.invitationId,
    });
  }

  async function finish(status: MemberStatus): Promise<MemberState> {
    state.nextReminderAt = null;
    await setStatus(status);
    await condition(allHandlersFinished);
    return { ...state };
  }

  /** Loads the contact and campaign afresh; `reason` says why the contact may not be mailed now. */
  async function checkSendable() {
    const context = await records.loadMemberContext({ memberId });
    applySettings(context.settings);
    const reason: MemberStatus | null =
      context.memberStatus === 'Rejected'
        ? 'Rejected'
        : checkSendability(context.contact, { noSendRuleDays: settings!.noSendRuleDays, now: Date.now() });
    return { reason, context };
  }

  async function completed(response: AnsweredCompletion): Promise<MemberState> {
    state.responseId = response.responseId;
    state.npsScore = response.npsScore;
    state.nextReminderAt = null;
    const at = Date.now();
    await setStatus('Survey_Completed', at);
    if (response.npsScore !== null && isDetractor(response.npsScore)) {
      const dueAt = iso(at + settings!.followUpDueDays * DAY);
      const task = await records.createFollowUpTask({
        memberId,
        responseId: response.responseId,
        npsScore: response.npsScore,
        at: iso(at),
        dueAt,
      });
      state.followUpTaskId = task.taskId;
      // The task's due date is watched by its own workflow, which outlives this one.
      await records.watchFollowUpTask({ taskId: task.taskId });
      if (task.assigneeEmployeeId) {
        await mail.notifyEmployee({
          kind: 'detractor_notice',
          idempotencyKey: emailKey('detractor_notice', 0),
          memberId,
          employeeId: task.assigneeEmployeeId,
          npsScore: response.npsScore,
          dueAt,
          at: iso(at),
        });
      }
    }
    await mail.notifyEmployee({
      kind: 'completion_notice',
      idempotencyKey: emailKey('completion_notice', 0),
      memberId,
      npsScore: response.npsScore,
      at: iso(at),
    });
    await condition(allHandlersFinished);
    return { ...state };
  }

  async function stopped(reason: StopReason): Promise<MemberState> {
    const result = await finish(reason);
    if (reason === 'Email_Bounced') {
      await mail.notifyEmployee({
        kind: 'bounce_notice',
        idempotencyKey: emailKey('bounce_notice', 0),
        memberId,
        at: iso(Date.now()),
      });
    }
    return result;
  }

  // Filterable in the Temporal UI whoever started the workflow. Starts from npsflow (the launch,
  // the API) already carry the attributes, so the upsert is only for other starters.
  const startedWithAttributes = workflowInfo().typedSearchAttributes.get(CampaignIdAttribute) === input.campaignId;
  if (!(startedWithAttributes && patched(LEAN_INVITE_PATCH))) {
    upsertSearchAttributes([
      { key: CampaignIdAttribute, value: input.campaignId },
      { key: ContactIdAttribute, value: input.contactId },
      { key: MemberStatusAttribute, value: state.status },
    ]);
  }

  // 1. Is the contact sendable at all?
  const { reason: notSendable, context } = await checkSendable();
  lifecycle = context.earlierInvitations;
  if (notSendable) return finish(notSendable);

  // 2. Wait for the member's slot in the send window, unless stopped meanwhile.
  const sendAt = computeSendTime({
    now: Date.now(),
    memberId,
    window: settings!.sendWindow,
    timeZone: resolveTimeZone(context.contact, settings!.defaultTimeZone),
    staggerMinutes: settings!.staggerMinutes,
  });
  state.scheduledSendAt = iso(sendAt);
  // A member whose slot is now goes straight to invited: recording 'Awaiting_Send' for the
  // moment in between would cost a database write and a search-attribute update per member.
  // Decided once: after the status write below, the workflow clock may read differently on
  // replay than it did in the first run (a local activity can span workflow tasks).
  const mustWait = sendAt > Date.now();
  if (mustWait || !patched(LEAN_INVITE_PATCH)) await setStatus('Awaiting_Send');
  if (mustWait) {
    await condition(() => stopReason !== null, Math.max(1, sendAt - Date.now()));
    if (stopReason) return stopped(stopReason);
    // 3. Still sendable after the wait? (No wait, nothing to re-check.)
    const { reason: notSendableNow } = await checkSendable();
    if (stopReason) return stopped(stopReason);
    if (notSendableNow) return finish(notSendableNow);
  }
  if (stopReason) return stopped(stopReason);

  // Invite.
  const invitedAt = Date.now();
  state.invitedAt = iso(invitedAt);
  const expiryDaysAsked = state.expiryDays;
  const invitation = await records.createInvitation({
    memberId,
    at: state.invitedAt,
    expiresAt: iso(invitedAt + expiryDaysAsked * DAY),
  });
  state.invitationId = invitation.invitationId;
  state.expiresAt = iso(invitedAt + state.expiryDays * DAY);
  // The expiry changed while the invitation was being created. Compared by the days, never by
  // the stored date: replay may run this line with another workflow clock than the first run had
  // when the local activity spanned a workflow task, while the activity's result is the first run's.
  if (state.expiryDays !== expiryDaysAsked) {
    await records.setInvitationExpiry({ invitationId: invitation.invitationId, expiresAt: state.expiresAt });
  }
  await mail.sendSurveyEmail({
    memberId,
    invitationId: invitation.invitationId,
    kind: 'invitation',
    sequence: 0,
    idempotencyKey: emailKey('invitation', 0),
    at: state.invitedAt,
  });
  await setStatus('Survey_Not_Started');

  // 4. Remind until answered, stopped or expired.
  let lastMessageAt = invitedAt;
  let remindersStopped = false;
  for (;;) {
    if (completion) return completed(completion);
    if (stopReason) return stopped(stopReason);
    if (opened && state.status === 'Survey_Not_Started') {
      await setStatus('Survey_Started');
      continue;
    }

    const expiresAt = Date.parse(state.expiresAt);
    const reminderDue =
      !remindersStopped && state.remindersSent < state.reminders ? lastMessageAt + state.reminderIntervalDays * DAY : null;
    const wakeAt = reminderDue !== null && reminderDue < expiresAt ? reminderDue : expiresAt;
    state.nextReminderAt = reminderDue !== null && reminderDue < expiresAt ? iso(reminderDue) : null;

    const seenSettings = settingsVersion;
    if (wakeAt > Date.now()) {
      const interrupted = await condition(
        () =>
          completion !== null ||
          stopReason !== null ||
          settingsVersion !== seenSettings ||
          (opened && state.status === 'Survey_Not_Started'),
        wakeAt - Date.now(),
      );
      if (interrupted) continue;
    }
    if (Date.now() >= Date.parse(state.expiresAt)) return finish('Expired');
    if (settingsVersion !== seenSettings) continue;

    // A reminder is due: only to a contact that is still sendable.
    const { reason } = await checkSendable();
    if (completion || stopReason || settingsVersion !== seenSettings) continue;
    if (reason === 'NPS_No_Send_Rule') {
      // Answered another survey meanwhile: no more reminders, but this link stays valid.
      remindersStopped = true;
      continue;
    }
    if (reason) return finish(reason);
    const n = state.remindersSent + 1;
    await mail.sendSurveyEmail({
      memberId,
      invitationId: invitation.invitationId,
      kind: 'reminder',
      sequence: n,
      idempotencyKey: emailKey('reminder', n),
      at: iso(Date.now()),
    });
    state.remindersSent = n;
    // Anchored to the plan, so timer latency never accumulates over the reminders.
    lastMessageAt = reminderDue ?? Date.now();
  }
}
