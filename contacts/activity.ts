import { sql } from 'drizzle-orm';
import type { Database } from '../db';
import { rowsOf } from '../db/rows';

/*
 * Everything that happened with one contact, for their page: campaign memberships with the
 * latest survey link's dates, answers, follow-up tasks, and the emails sent to them with the
 * provider's events on each (delivered, opened, bounced…). Newest first, each list capped.
 */

const LIMIT = 100;

export interface ContactMembership {
  memberId: string;
  campaignId: string;
  campaignName: string;
  campaignStatus: string;
  status: string;
  channel: string | null;
  remindersSent: number;
  lastCommunicationAt: string | null;
  addedAt: string;
  sentAt: string | null;
  openedAt: string | null;
  completedAt: string | null;
  expiresAt: string | null;
}

export interface ContactResponse {
  id: string;
  surveyId: string;
  surveyTitle: string;
  campaignId: string | null;
  campaignName: string | null;
  npsScore: number | null;
  ratingScore: number | null;
  comment: string | null;
  language: string;
  submittedAt: string;
}

export interface ContactTask {
  id: string;
  kind: string;
  subject: string;
  status: string;
  dueAt: string;
  assigneeEmployeeId: string | null;
  assigneeName: string | null;
  campaignId: string | null;
  createdAt: string;
}

export interface ContactEmail {
  id: string;
  kind: string;
  subject: string;
  toAddress: string;
  status: string;
  outcome: string | null;
  createdAt: string;
  sentAt: string | null;
  events: { type: string; occurredAt: string }[];
}

export interface ContactActivity {
  memberships: ContactMembership[];
  responses: ContactResponse[];
  followUpTasks: ContactTask[];
  emails: ContactEmail[];
}

const iso = (column: string) => sql.raw(`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);

export async function contactActivity(db: Database, contactId: string): Promise<ContactActivity> {
  const [memberships, responses, followUpTasks, emails] = await Promise.all([
    db.execute(sql`
      select m.id::text as "memberId", m.campaign_id::text as "campaignId", c.name as "campaignName",
             c.status::text as "campaignStatus", m.status::text as status, m.channel, m.reminders_sent as "remindersSent",
             ${iso('m.last_communication_at')} as "lastCommunicationAt", ${iso('m.created_at')} as "addedAt",
             ${iso('i.sent_at')} as "sentAt", ${iso('i.opened_at')} as "openedAt",
             ${iso('i.completed_at')} as "completedAt", ${iso('i.expires_at')} as "expiresAt"
      from campaign_members m
      join campaigns c on c.id = m.campaign_id
      left join lateral (
        select sent_at, opened_at, completed_at, expires_at from invitations
        where member_id = m.id order by created_at desc limit 1
      ) i on true
      where m.contact_id = ${contactId}::uuid
      order by m.created_at desc
      limit ${LIMIT}`),
    db.execute(sql`
      select r.id::text as id, r.survey_id::text as "surveyId", s.title as "surveyTitle",
             r.campaign_id::text as "campaignId", c.name as "campaignName",
             r.nps_score::int as "npsScore", r.rating_score as "ratingScore", r.comment, r.language,
             ${iso('r.submitted_at')} as "submittedAt"
      from responses r
      join surveys s on s.id = r.survey_id
      left join campaigns c on c.id = r.campaign_id
      where r.contact_id = ${contactId}::uuid
      order by r.submitted_at desc
      limit ${LIMIT}`),
    db.execute(sql`
      select t.id::text as id, t.kind, t.subject, t.status::text as status, ${iso('t.due_at')} as "dueAt",
             t.assignee_employee_id::text as "assigneeEmployeeId",
             nullif(trim(concat_ws(' ', e.first_name, e.last_name)), '') as "assigneeName",
             t.campaign_id::text as "campaignId", ${iso('t.created_at')} as "createdAt"
      from follow_up_tasks t
      left join employees e on e.id = t.assignee_employee_id
      where t.contact_id = ${contactId}::uuid
      order by t.due_at desc
      limit ${LIMIT}`),
    db.execute(sql`
      select o.id::text as id, o.kind, o.subject, o.to_address as "toAddress", o.status::text as status, o.outcome,
             ${iso('o.created_at')} as "createdAt", ${iso('o.sent_at')} as "sentAt",
             coalesce((
               select json_agg(json_build_object('type', ev.type, 'occurredAt', ${iso('ev.occurred_at')}) order by ev.occurred_at)
               from email_events ev
               where o.provider_message_id is not null and ev.provider_message_id = o.provider_message_id
             ), '[]'::json) as events
      from email_outbox o
      where o.contact_id = ${contactId}::uuid
      order by o.created_at desc
      limit ${LIMIT}`),
  ]);
  return {
    memberships: rowsOf<ContactMembership>(memberships),
    responses: rowsOf<ContactResponse>(responses),
    followUpTasks: rowsOf<ContactTask>(followUpTasks),
    emails: rowsOf<ContactEmail>(emails).map((email) => ({
      ...email,
      events: typeof email.events === 'string' ? (JSON.parse(email.events) as ContactEmail['events']) : email.events,
    })),
  };
}
