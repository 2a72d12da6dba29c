import {
  ActivityFailure,
  allHandlersFinished,
  condition,
  patched,
  proxyActivities,
  proxyLocalActivities,
  ParentClosePolicy,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities, MemberContext } from '../activities';
import type { CampaignSettings } from '../domain/campaign-settings';
import { checkMailing, type MailingVerdict } from '../domain/eligibility';
import { isTerminalStatus, type MemberStatus } from '../domain/member-status';
import { isDetractor, isValidNpsScore } from '../domain/nps';
import { computeSendTime, resolveTimeZone } from '../domain/send-time';
import { SEND_SLOT_SETTINGS } from '../domain/setting-limits';
import { campaignMemberBeforeOneWriter } from './campaign-member-before-one-writer';
import {
  campaignClosedSignal,
  campaignPausedSignal,
  campaignResumedSignal,
  changeSettingsUpdate,
  contactChangedSignal,
  contactErasedSignal,
  EMAIL_ACTIVITY_OPTIONS,
  RECORDS_ACTIVITY_OPTIONS,
  emailBouncedSignal,
  emailTaskQueue,
  emailUndeliverableSignal,
  followUpWorkflowId,
  invalidSettingsChange,
  invitationSupersededSignal,
  memberStateQuery,
  optedOutSignal,
  rejectedSignal,
  rejectUpdate,
  surveyCompletedSignal,
  surveyOpenedSignal,
  type CampaignMemberInput,
  type ChangeSettingsInput,
  type MemberState,
  type SurveyCompletedSignal,
} from './definitions';
import type { followUpTask } from './follow-up-task';
import { CampaignIdAttribute, ContactIdAttribute, MemberStatusAttribute } from './search-attributes';

/*
 * Short PostgreSQL reads and writes run as local activities: in the worker, recorded in the
 * workflow's own history, with no task-queue round trip through the Temporal server. That
 * keeps the server's load per member small, which is what limits a large launch. Email is one of
 * them: a message is queued in the outbox in the same transaction as what it belongs to, and the
 * dispatcher takes it to the provider at the provider's rate. Bounded: a database that stays away
 * for a day fails the member rather than hanging it.
 */
const records = proxyLocalActivities<Activities>(RECORDS_ACTIVITY_OPTIONS);

const DAY = 24 * 60 * 60 * 1000;
const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * Members started before the one-writer change run the lifecycle they were started with; see
 * docs/workflow-versioning.md for how this patch is retired.
 */
export const ONE_WRITER_PATCH = 'one-writer';
/** A detractor's follow-up task runs as a child workflow (before: started by an activity's client). */
export const FOLLOW_UP_CHILD_PATCH = 'follow-up-child';

/**
 * Members started before the email outbox send through activities on the email task queue (which
 * now queue in the outbox too); newer ones queue their email in local activities.
 */
export const EMAIL_OUTBOX_PATCH = 'email-outbox';
/** A completion without a response (an anonymous survey's answer) completes the member; before, it was ignored. */
export const ANONYMOUS_COMPLETION_PATCH = 'anonymous-completion';

/**
 * A settings change reaches everything still ahead of a member: a member waiting for its send slot
 * computes it again (send window, time zone, stagger), an invited member's open invitation takes a
 * new default language. Asked in the update handler, so members already running take it from their
 * next change on; histories without the marker keep the old handler.
 */
export const SETTINGS_EVERYTHING_PATCH = 'settings-everything';

/** Why a member's lifecycle was cut short from outside. */
type StopReason = Extract<MemberStatus, 'Rejected' | 'NPS_Opt_Out' | 'Email_Bounced' | 'Survey_Invalid' | 'Campaign_Closed' | 'Undeliverable' | 'Erased'>;

/**
 * One campaign member's whole life: sendability → send slot → invitation → reminders → expiry,
 * raced against what the contact, the campaign and administrators do (opened, completed, bounced,
 * opted out, superseded, paused, closed, rejected), then the result recorded and a detractor
 * followed up. This workflow alone writes the member's and its invitation's status.
 */
export async function campaignMember(input: CampaignMemberInput): Promise<MemberState> {
  if (!patched(ONE_WRITER_PATCH)) return campaignMemberBeforeOneWriter(input);
  const viaOutbox = patched(EMAIL_OUTBOX_PATCH);

  const { memberId } = input;
  const workflowId = workflowInfo().workflowId;
  /** Invitations made since this run began are its own (a run's task lost after its invite step runs it again). */
  const runStartedAt = workflowInfo().runStartTime.toISOString();
  // Where email is queued: a local activity, or (members of older code) the email task queue.
  const mail = viaOutbox ? records : proxyActivities<Activities>({ ...EMAIL_ACTIVITY_OPTIONS, taskQueue: emailTaskQueue(workflowInfo().taskQueue) });
  /**
   * `${workflowId}:${kind}:${n}`: a retried send of the same message is delivered once. A member
   * reincluded after an earlier lifecycle that sent mail gets `:${lifecycle}` appended, so its new
   * messages are not mistaken for the old ones.
   */
  let lifecycle = 0;
  const emailKey = (kind: string, n: number) => `${workflowId}:${kind}:${n}${lifecycle > 0 ? `:${lifecycle}` : ''}`;

  const state: MemberState = {
    memberId: input.memberId,
    campaignId: input.campaignId,
    contactId: input.contactId,
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
  let changingSettings = false;
  /** A change of the send window, time zone or stagger arrived while the member waits for its slot. */
  let slotSettingsChanged = false;

  // What the outside world tells the member.
  let opened = false;
  let completion: SurveyCompletedSignal | null = null;
  let stopReason: StopReason | null = null;
  let paused = false;
  /** Something about the contact changed: look again before waiting on. */
  let recheck = false;
  const stop = (reason: StopReason) => () => {
    stopReason ??= reason;
  };

  setHandler(memberStateQuery, () => ({ ...state }));
  setHandler(surveyOpenedSignal, () => {
    opened = true;
  });
  setHandler(surveyCompletedSignal, (signal) => {
    if (completion) return;
    if (typeof signal?.responseId === 'string') {
      completion = { responseId: signal.responseId, npsScore: isValidNpsScore(signal.npsScore) ? signal.npsScore : null };
    } else if (signal?.responseId === null && patched(ANONYMOUS_COMPLETION_PATCH)) {
      // An anonymous survey's answer: the member answered; which response, and its score, stay unknown here.
      completion = { responseId: null, npsScore: null };
    }
  });
  setHandler(emailBouncedSignal, stop('Email_Bounced'));
  setHandler(emailUndeliverableSignal, stop('Undeliverable'));
  setHandler(optedOutSignal, stop('NPS_Opt_Out'));
  setHandler(rejectedSignal, stop('Rejected'));
  setHandler(invitationSupersededSignal, stop('Survey_Invalid'));
  setHandler(campaignClosedSignal, stop('Campaign_Closed'));
  // A new handler needs no patch: no recorded history holds this signal (docs/workflow-versioning.md).
  setHandler(contactErasedSignal, stop('Erased'));
  setHandler(contactChangedSignal, () => {
    recheck = true;
  });
  setHandler(campaignPausedSignal, () => {
    paused = true;
  });
  setHandler(campaignResumedSignal, () => {
    paused = false;
  });
  setHandler(
    rejectUpdate,
    async (_request) => {
      stopReason ??= 'Rejected';
      await condition(() => isTerminalStatus(state.status));
      return { ...state };
    },
    { validator: (_request) => refuseIfFinished() },
  );
  setHandler(
    changeSettingsUpdate,
    async (change) => {
      // One change at a time: each reads and writes the invitation's expiry.
      await condition(() => !changingSettings);
      changingSettings = true;
      try {
        overrides = { ...overrides, ...change };
        applySettings();
        if (state.invitedAt && change.expiryDays !== undefined) {
          state.expiresAt = iso(Date.parse(state.invitedAt) + state.expiryDays * DAY);
          if (state.invitationId) {
            await records.setInvitationExpiry({ invitationId: state.invitationId, expiresAt: state.expiresAt });
          }
        }
        if (patched(SETTINGS_EVERYTHING_PATCH)) {
          if (!state.invitedAt && SEND_SLOT_SETTINGS.some((key) => change[key] !== undefined)) slotSettingsChanged = true;
          // Template set and reminder timing are read when each email is queued; the language
          // sits on the invitation (chosen when it was created), so it is moved there.
          if (state.invitationId && change.defaultLanguage !== undefined) {
            await records.setInvitationLanguage({ invitationId: state.invitationId, defaultLanguage: change.defaultLanguage });
          }
        }
        settingsVersion++;
        return { ...state };
      } finally {
        changingSettings = false;
      }
    },
    {
      validator: (change) => {
        const problem = invalidSettingsChange(change);
        if (problem) throw new Error(problem);
        refuseIfFinished();
      },
    },
  );

  function refuseIfFinished(): void {
    if (isTerminalStatus(state.status)) throw new Error(`member has finished with status ${state.status}`);
  }

  function applySettings(base?: CampaignSettings): void {
    if (base) settings = base;
    if (!settings) return;
    settings = { ...settings, ...overrides };
    state.reminders = settings.reminders;
    state.reminderIntervalDays = settings.reminderIntervalDays;
    state.expiryDays = settings.expiryDays;
  }

  /** The status as the workflow and the Temporal UI see it; `setStatus` also writes it to PostgreSQL. */
  function showStatus(status: MemberStatus): void {
    state.status = status;
    upsertSearchAttributes([{ key: MemberStatusAttribute, value: status }]);
  }

  async function setStatus(status: MemberStatus, at = Date.now()): Promise<void> {
    showStatus(status);
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

  /** The one check before every email, on facts read afresh (contact, campaign, survey, invitation). */
  async function checkBeforeMailing(): Promise<{ verdict: MailingVerdict; context: MemberContext }> {
    const context = await records.loadMemberContext({ memberId, invitationId: state.invitationId ?? undefined, runStartedAt });
    applySettings(context.settings);
    recheck = false;
    if (context.campaignStatus === 'paused') paused = true;
    else if (context.campaignStatus !== undefined) paused = false;
    const verdict: MailingVerdict =
      context.memberStatus === 'Rejected' && !input.reincluded
        ? { send: false, end: 'Rejected' }
        : checkMailing(
            {
              contact: context.contact,
              campaignStatus: context.campaignStatus ?? 'active',
              surveyStatus: context.surveyStatus ?? 'active',
              invitationStatus: context.invitationStatus ?? null,
            },
            { noSendRuleDays: settings!.noSendRuleDays, now: Date.now() },
          );
    return { verdict, context };
  }

  /** Something from outside needs an answer before the member waits on. */
  const interrupted = () => completion !== null || stopReason !== null || recheck;

  /** While the campaign is paused: wait for its resume, an answer or a stop. */
  async function waitWhilePaused(): Promise<void> {
    while (paused && !completion && !stopReason) {
      await condition(() => !paused || completion !== null || stopReason !== null || recheck);
      if (recheck && paused) await checkBeforeMailing();
    }
  }

  /** The next moment inside the member's send window (now when the window is open). */
  const nextSendSlot = (context: MemberContext) =>
    computeSendTime({
      now: Date.now(),
      memberId,
      window: settings!.sendWindow,
      timeZone: resolveTimeZone(context.contact, settings!.defaultTimeZone),
      staggerMinutes: settings!.staggerMinutes,
      // Absent from contexts recorded before no-send dates existed: none then.
      noSendDates: settings!.noSendDates,
    });

  async function completed(response: SurveyCompletedSignal): Promise<MemberState> {
    state.responseId = response.responseId;
    state.npsScore = response.npsScore;
    state.nextReminderAt = null;
    const at = Date.now();
    await setStatus('Survey_Completed', at);
    if (response.responseId !== null && response.npsScore !== null && isDetractor(response.npsScore) && patched(FOLLOW_UP_CHILD_PATCH)) {
      // The task's own workflow, a child that outlives this one, tells the assignee (that email
      // replaces the completion notice) and watches the task until it is closed.
      const task = await records.createFollowUpTask({
        memberId,
        responseId: response.responseId,
        npsScore: response.npsScore,
        at: iso(at),
        dueAt: iso(at + settings!.followUpDueDays * DAY),
        dueDays: settings!.followUpDueDays,
      });
      state.followUpTaskId = task.taskId;
      await startChild<typeof followUpTask>('followUpTask', {
        workflowId: followUpWorkflowId(task.taskId),
        args: [{ taskId: task.taskId }],
        parentClosePolicy: ParentClosePolicy.ABANDON,
      });
      await condition(allHandlersFinished);
      return { ...state };
    }
    if (response.responseId !== null && response.npsScore !== null && isDetractor(response.npsScore)) {
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
        await tellEmployee({
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
    await tellEmployee({
      kind: 'completion_notice',
      idempotencyKey: emailKey('completion_notice', 0),
      memberId,
      npsScore: response.npsScore,
      at: iso(at),
    });
    await condition(allHandlersFinished);
    return { ...state };
  }

  /** A notice to an employee; one that cannot be sent within its bound does not undo the member's result. */
  async function tellEmployee(notice: Parameters<Activities['notifyEmployee']>[0]): Promise<void> {
    try {
      await mail.notifyEmployee(notice);
    } catch (error) {
      if (!(error instanceof ActivityFailure)) throw error;
    }
  }

  async function ended(status: MemberStatus): Promise<MemberState> {
    const result = await finish(status);
    if (status === 'Email_Bounced' || status === 'Undeliverable') {
      await tellEmployee({
        kind: 'bounce_notice',
        idempotencyKey: emailKey(status === 'Email_Bounced' ? 'bounce_notice' : 'undeliverable_notice', 0),
        memberId,
        at: iso(Date.now()),
      });
    }
    return result;
  }

  /**
   * Sends one survey email. 'undeliverable': it could not be handed over within its bound;
   * 'held': the campaign was paused a moment ago (nothing went out); a status: the member must end.
   */
  async function sendSurveyEmail(kind: 'invitation' | 'reminder', sequence: number, at: number): Promise<'sent' | 'undeliverable' | 'held' | MemberStatus> {
    try {
      const result = await mail.sendSurveyEmail({
        memberId,
        invitationId: state.invitationId!,
        kind,
        sequence,
        idempotencyKey: emailKey(kind, sequence),
        at: iso(at),
      });
      if (!result.refused) return 'sent';
      if ('end' in result.refused) return result.refused.end;
      if (result.refused.hold === 'paused') paused = true;
      return 'held';
    } catch (error) {
      if (error instanceof ActivityFailure) return 'undeliverable';
      throw error;
    }
  }

  /** The invite step of members started before the email outbox: create the link, then send through the email queue. */
  async function inviteThroughEmailQueue(): Promise<'invited' | MemberState> {
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
    // The expiry changed while the invitation was being created (compared by the days: replay may
    // run this line with another workflow clock than the first run had).
    if (state.expiryDays !== expiryDaysAsked) {
      await records.setInvitationExpiry({ invitationId: invitation.invitationId, expiresAt: state.expiresAt });
    }
    for (;;) {
      const sent = await sendSurveyEmail('invitation', 0, invitedAt);
      if (sent === 'sent') break;
      if (sent === 'undeliverable') return ended('Undeliverable');
      if (sent !== 'held') return finish(sent);
      // Paused between the check and the send: the invitation goes out once resumed.
      await waitWhilePaused();
      if (stopReason) return ended(stopReason);
    }
    await setStatus('Survey_Not_Started');
    return 'invited';
  }

  /**
   * The invite step: the link, its email queued and the member Survey_Not_Started, in one local
   * activity (one transaction). A paused campaign holds it until resumed.
   */
  async function invite(): Promise<'invited' | MemberState> {
    for (;;) {
      const invitedAt = Date.now();
      const expiryDaysAsked = state.expiryDays;
      const result = await records.inviteMember({
        memberId,
        at: iso(invitedAt),
        expiresAt: iso(invitedAt + expiryDaysAsked * DAY),
        idempotencyKey: emailKey('invitation', 0),
        runStartedAt,
      });
      if ('invitation' in result) {
        state.invitedAt = iso(invitedAt);
        state.invitationId = result.invitation.invitationId;
        state.expiresAt = iso(invitedAt + state.expiryDays * DAY);
        // The expiry changed while the invitation was being created.
        if (state.expiryDays !== expiryDaysAsked) {
          await records.setInvitationExpiry({ invitationId: state.invitationId, expiresAt: state.expiresAt });
        }
        showStatus('Survey_Not_Started');
        return 'invited';
      }
      if ('end' in result.refused) return finish(result.refused.end);
      // Paused between the check and the invite: invited once resumed.
      paused = true;
      await waitWhilePaused();
      if (stopReason) return ended(stopReason);
      if (completion) return completed(completion);
    }
  }

  // Filterable in the Temporal UI whoever started the workflow. Starts from npsflow (the launch,
  // the API) already carry the attributes, so the upsert is only for other starters.
  if (workflowInfo().typedSearchAttributes.get(CampaignIdAttribute) !== input.campaignId) {
    upsertSearchAttributes([
      { key: CampaignIdAttribute, value: input.campaignId },
      { key: ContactIdAttribute, value: input.contactId },
      { key: MemberStatusAttribute, value: state.status },
    ]);
  }

  // 1. May the contact be mailed at all?
  let { verdict, context } = await checkBeforeMailing();
  lifecycle = context.earlierInvitations;

  // 2. Wait for the member's slot in the send window (and for a paused campaign's resume),
  //    checking again whenever something changed.
  /** Woken by new slot settings: the slot is computed again (and recorded if it moved). */
  let slotRecomputed = false;
  for (;;) {
    if (stopReason) return ended(stopReason);
    if (!verdict.send && 'end' in verdict) return finish(verdict.end);
    if (paused) {
      if (state.status === 'New') await setStatus('Awaiting_Send');
      await waitWhilePaused();
      ({ verdict, context } = await checkBeforeMailing());
      continue;
    }
    slotSettingsChanged = false;
    const sendAt = nextSendSlot(context);
    const moved = slotRecomputed && state.scheduledSendAt !== iso(sendAt);
    slotRecomputed = false;
    state.scheduledSendAt = iso(sendAt);
    if (sendAt <= Date.now()) break;
    // Only a member that must wait records 'Awaiting_Send'; one whose slot is now goes straight
    // to invited (a database write and a search-attribute update less per member). A slot moved
    // by new settings is recorded again, so the member list shows when it will go out.
    if (state.status !== 'Awaiting_Send' || moved) await setStatus('Awaiting_Send');
    // A new send window, zone or stagger wakes the member to compute its slot again.
    await condition(() => interrupted() || paused || slotSettingsChanged, Math.max(1, sendAt - Date.now()));
    slotRecomputed = slotSettingsChanged;
    ({ verdict, context } = await checkBeforeMailing());
  }

  // 3. Invite.
  const invited = viaOutbox ? await invite() : await inviteThroughEmailQueue();
  if (invited !== 'invited') return invited;
  const invitedAt = Date.parse(state.invitedAt!);

  // 4. Remind until answered, stopped or expired.
  let lastMessageAt = invitedAt;
  let remindersStopped = false;
  /** A reminder that fell due while the campaign was paused waits for the next slot in the send window. */
  let reminderSlot: number | null = null;
  for (;;) {
    if (completion) return completed(completion);
    if (stopReason) return ended(stopReason);
    if (opened && state.status === 'Survey_Not_Started') {
      await setStatus('Survey_Started');
      continue;
    }
    if (recheck) {
      // The contact changed: one that may no longer be mailed ends now, not at its next reminder.
      const { verdict: now } = await checkBeforeMailing();
      if (!now.send && 'end' in now && now.end !== 'NPS_No_Send_Rule' && !completion && !stopReason) return finish(now.end);
      continue;
    }

    const expiresAt = Date.parse(state.expiresAt!);
    const planned =
      !remindersStopped && state.remindersSent < state.reminders ? lastMessageAt + state.reminderIntervalDays * DAY : null;
    const reminderDue = planned !== null && reminderSlot !== null ? Math.max(planned, reminderSlot) : planned;
    const wakeAt = reminderDue !== null && reminderDue < expiresAt ? reminderDue : expiresAt;
    state.nextReminderAt = reminderDue !== null && reminderDue < expiresAt ? iso(reminderDue) : null;

    const seenSettings = settingsVersion;
    if (paused) {
      await condition(() => !paused || interrupted(), Math.max(1, expiresAt - Date.now()));
      if (!paused && !interrupted() && reminderDue !== null && reminderDue <= Date.now()) {
        reminderSlot = nextSendSlot((await checkBeforeMailing()).context);
      }
      if (Date.now() >= Date.parse(state.expiresAt!)) return finish('Expired');
      continue;
    }
    if (wakeAt > Date.now()) {
      const woken = await condition(
        () => interrupted() || paused || settingsVersion !== seenSettings || (opened && state.status === 'Survey_Not_Started'),
        wakeAt - Date.now(),
      );
      if (woken) continue;
    }
    if (Date.now() >= Date.parse(state.expiresAt!)) return finish('Expired');
    if (settingsVersion !== seenSettings) continue;

    // A reminder is due: only if the one check allows it.
    const checked = await checkBeforeMailing();
    if (completion || stopReason || paused || settingsVersion !== seenSettings) continue;
    const reminder = checked.verdict;
    if (!reminder.send && 'hold' in reminder) {
      // Answered a moment ago: its completion is on its way; wait for it (or the expiry).
      await condition(() => interrupted() || paused, Math.max(1, Date.parse(state.expiresAt!) - Date.now()));
      continue;
    }
    if (!reminder.send && reminder.end === 'NPS_No_Send_Rule') {
      // Answered another survey meanwhile: no more reminders, but this link stays valid.
      remindersStopped = true;
      continue;
    }
    if (!reminder.send) return finish(reminder.end);
    const n = state.remindersSent + 1;
    const sent = await sendSurveyEmail('reminder', n, Date.now());
    if (sent === 'undeliverable') return ended('Undeliverable');
    if (sent === 'held') continue;
    if (sent !== 'sent') return finish(sent);
    state.remindersSent = n;
    // Anchored to the plan, so timer latency never accumulates over the reminders; a reminder
    // held back by a pause counts from when it went out.
    lastMessageAt = reminderSlot === null && planned !== null ? planned : Date.now();
    reminderSlot = null;
  }
}
