import { sql } from 'drizzle-orm';
import type { Database } from '../db';
import {
  addScoreCounts,
  compareNps,
  computeNps,
  computeResponseRate,
  computeSatisfaction,
  emptyScoreCounts,
  type InvitationCounts,
  type NpsChange,
  type NpsResult,
  type ResponseRateResult,
  type SatisfactionResult,
  type ScoreCounts,
} from '../domain/nps-statistics';
import { rebuildRollupsIn, type RebuildResult } from './backfill';
import {
  invitationCounts,
  responseCounts,
  rowsOf,
  type AnalyticsFilter,
  type Dimension,
} from './counts';
import {
  daysBetween,
  isCalendarDate,
  lastPeriods,
  localDate,
  periodContaining,
  previousRange,
  shiftPeriod,
  type DateRange,
  type PeriodUnit,
} from './periods';

/** A request the reports cannot answer as asked (the API turns it into a 400 or 409). */
export class AnalyticsInputError extends Error {
  constructor(
    message: string,
    readonly kind: 'invalid' | 'not_found' | 'conflict' = 'invalid',
  ) {
    super(message);
    this.name = 'AnalyticsInputError';
  }
}

// ---------------------------------------------------------------------------------------------
// Settings
// ---------------------------------------------------------------------------------------------

export interface AnalyticsSettings {
  /** IANA zone the rollup days and reporting periods are cut in. */
  timeZone: string;
  /** Below this many NPS answers a score is "not yet reliable" and gets no trend arrow. */
  minSample: number;
}

export async function getSettings(db: Database): Promise<AnalyticsSettings> {
  const [row] = rowsOf<AnalyticsSettings>(
    await db.execute(sql`select time_zone as "timeZone", min_sample as "minSample" from analytics_settings where id = 1`),
  );
  return row ?? { timeZone: 'Europe/Amsterdam', minSample: 30 };
}

/** Changes the settings; a new time zone re-cuts every rollup day in the same transaction. */
export async function updateSettings(
  db: Database,
  patch: Partial<AnalyticsSettings>,
): Promise<AnalyticsSettings & { rebuilt: RebuildResult | null }> {
  return db.transaction(async (tx) => {
    const [before] = rowsOf<{ timeZone: string }>(
      await tx.execute(sql`select time_zone as "timeZone" from analytics_settings where id = 1 for update`),
    );
    await tx.execute(sql`
      insert into analytics_settings (id, time_zone, min_sample, updated_at)
      values (1, coalesce(${patch.timeZone ?? null}, 'Europe/Amsterdam'), coalesce(${patch.minSample ?? null}::int, 30), now())
      on conflict (id) do update set
        time_zone = coalesce(${patch.timeZone ?? null}, analytics_settings.time_zone),
        min_sample = coalesce(${patch.minSample ?? null}::int, analytics_settings.min_sample),
        updated_at = now()`);
    const rebuilt = patch.timeZone && patch.timeZone !== before?.timeZone ? await rebuildRollupsIn(tx) : null;
    const [after] = rowsOf<AnalyticsSettings>(
      await tx.execute(sql`select time_zone as "timeZone", min_sample as "minSample" from analytics_settings where id = 1`),
    );
    return { ...after!, rebuilt };
  });
}

// ---------------------------------------------------------------------------------------------
// Periods asked for
// ---------------------------------------------------------------------------------------------

export interface RangeQuery {
  /** Period unit (default month): the period containing `date` (default today). */
  period?: PeriodUnit;
  date?: string;
  /** An explicit range of local days, inclusive; overrides period/date. */
  from?: string;
  to?: string;
}

export interface ResolvedRange extends DateRange {
  label: string;
  previous: DateRange;
}

const MAX_RANGE_DAYS = 366 * 20;

function checkDate(name: string, value: string | undefined): void {
  if (value !== undefined && !isCalendarDate(value)) throw new AnalyticsInputError(`${name} must be a date YYYY-MM-DD, got "${value}"`);
}

export function resolveRange(query: RangeQuery, timeZone: string, now = new Date()): ResolvedRange {
  checkDate('from', query.from);
  checkDate('to', query.to);
  checkDate('date', query.date);
  const today = localDate(timeZone, now);
  if (query.from !== undefined || query.to !== undefined) {
    if (query.from === undefined) throw new AnalyticsInputError('from is required with to');
    const range = { from: query.from, to: query.to ?? today };
    if (range.to < range.from) throw new AnalyticsInputError('to is before from');
    if (daysBetween(range) > MAX_RANGE_DAYS) throw new AnalyticsInputError(`a range spans at most ${MAX_RANGE_DAYS} days`);
    return { ...range, label: `${range.from} – ${range.to}`, previous: previousRange(range) };
  }
  const unit = query.period ?? 'month';
  const current = periodContaining(query.date ?? today, unit);
  const previous = periodContaining(shiftPeriod(current.from, unit, -1), unit);
  return { from: current.from, to: current.to, label: current.label, previous: { from: previous.from, to: previous.to } };
}

// ---------------------------------------------------------------------------------------------
// Reports
// ---------------------------------------------------------------------------------------------

export interface Metrics {
  responses: number;
  nps: NpsResult;
  satisfaction: SatisfactionResult;
  /** Null where invitations are not tracked for the filter (per employee). */
  responseRate: ResponseRateResult | null;
}

function metricsOf(counts: ScoreCounts | undefined, invitations: InvitationCounts | undefined | null, minSample: number): Metrics {
  const score = counts ?? emptyScoreCounts();
  return {
    responses: score.responses,
    nps: computeNps(score, minSample),
    satisfaction: computeSatisfaction(score),
    responseRate: invitations === null ? null : computeResponseRate(invitations ?? { invited: 0, delivered: 0, completed: 0 }),
  };
}

export interface KpiReport extends Metrics {
  filter: AnalyticsFilter;
  timeZone: string;
  range: DateRange & { label: string };
  previous: { range: DateRange; responses: number; nps: NpsResult };
  change: NpsChange;
  source: 'rollup' | 'raw';
}

/** The dashboard KPI card: NPS with counts and margin, satisfaction, response rate, change. */
export async function kpiReport(db: Database, filter: AnalyticsFilter, query: RangeQuery, now = new Date()): Promise<KpiReport> {
  const settings = await getSettings(db);
  const range = resolveRange(query, settings.timeZone, now);
  const none = { kind: 'none' } as const;
  const [current, previous, invitations] = await Promise.all([
    responseCounts(db, settings.timeZone, filter, range, none),
    responseCounts(db, settings.timeZone, filter, range.previous, none),
    invitationCounts(db, settings.timeZone, filter, range, none),
  ]);
  const metrics = metricsOf(current.groups.get(''), invitations ? invitations.get('') : null, settings.minSample);
  const previousNps = computeNps(previous.groups.get('') ?? emptyScoreCounts(), settings.minSample);
  return {
    filter,
    timeZone: settings.timeZone,
    range: { from: range.from, to: range.to, label: range.label },
    ...metrics,
    previous: { range: range.previous, responses: previous.groups.get('')?.responses ?? 0, nps: previousNps },
    change: compareNps(metrics.nps, previousNps),
    source: current.source,
  };
}

export interface TrendPoint extends Metrics, DateRange {
  label: string;
  /** Change from the period before (the first point is compared with the period before it too). */
  change: NpsChange;
}

export interface TrendReport {
  filter: AnalyticsFilter;
  timeZone: string;
  unit: PeriodUnit;
  periods: TrendPoint[];
  source: 'rollup' | 'raw';
}

/** The last `count` periods (default 12) up to the one containing `date` (default today). */
export async function trendReport(
  db: Database,
  filter: AnalyticsFilter,
  options: { unit?: PeriodUnit; date?: string; count?: number },
  now = new Date(),
): Promise<TrendReport> {
  checkDate('date', options.date);
  const settings = await getSettings(db);
  const unit = options.unit ?? 'month';
  const count = options.count ?? 12;
  // One extra period at the front, so the first shown period has a change too.
  const periods = lastPeriods(options.date ?? localDate(settings.timeZone, now), unit, count + 1);
  const range = { from: periods[0]!.from, to: periods.at(-1)!.to };
  const grouping = { kind: 'period', unit } as const;
  const [responses, invitations] = await Promise.all([
    responseCounts(db, settings.timeZone, filter, range, grouping),
    invitationCounts(db, settings.timeZone, filter, range, grouping),
  ]);
  const points = periods.map((period) => ({
    period,
    metrics: metricsOf(responses.groups.get(period.from), invitations ? invitations.get(period.from) : null, settings.minSample),
  }));
  return {
    filter,
    timeZone: settings.timeZone,
    unit,
    periods: points.slice(1).map(({ period, metrics }, index) => ({
      label: period.label,
      from: period.from,
      to: period.to,
      ...metrics,
      change: compareNps(metrics.nps, points[index]!.metrics.nps),
    })),
    source: responses.source,
  };
}

export interface BreakdownRow extends Metrics {
  /** The dimension's value; null for responses without one. */
  key: string | null;
  label: string;
}

export interface BreakdownReport {
  filter: AnalyticsFilter;
  by: Dimension;
  timeZone: string;
  range: DateRange & { label: string };
  rows: BreakdownRow[];
  source: 'rollup' | 'raw';
}

const LABEL_QUERY: Partial<Record<Dimension, (ids: string[]) => ReturnType<typeof sql>>> = {
  survey: (ids) => sql`select id::text as id, title as label from surveys where id = any(${sql.param(ids)}::uuid[])`,
  campaign: (ids) => sql`select id::text as id, name as label from campaigns where id = any(${sql.param(ids)}::uuid[])`,
  client: (ids) => sql`select id::text as id, name as label from clients where id = any(${sql.param(ids)}::uuid[])`,
  employee: (ids) =>
    sql`select id::text as id, coalesce(nullif(trim(first_name || ' ' || last_name), ''), email) as label from employees where id = any(${sql.param(ids)}::uuid[])`,
};

async function labelsFor(db: Database, dimension: Dimension, keys: string[]): Promise<Map<string, string>> {
  const query = LABEL_QUERY[dimension];
  const ids = keys.filter(Boolean);
  if (!query || ids.length === 0) return new Map();
  const rows = rowsOf<{ id: string; label: string }>(await db.execute(query(ids)));
  return new Map(rows.map((row) => [row.id, row.label]));
}

/** One row per value of `by` (channel, client …) for the range, most answers first. */
export async function breakdownReport(
  db: Database,
  filter: AnalyticsFilter,
  by: Dimension,
  query: RangeQuery & { limit?: number },
  now = new Date(),
): Promise<BreakdownReport> {
  const settings = await getSettings(db);
  const range = resolveRange(query, settings.timeZone, now);
  const grouping = { kind: 'dimension', dimension: by } as const;
  const [responses, invitations] = await Promise.all([
    responseCounts(db, settings.timeZone, filter, range, grouping),
    invitationCounts(db, settings.timeZone, filter, range, grouping),
  ]);
  const keys = [...new Set([...responses.groups.keys(), ...(invitations?.keys() ?? [])])];
  const labels = await labelsFor(db, by, keys);
  const rows = keys
    .map((key) => ({
      key: key === '' ? null : key,
      label: key === '' ? '(none)' : labels.get(key) ?? key,
      ...metricsOf(responses.groups.get(key), invitations ? invitations.get(key) : null, settings.minSample),
    }))
    .sort((a, b) => b.nps.n - a.nps.n || b.responses - a.responses || a.label.localeCompare(b.label))
    .slice(0, query.limit ?? 500);
  return { filter, by, timeZone: settings.timeZone, range: { from: range.from, to: range.to, label: range.label }, rows, source: responses.source };
}

export type WaveSegment = Dimension | 'none';

export interface WaveSide {
  responses: number;
  nps: NpsResult;
  satisfaction: SatisfactionResult;
}

export interface WaveRow {
  key: string | null;
  label: string;
  current: WaveSide;
  previous: WaveSide;
  change: NpsChange;
}

export interface WaveReport {
  campaign: { id: string; name: string; surveyId: string; responseRate: ResponseRateResult };
  previousCampaign: { id: string; name: string; surveyId: string; responseRate: ResponseRateResult };
  segment: WaveSegment;
  total: WaveRow;
  segments: WaveRow[];
}

const SEGMENT_COLUMN: Record<Dimension, string> = {
  survey: 'survey_id',
  campaign: 'campaign_id',
  channel: 'channel',
  request_type: 'request_type',
  client: 'client_id',
  employee: 'frontline_employee_id',
};

const ALL_DAYS: DateRange = { from: '1900-01-01', to: '2999-12-31' };

/**
 * Recurring relational NPS: one wave of a campaign against the wave it repeats
 * (campaigns.previous_campaign_id, or the one given), per segment.
 */
export async function waveReport(
  db: Database,
  campaignId: string,
  options: { previousCampaignId?: string; segment?: WaveSegment },
): Promise<WaveReport> {
  const settings = await getSettings(db);
  const segment = options.segment ?? 'none';
  const campaigns = rowsOf<{ id: string; name: string; surveyId: string; previousCampaignId: string | null }>(
    await db.execute(sql`
      select id::text as id, name, survey_id::text as "surveyId", previous_campaign_id::text as "previousCampaignId"
      from campaigns where id::text in (${campaignId}, ${options.previousCampaignId ?? campaignId})`),
  );
  const campaign = campaigns.find((c) => c.id === campaignId);
  if (!campaign) throw new AnalyticsInputError('campaign not found', 'not_found');
  const previousId = options.previousCampaignId ?? campaign.previousCampaignId;
  if (!previousId) throw new AnalyticsInputError('the campaign has no previous wave (previousCampaignId)', 'conflict');
  const previous =
    campaigns.find((c) => c.id === previousId) ??
    rowsOf<{ id: string; name: string; surveyId: string }>(
      await db.execute(sql`select id::text as id, name, survey_id::text as "surveyId" from campaigns where id::text = ${previousId}`),
    )[0];
  if (!previous) throw new AnalyticsInputError('previous campaign not found', 'not_found');
  if (previous.surveyId !== campaign.surveyId) {
    throw new AnalyticsInputError('the two waves ask different surveys; compare waves of the same survey', 'conflict');
  }

  const group = segment === 'none' ? sql`''` : sql`coalesce(${sql.identifier(SEGMENT_COLUMN[segment])}::text, '')`;
  const rows = rowsOf<ScoreCounts & { campaignId: string; group: string }>(
    await db.execute(sql`
      select campaign_id::text as "campaignId", ${group} as "group",
             count(*)::int as responses,
             count(*) filter (where nps_score >= 9)::int as promoters,
             count(*) filter (where nps_score between 7 and 8)::int as passives,
             count(*) filter (where nps_score <= 6)::int as detractors,
             count(rating_score)::int as "ratingCount",
             coalesce(sum(rating_score::float8), 0)::float8 as "ratingSum",
             count(*) filter (where rating_score >= 4)::int as satisfied
      from responses
      where campaign_id in (${campaign.id}::uuid, ${previous.id}::uuid)
      group by 1, 2`),
  );
  const byGroup = new Map<string, { current: ScoreCounts; previous: ScoreCounts }>();
  for (const { campaignId: rowCampaign, group: key, ...counts } of rows) {
    const entry = byGroup.get(key) ?? { current: emptyScoreCounts(), previous: emptyScoreCounts() };
    entry[rowCampaign === campaign.id ? 'current' : 'previous'] = { ...emptyScoreCounts(), ...counts };
    byGroup.set(key, entry);
  }
  const side = (counts: ScoreCounts): WaveSide => ({
    responses: counts.responses,
    nps: computeNps(counts, settings.minSample),
    satisfaction: computeSatisfaction(counts),
  });
  const row = (key: string, label: string, counts: { current: ScoreCounts; previous: ScoreCounts }): WaveRow => {
    const current = side(counts.current);
    const before = side(counts.previous);
    return { key: key === '' ? null : key, label, current, previous: before, change: compareNps(current.nps, before.nps) };
  };
  let total = { current: emptyScoreCounts(), previous: emptyScoreCounts() };
  for (const counts of byGroup.values()) {
    total = { current: addScoreCounts(total.current, counts.current), previous: addScoreCounts(total.previous, counts.previous) };
  }
  const labels = segment === 'none' ? new Map<string, string>() : await labelsFor(db, segment, [...byGroup.keys()]);
  const segments =
    segment === 'none'
      ? []
      : [...byGroup.entries()]
          .map(([key, counts]) => row(key, key === '' ? '(none)' : labels.get(key) ?? key, counts))
          .sort((a, b) => b.current.nps.n + b.previous.nps.n - (a.current.nps.n + a.previous.nps.n) || a.label.localeCompare(b.label));

  const [currentInvitations, previousInvitations] = await Promise.all(
    [campaign.id, previous.id].map((id) =>
      invitationCounts(db, settings.timeZone, { campaignId: id }, ALL_DAYS, { kind: 'none' }).then((groups) => groups?.get('')),
    ),
  );
  const rate = (counts: InvitationCounts | undefined) => computeResponseRate(counts ?? { invited: 0, delivered: 0, completed: 0 });
  return {
    campaign: { id: campaign.id, name: campaign.name, surveyId: campaign.surveyId, responseRate: rate(currentInvitations) },
    previousCampaign: { id: previous.id, name: previous.name, surveyId: previous.surveyId, responseRate: rate(previousInvitations) },
    segment,
    total: row('', 'total', total),
    segments,
  };
}

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
      where t.status = 'open'
      group by t.assignee_employee_id, e.first_name, e.last_name, e.email
      order by overdue desc, open desc, name`),
  );
  return { asOf: now.toISOString(), rows };
}
