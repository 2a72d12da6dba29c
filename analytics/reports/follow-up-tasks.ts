import { sql } from 'drizzle-orm';
import type { Database } from '../../db';
import { rowsOf } from '../counts';

export interface TaskLoadRow {
  employeeId: string | null;
  name: string;
  email: string | null;
  open: number;
  overdue: number;
  oldestDueAt: string | null;
}

/** Open and overdue (due date passed) follow-up tasks per assigned employee. */
export async function followUpTaskReport(db: Database, now = new Date()): Promise<{ asOf: string; rows: TaskLoadRow[] }> {
  const rows = rowsOf<TaskLoadRow>(
    await db.execute(sql`
      select t.assignee_employee_id::text as "employeeId",
             coalesce(nullif(trim(e.first_name || ' ' || e.last_name), ''), e.email, '(unassigned)') as name,
             e.email,
             count(*)::int as open,
             count(*) filter (where t.due_at < ${now.toISOString()}::timestamptz)::int as overdue,
             to_char(min(t.due_at) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "oldestDueAt"
      from follow_up_tasks t
      left join employees e on e.id = t.assignee_employee_id
      where t.status in ('open', 'in_progress')
      group by t.assignee_employee_id, e.first_name, e.last_name, e.email
      order by overdue desc, open desc, name`),
  );
  return { asOf: now.toISOString(), rows };
}
