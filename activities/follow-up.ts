import { ApplicationFailure, Context } from '@temporalio/activity';
import { WorkflowExecutionAlreadyStartedError, WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/client';
import { and, eq } from 'drizzle-orm';
import { tables, type Database } from '../db';
import { resolveCampaignSettings } from '../domain/campaign-settings';
import { resolveTimeZone } from '../domain/send-time';
import { followUpWorkflowId } from '../workflows/definitions';
import type { followUpTask } from '../workflows';
import {
  emailLanguage,
  renderBounceNotice,
  renderCompletionNotice,
  renderDetractorNotice,
  renderFollowUpOverdue,
  type Mailer,
  type RenderedEmail,
} from '../email';

export interface FollowUpTaskInput {
  memberId: string;
  responseId: string;
  npsScore: number;
  at: string;
  dueAt: string;
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
  memberId: string | null;
  status: 'open' | 'done' | 'cancelled';
  dueAt: string;
  subject: string;
  assigneeEmployeeId: string | null;
}

export function createFollowUpActivities(deps: { db: Database; mailer: Mailer; publicBaseUrl: string; taskQueue?: string }) {
  const { db, mailer } = deps;
  const baseUrl = deps.publicBaseUrl.replace(/\/+$/, '');

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
    async createFollowUpTask(input: FollowUpTaskInput): Promise<{ taskId: string; assigneeEmployeeId: string | null }> {
      const { contact, responsibleEmployeeId } = await loadMember(input.memberId);
      const name = [contact.firstName, contact.lastName].filter(Boolean).join(' ') || contact.email || 'contact';
      const [created] = await db
        .insert(tables.followUpTasks)
        .values({
          kind: 'feedback_call',
          responseId: input.responseId,
          memberId: input.memberId,
          contactId: contact.id,
          assigneeEmployeeId: responsibleEmployeeId,
          subject: `Feedback call: ${name} (NPS ${input.npsScore})`,
          dueAt: new Date(input.dueAt),
        })
        .onConflictDoNothing({ target: [tables.followUpTasks.responseId, tables.followUpTasks.kind] })
        .returning({ id: tables.followUpTasks.id, assigneeEmployeeId: tables.followUpTasks.assigneeEmployeeId });
      if (created) return { taskId: created.id, assigneeEmployeeId: created.assigneeEmployeeId };
      const [existing] = await db
        .select({ id: tables.followUpTasks.id, assigneeEmployeeId: tables.followUpTasks.assigneeEmployeeId })
        .from(tables.followUpTasks)
        .where(and(eq(tables.followUpTasks.responseId, input.responseId), eq(tables.followUpTasks.kind, 'feedback_call')));
      return { taskId: existing!.id, assigneeEmployeeId: existing!.assigneeEmployeeId };
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

    /** A follow-up task as PostgreSQL has it now (the API closes tasks there). */
    async loadFollowUpTask(input: { taskId: string }): Promise<FollowUpTaskState> {
      const [task] = await db.select().from(tables.followUpTasks).where(eq(tables.followUpTasks.id, input.taskId));
      if (!task) throw ApplicationFailure.nonRetryable(`follow-up task ${input.taskId} does not exist`, 'TaskNotFound');
      return {
        taskId: task.id,
        memberId: task.memberId,
        status: task.status,
        dueAt: task.dueAt.toISOString(),
        subject: task.subject,
        assigneeEmployeeId: task.assigneeEmployeeId,
      };
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
        rendered = await renderFollowUpOverdue({ ...base, taskSubject: input.taskSubject ?? '', dueAt: new Date(input.dueAt ?? input.at) });
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
