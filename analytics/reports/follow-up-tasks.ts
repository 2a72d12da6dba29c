import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../db';
import { rowsOf } from '../counts';
import { reportingDayBegins } from '../../responses/reporting-day';

/** How fast the loop closes, for one group of follow-up tasks. Hours; shares 0–100; null without data. */
export interface LoopFigures {
  open: number;
  overdue: number;
  escalated: number;
  closed: number;
  /** Closed tasks closed by the end of their due day. */
  closedWithinDuePct: number | null;
  firstActionMedianHours: number | null;
  firstActionP90Hours: number | null;
  closeMedianHours: number | null;
  closeP90Hours: number | null;
}

export interface TaskLoadRow extends LoopFigures {
  employeeId: string | null;
  name: string;
  email: string | null;
  oldestDueAt: string | null;
}

export interface CampaignLoopRow extends LoopFigures {
  campaignId: string | null;
  name: string;
}

export interface PeriodLoopRow extends LoopFigures {
  /** The month the tasks were created in, YYYY-MM (in the reporting time zone). */
  period: string;
}

/** The dashboard's filters, over the tasks: their survey and campaign, and when they were created. */
export interface FollowUpFilter {
  surveyId?: string;
  campaignId?: string;
  /** Created on or after this day (YYYY-MM-DD, a reporting day). */
  from?: string;
  /** Created on or before this day. */
  to?: string;
}

const hours = (from: SQL, to: SQL) => sql`extract(epoch from (${to} - ${from})) / 3600.0`;

/** The figures of one group; `now` decides what is overdue. */
function figures(now: Date): SQL {
  const firstAction = hours(sql`t.created_at`, sql`t.first_action_at`);
  const close = hours(sql`t.created_at`, sql`t.completed_at`);
  return sql`
    count(*) filter (where t.status <> 'closed')::int as open,
    count(*) filter (where t.status <> 'closed' and t.due_at < ${now.toISOString()}::timestamptz)::int as overdue,
    count(*) filter (where t.status <> 'closed' and t.escalated_at is not null)::int as escalated,
    count(*) filter (where t.status = 'closed')::int as closed,
    round(100.0 * count(*) filter (where t.status = 'closed' and t.completed_at <= t.due_at)
      / nullif(count(*) filter (where t.status = 'closed'), 0), 1)::float8 as "closedWithinDuePct",
    round((percentile_cont(0.5) within group (order by ${firstAction}) filter (where t.first_action_at is not null))::numeric, 1)::float8 as "firstActionMedianHours",
    round((percentile_cont(0.9) within group (order by ${firstAction}) filter (where t.first_action_at is not null))::numeric, 1)::float8 as "firstActionP90Hours",
    round((percentile_cont(0.5) within group (order by ${close}) filter (where t.status = 'closed'))::numeric, 1)::float8 as "closeMedianHours",
    round((percentile_cont(0.9) within group (order by ${close}) filter (where t.status = 'closed'))::numeric, 1)::float8 as "closeP90Hours"`;
}

function where(filter: FollowUpFilter): SQL {
  const parts: SQL[] = [sql`true`];
  if (filter.surveyId) parts.push(sql`t.survey_id = ${filter.surveyId}::uuid`);
  if (filter.campaignId) parts.push(sql`t.campaign_id = ${filter.campaignId}::uuid`);
  if (filter.from) parts.push(sql`t.created_at >= ${reportingDayBegins(filter.from)}`);
  if (filter.to) parts.push(sql`t.created_at < ${reportingDayBegins(filter.to, 1)}`);
  return sql.join(parts, sql` and `);
}

/**
 * Follow-up tasks per assigned employee, per campaign and per month: open, overdue and escalated
 * work, and how fast the loop closes (time to the first action and to the close, median and
 * 90th percentile; the share closed by the end of the due day). Employees without any matching
 * task are left out.
 */
export async function followUpTaskReport(db: Database, filter: FollowUpFilter = {}, now = new Date()) {
  const rows = rowsOf<TaskLoadRow>(
    await db.execute(sql`
      select t.assignee_employee_id::text as "employeeId",
             coalesce(nullif(trim(e.first_name || ' ' || e.last_name), ''), e.email, '(unassigned)') as name,
             e.email,
             ${figures(now)},
             to_char(min(t.due_at) filter (where t.status <> 'closed') at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "oldestDueAt"
      from follow_up_tasks t
      left join employees e on e.id = t.assignee_employee_id
      where ${where(filter)}
      group by t.assignee_employee_id, e.first_name, e.last_name, e.email
      order by overdue desc, open desc, name`),
  );
  const campaigns = rowsOf<CampaignLoopRow>(
    await db.execute(sql`
      select t.campaign_id::text as "campaignId", coalesce(c.name, '(no campaign)') as name, ${figures(now)}
      from follow_up_tasks t
      left join campaigns c on c.id = t.campaign_id
      where ${where(filter)}
      group by t.campaign_id, c.name
      order by overdue desc, open desc, name`),
  );
  const periods = rowsOf<PeriodLoopRow>(
    await db.execute(sql`
      select to_char(date_trunc('month', t.created_at at time zone analytics_time_zone()), 'YYYY-MM') as period, ${figures(now)}
      from follow_up_tasks t
      where ${where(filter)}
      group by 1
      order by 1 desc
      limit 12`),
  );
  const [totals] = rowsOf<LoopFigures>(await db.execute(sql`select ${figures(now)} from follow_up_tasks t where ${where(filter)}`));
  return { asOf: now.toISOString(), filter, totals: totals!, rows, campaigns, periods };
}
