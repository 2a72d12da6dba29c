import { and, asc, eq, inArray, isNotNull } from 'drizzle-orm';
import { tables, type Database } from '../db';
import { resolveCampaignSettings, type CampaignSettings } from '../domain/campaign-settings';
import type { MemberStatus } from '../domain/member-status';
import { resolveTimeZone } from '../domain/send-time';
import type { MemberListRow } from './member-list';

/*
 * What happened to one member, from the records (never from workflow state): its statuses with
 * their times, its survey links, the emails sent for it with the provider's outcome and events,
 * its answers and the follow-up tasks they led to, and the time zone its sending was planned in.
 */

export interface MemberTimeline {
  /** The zone the member's send slot was computed in: the contact's, its region's, else the campaign's. */
  timeZone: string;
  statusHistory: { status: MemberStatus; at: Date }[];
  invitations: { id: string; status: string; language: string | null; sentAt: Date | null; openedAt: Date | null; completedAt: Date | null; expiresAt: Date | null; createdAt: Date }[];
  emails: {
    id: string;
    kind: string;
    status: string;
    outcome: string | null;
    invitationId: string | null;
    requestedAt: Date | null;
    createdAt: Date;
    sentAt: Date | null;
    events: { type: string; occurredAt: Date }[];
  }[];
  responses: { id: string; invitationId: string | null; submittedAt: Date; npsScore: number | null; ratingScore: number | null }[];
  followUpTasks: { id: string; kind: string; status: string; subject: string; dueAt: Date; outcome: string | null; completedAt: Date | null; createdAt: Date }[];
}

export async function memberTimeline(db: Database, row: MemberListRow, campaignSettings: CampaignSettings): Promise<MemberTimeline> {
  const memberId = row.member.id;
  const { campaignMemberStatusChanges: h, invitations: i, emailOutbox: o, emailEvents: ev, responses: r, followUpTasks: f } = tables;
  const [statusHistory, invitations, emails, responses, followUpTasks] = await Promise.all([
    db.select({ status: h.status, at: h.at }).from(h).where(eq(h.memberId, memberId)).orderBy(asc(h.at), asc(h.recordedAt)),
    db
      .select({ id: i.id, status: i.status, language: i.language, sentAt: i.sentAt, openedAt: i.openedAt, completedAt: i.completedAt, expiresAt: i.expiresAt, createdAt: i.createdAt })
      .from(i)
      .where(eq(i.memberId, memberId))
      .orderBy(asc(i.createdAt)),
    db
      .select({
        id: o.id,
        kind: o.kind,
        status: o.status,
        outcome: o.outcome,
        invitationId: o.invitationId,
        requestedAt: o.requestedAt,
        createdAt: o.createdAt,
        sentAt: o.sentAt,
        providerMessageId: o.providerMessageId,
      })
      .from(o)
      .where(eq(o.memberId, memberId))
      .orderBy(asc(o.createdAt)),
    db
      .select({ id: r.id, invitationId: r.invitationId, submittedAt: r.submittedAt, npsScore: r.npsScore, ratingScore: r.ratingScore })
      .from(r)
      .where(eq(r.memberId, memberId))
      .orderBy(asc(r.submittedAt)),
    db
      .select({ id: f.id, kind: f.kind, status: f.status, subject: f.subject, dueAt: f.dueAt, outcome: f.outcome, completedAt: f.completedAt, createdAt: f.createdAt })
      .from(f)
      .where(eq(f.memberId, memberId))
      .orderBy(asc(f.createdAt)),
  ]);
  const messageIds = emails.map((e) => e.providerMessageId).filter((id): id is string => id !== null);
  const events = messageIds.length
    ? await db
        .select({ providerMessageId: ev.providerMessageId, type: ev.type, occurredAt: ev.occurredAt })
        .from(ev)
        .where(and(isNotNull(ev.providerMessageId), inArray(ev.providerMessageId, messageIds)))
        .orderBy(asc(ev.occurredAt))
    : [];
  return {
    timeZone: resolveTimeZone(row.contact, resolveCampaignSettings(campaignSettings).defaultTimeZone),
    statusHistory,
    invitations,
    emails: emails.map(({ providerMessageId, ...email }) => ({
      ...email,
      events: events.filter((e) => providerMessageId !== null && e.providerMessageId === providerMessageId).map(({ type, occurredAt }) => ({ type, occurredAt })),
    })),
    responses,
    followUpTasks,
  };
}
