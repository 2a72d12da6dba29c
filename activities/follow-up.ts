import { ApplicationFailure } from '@temporalio/activity';
import { and, eq } from 'drizzle-orm';
import { tables, type Database } from '../db';
import { resolveCampaignSettings } from '../domain/campaign-settings';
import { resolveTimeZone } from '../domain/send-time';
import {
  emailLanguage,
  renderBounceNotice,
  renderCompletionNotice,
  renderDetractorNotice,
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
  kind: 'detractor_notice' | 'completion_notice' | 'bounce_notice';
  idempotencyKey: string;
  memberId: string;
  at: string;
  /** Addressee; when absent, the member's responsible employee. */
  employeeId?: string | null;
  npsScore?: number | null;
  dueAt?: string;
}

export function createFollowUpActivities(deps: { db: Database; mailer: Mailer }) {
  const { db, mailer } = deps;

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
        employeeFirstName: employee.firstName,
        contactName: [contact.firstName, contact.lastName].filter(Boolean).join(' ') || contact.email || contact.id,
        surveyTitle: survey.title,
        timeZone: resolveTimeZone({}, settings.defaultTimeZone),
      };
      let rendered: RenderedEmail;
      if (input.kind === 'detractor_notice') {
        rendered = renderDetractorNotice({ ...base, npsScore: input.npsScore ?? 0, dueAt: new Date(input.dueAt ?? input.at) });
      } else if (input.kind === 'completion_notice') {
        rendered = renderCompletionNotice({ ...base, npsScore: input.npsScore ?? null });
      } else {
        rendered = renderBounceNotice({ ...base, emailAddress: contact.email ?? '' });
      }
      const result = await mailer.send({
        idempotencyKey: input.idempotencyKey,
        kind: input.kind,
        to: employee.email,
        ...rendered,
        contactId: contact.id,
        memberId: input.memberId,
        sentAt: new Date(input.at),
      });
      return { delivered: result.delivered, employeeId };
    },
  };
}
