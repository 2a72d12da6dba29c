import { ApplicationFailure, Context } from '@temporalio/activity';
import { WorkflowExecutionAlreadyStartedError, WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/client';
import { and, count, eq, inArray } from 'drizzle-orm';
import { tables, type Database } from '../db';
import { DEFAULT_CAMPAIGN_SETTINGS, resolveCampaignSettings } from '../domain/campaign-settings';
import { endOfDueDay, followUpDueDate, type FollowUpKind, type FollowUpOutcome, type FollowUpStatus } from '../domain/follow-up';
import { resolveTimeZone } from '../domain/send-time';
import { labelAnswers, type Answers, type SurveyDefinition } from '../domain/survey-definition';
import { followUpWorkflowId } from '../workflows/definitions';
import type { followUpTask } from '../workflows';
import {
  emailLanguage,
  renderBounceNotice,
  renderCompletionNotice,
  renderDetractorNotice,
  renderFollowUpOverdue,
  renderTaskEmail,
  type Mailer,
  type RenderedEmail,
  type TaskEmailKind,
} from '../email';

export interface FollowUpTaskInput {
  memberId: string;
  responseId: string;
  npsScore: number;
  at: string;
  /** Members before the follow-up child: the due instant, answer time + days × 24 h. */
  dueAt: string;
  /** The campaign's follow-up days: the task is due at the end of that day in the assignee's zone. */
  dueDays?: number;
}

export interface EmployeeNoticeInput {
  kind: 'detractor_notice' | 'completion_notice' | 'bounce_notice' | 'follow_up_overdue';
  idempotencyKey: string;
  memberId: string;
  at: string;
  /** Addressee; when absent, the member's responsible employee. */
  employeeId?: string | null;
  npsScore?: number | null;
  dueAt?: string;
  /** The follow-up task an overdue notice is about. */
  taskSubject?: string;
}

export interface FollowUpTaskState {
  taskId: string;
  kind: FollowUpKind;
  memberId: string | null;
  status: FollowUpStatus;
  dueDate: string;
  dueAt: string;
  /** Histories recorded before ids-only carry the subject (it may name the contact); newer ones do not. */
  subject?: string;
  assigneeEmployeeId: string | null;
  /** The campaign owner (feedback calls) or the creator (action plans). */
  escalateToEmployeeId: string | null;
  escalationDays: number;
  escalatedAt: string | null;
  outcome: FollowUpOutcome | null;
  firstActionAt: string | null;
  /** Reassignments, due-day changes and reopens so far: what the workflow's notices are keyed by. */
  revision: number;
}

/** One change a follow-up task's workflow makes, with the history entry it belongs to. */
export interface FollowUpChange {
  taskId: string;
  /** Unique per change (the workflow's deterministic uuid): a retried activity records it once. */
  changeId: string;
  at: string;
  status?: FollowUpStatus;
  outcome?: FollowUpOutcome;
  assigneeEmployeeId?: string;
  dueDate?: string;
  /** Counts as somebody acting on the task (the first such time is kept). */
  firstAction?: boolean;
  escalated?: boolean;
  /** Clears the outcome and the closing time. */
  reopened?: boolean;
  event: {
    kind: string;
    /** The id of the note the API stored for this command, which the entry takes over. */
    noteId?: string;
    /** A note's text, as commands given before notes went by id carry it. */
    note?: string;
    actorEmployeeId?: string | null;
    actorName?: string;
    details?: Record<string, unknown>;
  };
}

/** History entries that move a task's due and escalation notices to a new revision. */
const REVISING_EVENTS = ['reassigned', 'due_date_changed', 'reopened'];

/** A contact's name as people read it. */
export const contactName = (contact: { firstName: string; lastName: string; email: string | null; id: string }) =>
  [contact.firstName, contact.lastName].filter(Boolean).join(' ') || contact.email || contact.id;

/** The open answers of a response, in the survey's question order. */
export function openAnswersOf(definition: SurveyDefinition | null | undefined, answers: Record<string, unknown>): string[] {
  if (!definition?.pages) return [];
  return labelAnswers(definition, answers as Answers, definition.languages[0]!)
    .filter((answer) => answer.type === 'open' && answer.text.trim() !== '')
    .map((answer) => answer.text);
}

export function createFollowUpActivities(deps: { db: Database; mailer: Mailer; publicBaseUrl: string; taskQueue?: string }) {
  const { db, mailer } = deps;
  const baseUrl = deps.publicBaseUrl.replace(/\/+$/, '');
  const { followUpTasks, followUpTaskEvents, employees, campaigns } = tables;

  /** The zone a task falls due in: its assignee's, else the campaign's default. */
  async function dueTimeZone(assigneeEmployeeId: string | null, campaignSettings: ReturnType<typeof resolveCampaignSettings>) {
    const [assignee] = assigneeEmployeeId
      ? await db.select({ timeZone: employees.timeZone }).from(employees).where(eq(employees.id, assigneeEmployeeId))
      : [];
    return resolveTimeZone({ timeZone: assignee?.timeZone }, campaignSettings.defaultTimeZone);
  }

  async function campaignSettingsOf(campaignId: string | null) {
    const [campaign] = campaignId ? await db.select().from(campaigns).where(eq(campaigns.id, campaignId)) : [];
    return { campaign, settings: resolveCampaignSettings(campaign?.settings) };
  }

  async function taskState(taskId: string): Promise<FollowUpTaskState> {
    const [task] = await db.select().from(followUpTasks).where(eq(followUpTasks.id, taskId));
    if (!task) throw ApplicationFailure.nonRetryable(`follow-up task ${taskId} does not exist`, 'TaskNotFound');
    const { campaign, settings } = await campaignSettingsOf(task.campaignId);
    const [revisions] = await db
      .select({ n: count() })
      .from(followUpTaskEvents)
      .where(and(eq(followUpTaskEvents.taskId, taskId), inArray(followUpTaskEvents.kind, REVISING_EVENTS)));
    return {
      taskId: task.id,
      kind: task.kind as FollowUpKind,
      memberId: task.memberId,
      status: task.status,
      dueDate: task.dueDate ?? task.dueAt.toISOString().slice(0, 10),
      dueAt: task.dueAt.toISOString(),
      assigneeEmployeeId: task.assigneeEmployeeId,
      escalateToEmployeeId: task.kind === 'action_plan' ? task.createdByEmployeeId : (campaign?.ownerEmployeeId ?? null),
      escalationDays: settings.escalationDays,
      escalatedAt: task.escalatedAt?.toISOString() ?? null,
      outcome: task.outcome,
      firstActionAt: task.firstActionAt?.toISOString() ?? null,
      revision: revisions?.n ?? 0,
    };
  }

  /** The subject of a member's feedback call (overdue notices of tasks of before their lifecycle, whose workflows no longer get it). */
  async function feedbackCallSubject(memberId: string): Promise<string> {
    const [task] = await db
      .select({ subject: followUpTasks.subject })
      .from(followUpTasks)
      .where(and(eq(followUpTasks.memberId, memberId), eq(followUpTasks.kind, 'feedback_call')));
    return task?.subject ?? '';
  }

  /** The member's contact, campaign, survey and responsible employee in one read. */
  async function loadMember(memberId: string) {
    const [row] = await db
      .select({ member: tables.campaignMembers, campaign: tables.campaigns, contact: tables.contacts, survey: tables.surveys, client: tables.clients })
      .from(tables.campaignMembers)
      .innerJoin(tables.campaigns, eq(tables.campaigns.id, tables.campaignMembers.campaignId))
      .innerJoin(tables.contacts, eq(tables.contacts.id, tables.campaignMembers.contactId))
      .innerJoin(tables.surveys, eq(tables.surveys.id, tables.campaigns.surveyId))
      .leftJoin(tables.clients, eq(tables.clients.id, tables.contacts.clientId))
      .where(eq(tables.campaignMembers.id, memberId));
    if (!row) throw ApplicationFailure.nonRetryable(`campaign member ${memberId} does not exist`, 'MemberNotFound');
    /** Frontline employee of the contact, else of its account, else the campaign owner. */
    const responsibleEmployeeId =
      row.contact.frontlineEmployeeId ?? row.client?.frontlineEmployeeId ?? row.campaign.ownerEmployeeId ?? null;
    return { ...row, responsibleEmployeeId };
  }

  return {
    /**
     * Creates the detractor's feedback-call task for the responsible employee. One task per
     * response (unique constraint), so a retry returns the task already made.
     */
    async createFollowUpTask(input: FollowUpTaskInput): Promise<{ taskId: string; assigneeEmployeeId: string | null; dueAt: string }> {
      const { contact, campaign, responsibleEmployeeId } = await loadMember(input.memberId);
      let dueDate: string | null = null;
      let dueAt = new Date(input.dueAt);
      if (input.dueDays !== undefined) {
        const settings = resolveCampaignSettings(campaign.settings);
        const timeZone = await dueTimeZone(responsibleEmployeeId, settings);
        dueDate = followUpDueDate(Date.parse(input.at), input.dueDays, timeZone);
        dueAt = new Date(endOfDueDay(dueDate, timeZone));
      }
      return db.transaction(async (tx) => {
        const [created] = await tx
          .insert(followUpTasks)
          .values({
            kind: 'feedback_call',
            responseId: input.responseId,
            memberId: input.memberId,
            contactId: contact.id,
            clientId: contact.clientId,
            campaignId: campaign.id,
            surveyId: campaign.surveyId,
            assigneeEmployeeId: responsibleEmployeeId,
            subject: `Feedback call: ${contactName(contact)} (NPS ${input.npsScore})`,
            dueDate: dueDate ?? dueAt.toISOString().slice(0, 10),
            dueAt,
          })
          .onConflictDoNothing({ target: [followUpTasks.responseId, followUpTasks.kind] })
          .returning({ id: followUpTasks.id, assigneeEmployeeId: followUpTasks.assigneeEmployeeId, dueAt: followUpTasks.dueAt });
        if (created) {
          await tx.insert(followUpTaskEvents).values({ taskId: created.id, kind: 'created', at: new Date(input.at), details: { responseId: input.responseId } });
          return { taskId: created.id, assigneeEmployeeId: created.assigneeEmployeeId, dueAt: created.dueAt.toISOString() };
        }
        const [existing] = await tx
          .select({ id: followUpTasks.id, assigneeEmployeeId: followUpTasks.assigneeEmployeeId, dueAt: followUpTasks.dueAt })
          .from(followUpTasks)
          .where(and(eq(followUpTasks.responseId, input.responseId), eq(followUpTasks.kind, 'feedback_call')));
        return { taskId: existing!.id, assigneeEmployeeId: existing!.assigneeEmployeeId, dueAt: existing!.dueAt.toISOString() };
      });
    },

    /**
     * Starts the workflow that watches a task's due date. Started through the client rather than
     * as a child workflow: it outlives the member, and idempotent by its id (a retry finds it).
     */
    async watchFollowUpTask(input: { taskId: string }): Promise<{ workflowId: string }> {
      const context = Context.current();
      const workflowId = followUpWorkflowId(input.taskId);
      try {
        await context.client.workflow.start<typeof followUpTask>('followUpTask', {
          workflowId,
          taskQueue: deps.taskQueue ?? context.info.taskQueue,
          args: [{ taskId: input.taskId }],
          workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        });
      } catch (error) {
        if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      }
      return { workflowId };
    },

    /** A follow-up task as PostgreSQL has it now. */
    loadFollowUpTask: (input: { taskId: string }): Promise<FollowUpTaskState> => taskState(input.taskId),

    /**
     * Writes what a task's workflow decided (status, assignee, due day, outcome, escalation) and
     * its history entry, in one transaction; a new assignee or due day moves the due instant to
     * the end of that day in the assignee's time zone.
     */
    async recordFollowUpChange(change: FollowUpChange): Promise<FollowUpTaskState> {
      const at = new Date(change.at);
      // Workflows hold an employee's id, not their name: the entry names them as they are now.
      const [actor] =
        change.event.actorEmployeeId && !change.event.actorName
          ? await db.select({ email: employees.email }).from(employees).where(eq(employees.id, change.event.actorEmployeeId))
          : [];
      await db.transaction(async (tx) => {
        // The command's note moves onto this entry (a retry finds it moved and the entry written).
        const [staged] = change.event.noteId
          ? await tx
              .delete(followUpTaskEvents)
              .where(and(eq(followUpTaskEvents.id, change.event.noteId), eq(followUpTaskEvents.taskId, change.taskId), eq(followUpTaskEvents.kind, 'note')))
              .returning({ note: followUpTaskEvents.note })
          : [];
        const [entry] = await tx
          .insert(followUpTaskEvents)
          .values({
            id: change.changeId,
            taskId: change.taskId,
            kind: change.event.kind,
            note: (staged?.note ?? change.event.note)?.trim() || null,
            actorEmployeeId: change.event.actorEmployeeId ?? null,
            actorName: change.event.actorName || actor?.email || null,
            details: change.event.details ?? {},
            at,
          })
          .onConflictDoNothing({ target: followUpTaskEvents.id })
          .returning({ id: followUpTaskEvents.id });
        // Recorded by an earlier attempt of this activity.
        if (!entry) return;
        const [task] = await tx.select().from(followUpTasks).where(eq(followUpTasks.id, change.taskId)).for('update');
        if (!task) throw ApplicationFailure.nonRetryable(`follow-up task ${change.taskId} does not exist`, 'TaskNotFound');
        const set: Partial<typeof followUpTasks.$inferInsert> = {};
        if (change.status) set.status = change.status;
        if (change.outcome) set.outcome = change.outcome;
        if (change.status === 'closed') set.completedAt = at;
        if (change.reopened) Object.assign(set, { outcome: null, completedAt: null, escalatedAt: null });
        if (change.escalated) set.escalatedAt = at;
        if (change.firstAction && !task.firstActionAt) set.firstActionAt = at;
        if (change.assigneeEmployeeId !== undefined || change.dueDate !== undefined) {
          const assignee = change.assigneeEmployeeId ?? task.assigneeEmployeeId;
          const dueDate = change.dueDate ?? task.dueDate ?? task.dueAt.toISOString().slice(0, 10);
          const { settings } = await campaignSettingsOf(task.campaignId);
          Object.assign(set, { assigneeEmployeeId: assignee, dueDate, dueAt: new Date(endOfDueDay(dueDate, await dueTimeZone(assignee, settings))) });
        }
        if (Object.keys(set).length > 0) await tx.update(followUpTasks).set(set).where(eq(followUpTasks.id, change.taskId));
      });
      return taskState(change.taskId);
    },

    /**
     * Emails an employee about a task: the new task (for a detractor: who, how to reach them,
     * the score and their words), its due day passing, or its escalation. Nothing is sent to an
     * employee who is inactive or has no address.
     */
    async notifyAboutTask(input: { kind: TaskEmailKind; taskId: string; employeeId: string; idempotencyKey: string; at: string }): Promise<{ delivered: boolean }> {
      const [row] = await db
        .select({ task: followUpTasks, contact: tables.contacts, response: tables.responses, survey: tables.surveys, campaign: campaigns })
        .from(followUpTasks)
        .leftJoin(tables.contacts, eq(tables.contacts.id, followUpTasks.contactId))
        .leftJoin(tables.responses, eq(tables.responses.id, followUpTasks.responseId))
        .leftJoin(tables.surveys, eq(tables.surveys.id, followUpTasks.surveyId))
        .leftJoin(campaigns, eq(campaigns.id, followUpTasks.campaignId))
        .where(eq(followUpTasks.id, input.taskId));
      if (!row) throw ApplicationFailure.nonRetryable(`follow-up task ${input.taskId} does not exist`, 'TaskNotFound');
      const people = await db.select().from(employees).where(inArray(employees.id, [input.employeeId, row.task.assigneeEmployeeId ?? input.employeeId]));
      const employee = people.find((person) => person.id === input.employeeId);
      if (!employee || !employee.active || !employee.email) return { delivered: false };
      const assignee = people.find((person) => person.id === row.task.assigneeEmployeeId);

      const settings = resolveCampaignSettings(row.campaign?.settings ?? DEFAULT_CAMPAIGN_SETTINGS);
      const [version] = row.response
        ? await db
            .select({ definition: tables.surveyVersions.definition })
            .from(tables.surveyVersions)
            .where(and(eq(tables.surveyVersions.surveyId, row.response.surveyId), eq(tables.surveyVersions.version, row.response.surveyVersion)))
        : [];
      const rendered = await renderTaskEmail({
        kind: input.kind,
        language: emailLanguage(employee.language, settings.defaultLanguage),
        timeZone: resolveTimeZone({ timeZone: employee.timeZone }, settings.defaultTimeZone),
        employeeFirstName: employee.firstName,
        taskSubject: row.task.subject,
        description: row.task.description,
        dueAt: row.task.dueAt,
        taskUrl: `${baseUrl}/admin/#/tasks/${row.task.id}`,
        contact: row.contact ? { name: contactName(row.contact), phone: row.contact.phone, email: row.contact.email } : null,
        surveyTitle: row.survey?.title ?? null,
        npsScore: row.response?.npsScore ?? null,
        openAnswers: row.response ? openAnswersOf(version?.definition, row.response.answers) : [],
        assigneeName: assignee ? [assignee.firstName, assignee.lastName].filter(Boolean).join(' ') || assignee.email : null,
      });
      const result = await mailer.send({
        idempotencyKey: input.idempotencyKey,
        kind: input.kind,
        to: employee.email,
        ...rendered,
        contactId: row.task.contactId ?? undefined,
        memberId: row.task.memberId ?? undefined,
        requestedAt: new Date(input.at),
      });
      return { delivered: result.delivered };
    },

    /**
     * Emails an employee about a member: a detractor's task, a completed survey or a bounced
     * address. Returns false (nothing sent) when nobody is responsible or reachable.
     */
    async notifyEmployee(input: EmployeeNoticeInput): Promise<{ delivered: boolean; employeeId: string | null }> {
      const { contact, campaign, survey, responsibleEmployeeId } = await loadMember(input.memberId);
      const employeeId = input.employeeId ?? responsibleEmployeeId;
      if (!employeeId) return { delivered: false, employeeId: null };
      const [employee] = await db.select().from(tables.employees).where(eq(tables.employees.id, employeeId));
      if (!employee || !employee.active || !employee.email) return { delivered: false, employeeId };

      const settings = resolveCampaignSettings(campaign.settings);
      // An anonymous survey's answer names nobody, so no one is told which person gave it.
      if (input.kind === 'completion_notice' && (!settings.completionNotices || survey.anonymous)) return { delivered: false, employeeId };
      const base = {
        language: emailLanguage(settings.defaultLanguage),
        templateSet: settings.templateSet,
        employeeFirstName: employee.firstName,
        contactName: [contact.firstName, contact.lastName].filter(Boolean).join(' ') || contact.email || contact.id,
        surveyTitle: survey.title,
        timeZone: resolveTimeZone({}, settings.defaultTimeZone),
      };
      let rendered: RenderedEmail;
      if (input.kind === 'detractor_notice') {
        rendered = await renderDetractorNotice({ ...base, npsScore: input.npsScore ?? 0, dueAt: new Date(input.dueAt ?? input.at) });
      } else if (input.kind === 'follow_up_overdue') {
        const taskSubject = input.taskSubject ?? (await feedbackCallSubject(input.memberId));
        rendered = await renderFollowUpOverdue({ ...base, taskSubject, dueAt: new Date(input.dueAt ?? input.at) });
      } else if (input.kind === 'completion_notice') {
        rendered = await renderCompletionNotice({ ...base, npsScore: input.npsScore ?? null });
      } else {
        // The admin UI's contact page, where the address is corrected (which lifts the bounce).
        rendered = await renderBounceNotice({
          ...base,
          emailAddress: contact.email ?? '',
          updateUrl: `${baseUrl}/admin/#/contacts/${contact.id}`,
        });
      }
      const result = await mailer.send({
        idempotencyKey: input.idempotencyKey,
        kind: input.kind,
        to: employee.email,
        ...rendered,
        contactId: contact.id,
        memberId: input.memberId,
        requestedAt: new Date(input.at),
      });
      return { delivered: result.delivered, employeeId };
    },
  };
}
