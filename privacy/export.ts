import { and, asc, eq, inArray, or, sql } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import { tables, type Database } from '../db';
import { PERSONAL_DATA_TABLES } from './coverage';

/*
 * An access request's answer: everything npsflow holds about one person, as one JSON document.
 * Its sections are the export keys of privacy/coverage.ts. Left out on purpose: the survey links'
 * tokens (credentials, not data about the person) and email bodies (the links again; the
 * subject, address and dates say what was sent).
 */

const {
  contacts,
  campaigns,
  campaignMembers: members,
  campaignMemberStatusChanges: statusChanges,
  invitations,
  responses,
  followUpTasks: tasks,
  followUpTaskEvents: taskEvents,
  emailOutbox: outbox,
  emailEvents,
  operationItems,
  auditLog,
} = tables;

/** The export's sections, from the coverage list (one name per table family). */
export type ExportSection = NonNullable<(typeof PERSONAL_DATA_TABLES)[keyof typeof PERSONAL_DATA_TABLES]['export']>;

/** Dates as ISO strings, recursively: the document is plain JSON. */
function plain(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, plain(inner)]));
  return value;
}

/** The person's data, or null when there is no such contact. */
export async function exportContact(db: Database, contactId: string): Promise<Record<string, unknown> | null> {
  const [contact] = await db.select().from(contacts).where(eq(contacts.id, contactId));
  if (!contact) return null;

  const memberRows = await db
    .select({ member: members, campaign: { id: campaigns.id, name: campaigns.name, surveyId: campaigns.surveyId } })
    .from(members)
    .innerJoin(campaigns, eq(campaigns.id, members.campaignId))
    .where(eq(members.contactId, contactId))
    .orderBy(asc(members.createdAt));
  const memberIds = memberRows.map((row) => row.member.id);
  const ofMembers = (column: AnyPgColumn) => (memberIds.length ? inArray(column, memberIds) : undefined);

  const statusRows = memberIds.length
    ? await db.select().from(statusChanges).where(inArray(statusChanges.memberId, memberIds)).orderBy(asc(statusChanges.at))
    : [];
  const operationRows = memberIds.length
    ? await db.select().from(operationItems).where(inArray(operationItems.memberId, memberIds)).orderBy(asc(operationItems.at))
    : [];
  const invitationRows = await db
    .select({
      id: invitations.id,
      memberId: invitations.memberId,
      campaignId: invitations.campaignId,
      surveyId: invitations.surveyId,
      channel: invitations.channel,
      requestType: invitations.requestType,
      entityType: invitations.entityType,
      entityRef: invitations.entityRef,
      language: invitations.language,
      status: invitations.status,
      sentAt: invitations.sentAt,
      openedAt: invitations.openedAt,
      completedAt: invitations.completedAt,
      expiresAt: invitations.expiresAt,
      createdAt: invitations.createdAt,
    })
    .from(invitations)
    .where(or(eq(invitations.contactId, contactId), ofMembers(invitations.memberId)))
    .orderBy(asc(invitations.createdAt));
  const responseRows = await db
    .select({
      id: responses.id,
      invitationId: responses.invitationId,
      memberId: responses.memberId,
      campaignId: responses.campaignId,
      surveyId: responses.surveyId,
      surveyVersion: responses.surveyVersion,
      language: responses.language,
      answers: responses.answers,
      npsScore: responses.npsScore,
      ratingScore: responses.ratingScore,
      recordFields: responses.recordFields,
      comment: responses.comment,
      channel: responses.channel,
      requestType: responses.requestType,
      submittedAt: responses.submittedAt,
    })
    .from(responses)
    .where(or(eq(responses.contactId, contactId), ofMembers(responses.memberId)))
    .orderBy(asc(responses.submittedAt));
  const taskRows = await db
    .select()
    .from(tasks)
    .where(or(eq(tasks.contactId, contactId), ofMembers(tasks.memberId)))
    .orderBy(asc(tasks.createdAt));
  const taskIds = taskRows.map((task) => task.id);
  const eventRows = taskIds.length
    ? await db.select().from(taskEvents).where(inArray(taskEvents.taskId, taskIds)).orderBy(asc(taskEvents.at))
    : [];
  const emailRows = await db
    .select({
      id: outbox.id,
      kind: outbox.kind,
      toAddress: outbox.toAddress,
      subject: outbox.subject,
      status: outbox.status,
      outcome: outbox.outcome,
      memberId: outbox.memberId,
      invitationId: outbox.invitationId,
      providerMessageId: outbox.providerMessageId,
      requestedAt: outbox.requestedAt,
      createdAt: outbox.createdAt,
      sentAt: outbox.sentAt,
    })
    .from(outbox)
    .where(
      or(
        eq(outbox.contactId, contactId),
        ofMembers(outbox.memberId),
        contact.email ? sql`lower(${outbox.toAddress}) = lower(${contact.email})` : undefined,
      ),
    )
    .orderBy(asc(outbox.createdAt));
  const messageIds = emailRows.map((email) => email.providerMessageId).filter((id): id is string => id !== null);
  const eventsAboutThem = await db
    .select({ id: emailEvents.id, type: emailEvents.type, emailAddress: emailEvents.emailAddress, providerMessageId: emailEvents.providerMessageId, occurredAt: emailEvents.occurredAt })
    .from(emailEvents)
    .where(
      or(
        contact.email ? sql`lower(${emailEvents.emailAddress}) = lower(${contact.email})` : undefined,
        messageIds.length ? inArray(emailEvents.providerMessageId, messageIds) : undefined,
      ) ?? sql`false`,
    )
    .orderBy(asc(emailEvents.occurredAt));
  const audited = [
    and(eq(auditLog.entityType, 'contacts'), eq(auditLog.entityId, contactId)),
    memberIds.length ? and(eq(auditLog.entityType, 'members'), inArray(auditLog.entityId, memberIds)) : undefined,
    taskIds.length ? and(eq(auditLog.entityType, 'follow-up-tasks'), inArray(auditLog.entityId, taskIds)) : undefined,
  ];
  const auditRows = await db
    .select({ at: auditLog.at, actorType: auditLog.actorType, actorName: auditLog.actorName, role: auditLog.role, action: auditLog.action, entityType: auditLog.entityType, entityId: auditLog.entityId, outcome: auditLog.outcome })
    .from(auditLog)
    .where(or(...audited))
    .orderBy(asc(auditLog.at));

  const document: Record<ExportSection | 'exportedAt', unknown> = {
    exportedAt: new Date().toISOString(),
    contact,
    memberships: memberRows.map(({ member, campaign }) => ({
      ...member,
      campaign,
      statusHistory: statusRows.filter((change) => change.memberId === member.id).map(({ status, at }) => ({ status, at })),
      operations: operationRows.filter((item) => item.memberId === member.id).map(({ operationId, result, detail, at }) => ({ operationId, result, detail, at })),
    })),
    invitations: invitationRows,
    responses: responseRows,
    followUpTasks: taskRows.map((task) => ({ ...task, history: eventRows.filter((event) => event.taskId === task.id) })),
    emails: emailRows,
    emailEvents: eventsAboutThem,
    auditEntries: auditRows,
  };
  return plain(document) as Record<string, unknown>;
}
