import { and, asc, eq, gt, gte, inArray, lt, ne, or, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { tables, type Database } from '../db';
import type { FollowUpStatus } from '../domain/follow-up';
import { reportingDayBegins } from '../responses/reporting-day';

const { followUpTasks: tasks, employees, contacts } = tables;

export interface TaskFilters {
  assigneeEmployeeId?: string;
  /** A status, or `active`: open and in progress. */
  status?: FollowUpStatus | 'active';
  overdue?: boolean;
  escalated?: boolean;
  kind?: string;
  surveyId?: string;
  campaignId?: string;
  clientId?: string;
  dueBefore?: Date;
  dueAfter?: Date;
  /** Created on or after this reporting day (YYYY-MM-DD), as the follow-up report cuts its days. */
  createdFrom?: string;
  /** Created on or before this day. */
  createdTo?: string;
  /** Keyset: the last row of the previous page, in (due_at, id) order. */
  after?: { dueAt: Date; id: string };
  limit: number;
  now: Date;
}

/** The condition of the filters over follow_up_tasks (shared with the analytics' drill-down). */
export function taskConditions(filters: Omit<TaskFilters, 'after' | 'limit'>): SQL | undefined {
  const open = or(eq(tasks.status, 'open'), eq(tasks.status, 'in_progress'));
  return and(
    filters.assigneeEmployeeId ? eq(tasks.assigneeEmployeeId, filters.assigneeEmployeeId) : undefined,
    filters.status === 'active' ? open : filters.status ? eq(tasks.status, filters.status) : undefined,
    filters.overdue === true ? and(ne(tasks.status, 'closed'), lt(tasks.dueAt, filters.now)) : undefined,
    filters.overdue === false ? or(eq(tasks.status, 'closed'), gte(tasks.dueAt, filters.now)) : undefined,
    filters.escalated === true ? sql`${tasks.escalatedAt} is not null` : undefined,
    filters.kind ? eq(tasks.kind, filters.kind) : undefined,
    filters.surveyId ? eq(tasks.surveyId, filters.surveyId) : undefined,
    filters.campaignId ? eq(tasks.campaignId, filters.campaignId) : undefined,
    filters.clientId ? eq(tasks.clientId, filters.clientId) : undefined,
    filters.dueBefore ? lt(tasks.dueAt, filters.dueBefore) : undefined,
    filters.dueAfter ? gte(tasks.dueAt, filters.dueAfter) : undefined,
    filters.createdFrom ? sql`${tasks.createdAt} >= ${reportingDayBegins(filters.createdFrom)}` : undefined,
    filters.createdTo ? sql`${tasks.createdAt} < ${reportingDayBegins(filters.createdTo, 1)}` : undefined,
  );
}

const assignee = alias(employees, 'assignee');

/**
 * Tasks in due order (earliest first), one page of them and whether more follow. Tasks created in
 * a period fall due just after it, so walking the due order to find them reads every task due
 * before (45,000 rows for a recent month of 100,000). For a creation period the page's ids are
 * picked first from the creation index, which holds the due time too, and only those rows are
 * read (docs/benchmarks.md, "Follow-up task list").
 */
export async function listTasks(db: Database, filters: TaskFilters) {
  const after = filters.after;
  const conditions = and(
    taskConditions(filters),
    after ? or(gt(tasks.dueAt, after.dueAt), and(eq(tasks.dueAt, after.dueAt), gt(tasks.id, after.id))) : undefined,
  );
  const onPage =
    filters.createdFrom || filters.createdTo
      ? inArray(
          tasks.id,
          db
            .select({ id: tasks.id })
            .from(tasks)
            .where(conditions)
            // An expression, so the due index is not walked for the order.
            .orderBy(sql`${tasks.dueAt} + interval '0 s'`, asc(tasks.id))
            .limit(filters.limit + 1),
        )
      : conditions;
  return db
    .select({
      task: tasks,
      assignee: { id: assignee.id, firstName: assignee.firstName, lastName: assignee.lastName, email: assignee.email },
      contact: { id: contacts.id, firstName: contacts.firstName, lastName: contacts.lastName, email: contacts.email },
    })
    .from(tasks)
    .leftJoin(assignee, eq(assignee.id, tasks.assigneeEmployeeId))
    .leftJoin(contacts, eq(contacts.id, tasks.contactId))
    .where(onPage)
    .orderBy(asc(tasks.dueAt), asc(tasks.id))
    .limit(filters.limit + 1);
}

export type TaskListRow = Awaited<ReturnType<typeof listTasks>>[number];
