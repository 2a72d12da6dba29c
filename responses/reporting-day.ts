import { sql, type SQL } from 'drizzle-orm';

/**
 * The start of the reporting day (analytics_settings.time_zone) an instant falls in. An answer
 * that must not be tied to its link keeps only this as its time: the invitation's completion
 * time would otherwise match the response's to the millisecond. The rollups count per reporting
 * day, so moving an answer to its day's start changes no aggregate.
 */
export const startOfReportingDay = (instant: SQL): SQL =>
  sql`(date_trunc('day', ${instant} at time zone analytics_time_zone()) at time zone analytics_time_zone())`;

/**
 * The instant a reporting day (YYYY-MM-DD) begins, or the day `plusDays` later: how the dashboard's
 * periods, the follow-up report and the task list cut their days alike. Computed by PostgreSQL,
 * so any day it can store works.
 */
export const reportingDayBegins = (day: string, plusDays = 0): SQL =>
  sql`((${day}::date + ${plusDays}::int)::timestamp at time zone analytics_time_zone())`;
