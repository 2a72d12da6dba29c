import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../db';
import {
  emptyInvitationCounts,
  emptyScoreCounts,
  type InvitationCounts,
  type ScoreCounts,
} from '../domain/nps-statistics';
import type { DateRange, PeriodUnit } from './periods';
import { scoreCountColumns } from './score-columns';
import { rowsOf } from '../db/rows';

/*
 * Counts for any filter, range and grouping: read from the daily rollups when a rollup cell
 * answers the question (no filter, one filter, survey + channel, survey + request type), else
 * from the raw rows with the same definitions. Both paths give the same numbers; the tests
 * check that against a plain GROUP BY.
 */

export const DIMENSIONS = ['survey', 'campaign', 'channel', 'request_type', 'client', 'employee'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

export interface AnalyticsFilter {
  surveyId?: string;
  campaignId?: string;
  channel?: string;
  requestType?: string;
  clientId?: string;
  employeeId?: string;
}

const FILTER_DIMENSION: Record<keyof AnalyticsFilter, Dimension> = {
  surveyId: 'survey',
  campaignId: 'campaign',
  channel: 'channel',
  requestType: 'request_type',
  clientId: 'client',
  employeeId: 'employee',
};

const RESPONSE_COLUMN: Record<Dimension, SQL> = {
  survey: sql`r.survey_id`,
  campaign: sql`r.campaign_id`,
  channel: sql`r.channel`,
  request_type: sql`r.request_type`,
  client: sql`r.client_id`,
  employee: sql`r.frontline_employee_id`,
};

/** Invitations carry no frontline employee: response rates per employee are not tracked. */
const INVITATION_COLUMN: Record<Dimension, SQL | undefined> = {
  survey: sql`i.survey_id`,
  campaign: sql`i.campaign_id`,
  channel: sql`i.channel`,
  request_type: sql`i.request_type`,
  client: sql`i.client_id`,
  employee: undefined,
};

export type Grouping = { kind: 'none' } | { kind: 'period'; unit: PeriodUnit } | { kind: 'dimension'; dimension: Dimension };

export interface Source {
  /** 'rollup' when the daily rollups answered, 'raw' when the rows were aggregated. */
  source: 'rollup' | 'raw';
}

// The analytics modules read raw rows through here; the helper itself lives with the database.
export { rowsOf };

const UUID_DIMENSIONS = new Set<Dimension>(['survey', 'campaign', 'client', 'employee']);

const activeFilters = (filter: AnalyticsFilter) =>
  (Object.keys(FILTER_DIMENSION) as (keyof AnalyticsFilter)[])
    .filter((name) => filter[name] !== undefined)
    .map((name) => {
      const dimension = FILTER_DIMENSION[name];
      // Rollup keys hold ids as PostgreSQL prints uuids: lower case.
      const value = UUID_DIMENSIONS.has(dimension) ? filter[name]!.toLowerCase() : filter[name]!;
      return { dimension, value };
    });

interface RollupSelection {
  /** WHERE on the rollup table. */
  where: SQL;
  /** The group key expression over the rollup row. */
  group: SQL;
}

/**
 * The rollup rows that answer (filter, grouping), or undefined when only the raw rows can. A cell
 * is spread over up to 16 shard rows (one per writing connection's shard); every read sums them.
 */
function rollupSelection(filter: AnalyticsFilter, grouping: Grouping): RollupSelection | undefined {
  const filters = activeFilters(filter);
  if (grouping.kind === 'dimension') {
    if (filters.length === 0) return { where: sql`dimension = ${grouping.dimension}`, group: sql`key` };
    const [only] = filters;
    if (filters.length === 1 && only!.dimension === 'survey' && (grouping.dimension === 'channel' || grouping.dimension === 'request_type')) {
      return { where: sql`dimension = ${`survey_${grouping.dimension}:${only!.value}`}`, group: sql`key` };
    }
    return undefined;
  }
  const group = grouping.kind === 'period' ? sql`date_trunc(${grouping.unit}, day::timestamp)::date::text` : sql`''`;
  if (filters.length === 0) return { where: sql`dimension = 'all' and key = ''`, group };
  if (filters.length === 1) return { where: sql`dimension = ${filters[0]!.dimension} and key = ${filters[0]!.value}`, group };
  if (filters.length === 2 && filter.surveyId !== undefined) {
    const other = filters.find((f) => f.dimension !== 'survey')!;
    if (other.dimension === 'channel' || other.dimension === 'request_type') {
      return { where: sql`dimension = ${`survey_${other.dimension}:${filter.surveyId}`} and key = ${other.value}`, group };
    }
  }
  return undefined;
}

/** `submitted_at` (or any timestamptz) within the local days of `range`, index-friendly. */
function withinLocalDays(column: SQL, range: DateRange, timeZone: string): SQL {
  return sql`${column} >= (${range.from}::date::timestamp at time zone ${timeZone}) and ${column} < ((${range.to}::date + 1)::timestamp at time zone ${timeZone})`;
}

function rawGroup(grouping: Grouping, timestamp: SQL, column: Record<Dimension, SQL | undefined>, timeZone: string): SQL | undefined {
  if (grouping.kind === 'none') return sql`''`;
  if (grouping.kind === 'period') return sql`date_trunc(${grouping.unit}, ${timestamp} at time zone ${timeZone})::date::text`;
  const expression = column[grouping.dimension];
  return expression && sql`coalesce(${expression}::text, '')`;
}

function rawWhere(filter: AnalyticsFilter, column: Record<Dimension, SQL | undefined>): SQL[] | undefined {
  const conditions: SQL[] = [];
  for (const { dimension, value } of activeFilters(filter)) {
    const expression = column[dimension];
    if (!expression) return undefined;
    conditions.push(value === '' ? sql`${expression} is null` : sql`${expression} = ${value}`);
  }
  return conditions;
}

/** WHERE conditions over `responses r` for a filter and (optionally) a range of local days. */
export function responseConditions(filter: AnalyticsFilter, range: DateRange | undefined, timeZone: string): SQL[] {
  const conditions = rawWhere(filter, RESPONSE_COLUMN)!;
  if (range) conditions.push(withinLocalDays(sql`r.submitted_at`, range, timeZone));
  return conditions;
}

interface ScoreRow extends ScoreCounts {
  group: string;
}

/** Response counts per group key ('' for grouping none; period start date; dimension key). */
export async function responseCounts(
  db: Database,
  timeZone: string,
  filter: AnalyticsFilter,
  range: DateRange,
  grouping: Grouping,
): Promise<{ groups: Map<string, ScoreCounts> } & Source> {
  const rollup = rollupSelection(filter, grouping);
  let query: SQL;
  if (rollup) {
    query = sql`
      select ${rollup.group} as "group",
             sum(responses)::int as responses, sum(promoters)::int as promoters, sum(passives)::int as passives,
             sum(detractors)::int as detractors, sum(rating_count)::int as "ratingCount",
             sum(rating_sum)::float8 as "ratingSum", sum(satisfied)::int as satisfied
      from analytics_response_daily
      where ${rollup.where} and day between ${range.from}::date and ${range.to}::date
      group by 1`;
  } else {
    const group = rawGroup(grouping, sql`r.submitted_at`, RESPONSE_COLUMN, timeZone)!;
    const conditions = responseConditions(filter, range, timeZone);
    query = sql`
      select ${group} as "group", ${scoreCountColumns('r')}
      from responses r
      where ${sql.join(conditions, sql` and `)}
      group by 1`;
  }
  const rows = rowsOf<ScoreRow>(await db.execute(query));
  const groups = new Map<string, ScoreCounts>();
  for (const { group, ...counts } of rows) groups.set(group, { ...emptyScoreCounts(), ...counts });
  return { groups, source: rollup ? 'rollup' : 'raw' };
}

interface InvitationRow extends InvitationCounts {
  group: string;
}

/**
 * Invitation counts per group key, or undefined where they are not tracked (per employee).
 * Invited on the local day sent; links made outside campaigns on the day made.
 */
export async function invitationCounts(
  db: Database,
  timeZone: string,
  filter: AnalyticsFilter,
  range: DateRange,
  grouping: Grouping,
): Promise<Map<string, InvitationCounts> | undefined> {
  if (filter.employeeId !== undefined || (grouping.kind === 'dimension' && grouping.dimension === 'employee')) return undefined;
  const rollup = rollupSelection(filter, grouping);
  let query: SQL;
  if (rollup) {
    query = sql`
      select ${rollup.group} as "group", sum(invited)::int as invited, sum(delivered)::int as delivered,
             sum(completed)::int as completed
      from analytics_invitation_daily
      where ${rollup.where} and day between ${range.from}::date and ${range.to}::date
      group by 1`;
  } else {
    const conditions = rawWhere(filter, INVITATION_COLUMN);
    const group = rawGroup(grouping, sql`coalesce(i.sent_at, i.created_at)`, INVITATION_COLUMN, timeZone);
    if (!conditions || !group) return undefined;
    conditions.push(sql`(i.sent_at is not null or i.campaign_id is null)`);
    conditions.push(withinLocalDays(sql`coalesce(i.sent_at, i.created_at)`, range, timeZone));
    query = sql`
      select ${group} as "group", count(*)::int as invited,
             count(*) filter (where exists (select 1 from analytics_invitation_deliveries d where d.invitation_id = i.id))::int as delivered,
             count(*) filter (where i.status = 'completed')::int as completed
      from invitations i
      where ${sql.join(conditions, sql` and `)}
      group by 1`;
  }
  const rows = rowsOf<InvitationRow>(await db.execute(query));
  const groups = new Map<string, InvitationCounts>();
  for (const { group, ...counts } of rows) groups.set(group, { ...emptyInvitationCounts(), ...counts });
  return groups;
}
