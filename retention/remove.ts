import { sql } from 'drizzle-orm';
import { rowsOf, type Database } from '../db';
import { cutoffOf, type RetentionPeriods, type RetentionStep } from '../domain/retention';
import { withoutOpenAnswers, type Answers, type SurveyDefinition } from '../domain/survey-definition';
import { startOfReportingDay } from '../responses/reporting-day';

/*
 * One page of one retention step: at most `limit` rows, oldest first. Each step's condition
 * excludes what it already did, so a page needs no cursor and a retried page does nothing twice.
 * Response steps go survey by survey (only surveys with a period) along (survey_id, submitted_at);
 * outbox bodies along a partial index that holds only rows still to blank.
 */

export interface RetentionPageInput {
  step: RetentionStep;
  /** The run's reference time (the workflow's time when the run began). */
  at: string;
  periods: RetentionPeriods;
  limit: number;
}

export interface RetentionPage {
  removed: number;
  /** Nothing of this step is left to do. */
  done: boolean;
}

const timestamptz = (date: Date) => sql`${date.toISOString()}::timestamptz`;
const idsOf = (result: unknown) => rowsOf<{ id: string }>(result).length;

/**
 * Responses past their survey's link period lose the invitation, member, contact and interaction
 * they came from (the client and frontline employee stay: they are what per-client and
 * per-employee reports count, and no person). Their time becomes the start of their reporting
 * day, so the invitation's completion time no longer points at them; a feedback task keeps its
 * contact but no longer names the response, and the delivered "completed" signal that named it
 * (response and member) is deleted. Rollups do not move: every counted column stays in
 * its cell.
 */
async function removeResponseLinks(db: Database, at: Date, limit: number): Promise<number> {
  const result = await db.execute(sql`
    with picked as (
      select r.id
        from surveys s
        cross join lateral (
          select r.id, r.submitted_at
            from responses r
           where r.survey_id = s.id
             and r.submitted_at < ${timestamptz(at)} - make_interval(days => s.response_link_retention_days)
             and (r.invitation_id is not null or r.member_id is not null or r.contact_id is not null or r.entity_ref is not null)
           order by r.submitted_at
           limit ${limit}) r
       where s.response_link_retention_days is not null
       order by r.submitted_at
       limit ${limit}
    ), unlinked_tasks as (
      update follow_up_tasks t set response_id = null from picked where t.response_id = picked.id returning t.id
    ), forgotten_signals as (
      -- The relay's record of the delivered "completed" signal names the response and the member.
      delete from pending_signals p using picked
       where p.signal_name = 'surveyCompleted' and (p.payload -> 0 ->> 'responseId') = picked.id::text and p.delivered_at is not null
      returning p.id
    )
    update responses r
       set invitation_id = null, member_id = null, contact_id = null, entity_type = null, entity_ref = null,
           submitted_at = ${startOfReportingDay(sql`r.submitted_at`)}
      from picked
     where r.id = picked.id
    returning r.id`);
  return idsOf(result);
}

/** Responses past their survey's open-answer period lose their open answers and comment. */
async function removeOpenAnswers(db: Database, at: Date, limit: number): Promise<{ picked: number; removed: number }> {
  const rows = rowsOf<{ id: string; answers: Answers; comment: string | null; definition: SurveyDefinition }>(
    await db.execute(sql`
      select r.id, r.answers, r.comment, v.definition
        from surveys s
        cross join lateral (
          select r.id, r.answers, r.comment, r.survey_version, r.submitted_at
            from responses r
           where r.survey_id = s.id
             and r.submitted_at < ${timestamptz(at)} - make_interval(days => s.open_answer_retention_days)
             and r.open_answers_removed_at is null
           order by r.submitted_at
           limit ${limit}) r
        join survey_versions v on v.survey_id = s.id and v.version = r.survey_version
       where s.open_answer_retention_days is not null
       order by r.submitted_at
       limit ${limit}`),
  );
  if (rows.length === 0) return { picked: 0, removed: 0 };
  const changes = rows.map((row) => {
    const stripped = withoutOpenAnswers(row.definition, row.answers);
    return { id: row.id, answers: stripped.answers, record_fields: stripped.recordFields, removed: stripped.removed || row.comment !== null };
  });
  await db.execute(sql`
    update responses r
       set answers = c.answers, record_fields = c.record_fields, comment = null, open_answers_removed_at = ${timestamptz(at)}
      from jsonb_to_recordset(${JSON.stringify(changes)}::jsonb) as c(id uuid, answers jsonb, record_fields jsonb)
     where r.id = c.id`);
  return { picked: rows.length, removed: changes.filter((c) => c.removed).length };
}

/** Sent, failed and withheld emails past the period keep their row (the record that a message went out once) without body, headers or address. */
async function blankOutboxBodies(db: Database, cutoff: Date, limit: number): Promise<number> {
  const result = await db.execute(sql`
    update email_outbox set html = '', text = '', headers = '{}'::jsonb, to_address = ''
     where id in (
       select id from email_outbox
        where created_at < ${timestamptz(cutoff)}
          and status <> 'queued' and (html <> '' or text <> '' or to_address <> '')
        order by created_at
        limit ${limit})
    returning id`);
  return idsOf(result);
}

async function deleteEmailEvents(db: Database, cutoff: Date, limit: number): Promise<number> {
  const result = await db.execute(sql`
    delete from email_events
     where id in (select id from email_events where received_at < ${timestamptz(cutoff)} order by received_at limit ${limit})
    returning id`);
  return idsOf(result);
}

async function deleteAuditEntries(db: Database, cutoff: Date, limit: number): Promise<number> {
  const result = await db.execute(sql`
    delete from audit_log
     where id in (select id from audit_log where at < ${timestamptz(cutoff)} order by at limit ${limit})
    returning id`);
  return idsOf(result);
}

/** Runs one page of one step. */
export async function removeRetentionPage(db: Database, input: RetentionPageInput): Promise<RetentionPage> {
  const at = new Date(input.at);
  const { periods, limit } = input;
  const page = (removed: number, picked = removed): RetentionPage => ({ removed, done: picked < limit });
  switch (input.step) {
    case 'responseLinks':
      return page(await removeResponseLinks(db, at, limit));
    case 'openAnswers': {
      const { picked, removed } = await removeOpenAnswers(db, at, limit);
      return page(removed, picked);
    }
    case 'outboxBodies':
      return page(await blankOutboxBodies(db, cutoffOf(at, periods.outboxBodyDays), limit));
    case 'emailEvents':
      return page(await deleteEmailEvents(db, cutoffOf(at, periods.emailEventDays), limit));
    case 'auditEntries':
      return page(await deleteAuditEntries(db, cutoffOf(at, periods.auditDays), limit));
  }
}
