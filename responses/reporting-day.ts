import { sql, type SQL } from 'drizzle-orm';

/**
 * The start of the reporting day (analytics_settings.time_zone) an instant falls in. An answer
 * that must not be tied to its link keeps only this as its time: the invitation's completion
 * time would otherwise match the response's to the millisecond. The rollups count per reporting
 * day, so moving an answer to its day's start changes no aggregate.
 */
export const startOfReportingDay = (instant: SQL): SQL =>
  sql`(date_trunc('day', ${instant} at time zone analytics_time_zone()) at time zone analytics_time_zone())`;
