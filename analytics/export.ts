import { sql } from 'drizzle-orm';
import type { Database } from '../db';
import { classifyNps } from '../domain/nps';
import { responseConditions, rowsOf, type AnalyticsFilter } from './counts';
import { csvLine, csvStart, type CsvDialect } from '../csv';
import type { DateRange } from './periods';

/*
 * All responses matching a filter as CSV, streamed page by page (keyset on submitted_at, id) so
 * an export of a million rows never sits in memory. Record fields and answers are flattened into
 * one column each ('field:<name>', 'answer:<questionId>'); the columns are found first, over the
 * same selection, so every line has the same shape.
 */

const PAGE = 2000;

const FIXED_COLUMNS = [
  'response_id',
  'submitted_at',
  'submitted_local_date',
  'survey_id',
  'survey_version',
  'campaign_id',
  'client_id',
  'contact_id',
  'frontline_employee_id',
  'entity_type',
  'entity_ref',
  'channel',
  'request_type',
  'language',
  'nps_score',
  'nps_category',
  'rating_score',
] as const;

interface ExportRow {
  id: string;
  submittedAt: string;
  localDate: string;
  surveyId: string;
  surveyVersion: number;
  campaignId: string | null;
  clientId: string | null;
  contactId: string | null;
  frontlineEmployeeId: string | null;
  entityType: string | null;
  entityRef: string | null;
  channel: string | null;
  requestType: string | null;
  language: string;
  npsScore: number | null;
  ratingScore: number | null;
  recordFields: Record<string, unknown> | string;
  answers: Record<string, unknown> | string;
}

const asObject = (value: Record<string, unknown> | string | null): Record<string, unknown> =>
  typeof value === 'string' ? (JSON.parse(value) as Record<string, unknown>) : value ?? {};

export async function* exportResponsesCsv(
  db: Database,
  filter: AnalyticsFilter,
  range: DateRange | undefined,
  timeZone: string,
  dialect?: CsvDialect,
): AsyncGenerator<string> {
  const conditions = responseConditions(filter, range, timeZone);
  const where = conditions.length ? sql.join(conditions, sql` and `) : sql`true`;
  const keys = rowsOf<{ kind: 'field' | 'answer'; name: string }>(
    await db.execute(sql`
      select distinct 'field' as kind, jsonb_object_keys(r.record_fields) as name from responses r where ${where}
      union
      select distinct 'answer' as kind, jsonb_object_keys(r.answers) as name from responses r where ${where}
      order by 1 desc, 2`),
  );
  const fields = keys.filter((key) => key.kind === 'field').map((key) => key.name);
  const answers = keys.filter((key) => key.kind === 'answer').map((key) => key.name);
  yield csvStart(dialect) + csvLine([...FIXED_COLUMNS, ...fields.map((name) => `field:${name}`), ...answers.map((name) => `answer:${name}`)], dialect);

  let after: { submittedAt: string; id: string } | undefined;
  for (;;) {
    const page = rowsOf<ExportRow>(
      await db.execute(sql`
        select r.id::text as id,
               to_char(r.submitted_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "submittedAt",
               (r.submitted_at at time zone ${timeZone})::date::text as "localDate",
               r.survey_id::text as "surveyId", r.survey_version as "surveyVersion",
               r.campaign_id::text as "campaignId", r.client_id::text as "clientId", r.contact_id::text as "contactId",
               r.frontline_employee_id::text as "frontlineEmployeeId", r.entity_type::text as "entityType",
               r.entity_ref as "entityRef", r.channel, r.request_type as "requestType", r.language,
               r.nps_score::int as "npsScore", r.rating_score as "ratingScore",
               r.record_fields as "recordFields", r.answers
        from responses r
        where ${where}
          ${after ? sql`and (r.submitted_at, r.id) > (${after.submittedAt}::timestamptz, ${after.id}::uuid)` : sql``}
        order by r.submitted_at, r.id
        limit ${PAGE}`),
    );
    let chunk = '';
    for (const row of page) {
      const recordFields = asObject(row.recordFields);
      const answerValues = asObject(row.answers);
      chunk += csvLine([
        row.id,
        row.submittedAt,
        row.localDate,
        row.surveyId,
        row.surveyVersion,
        row.campaignId,
        row.clientId,
        row.contactId,
        row.frontlineEmployeeId,
        row.entityType,
        row.entityRef,
        row.channel,
        row.requestType,
        row.language,
        row.npsScore,
        row.npsScore === null ? null : classifyNps(row.npsScore),
        row.ratingScore,
        ...fields.map((name) => recordFields[name]),
        ...answers.map((name) => answerValues[name]),
      ], dialect);
    }
    if (chunk) yield chunk;
    if (page.length < PAGE) return;
    const last = page.at(-1)!;
    after = { submittedAt: last.submittedAt, id: last.id };
  }
}
