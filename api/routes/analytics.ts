import { Readable } from 'node:stream';
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Static } from 'typebox';
import {
  AnalyticsInputError,
  assertAvailableForAnonymous,
  breakdownCsv,
  breakdownReport,
  exportResponsesCsv,
  followUpTaskReport,
  followUpTasksCsv,
  getSettings,
  kpiCsv,
  kpiReport,
  resolveRange,
  trendCsv,
  trendReport,
  updateSettings,
  waveReport,
  wavesCsv,
  type AnalyticsFilter,
} from '../../analytics';
import { csvDialect, sendCsv, withDialect } from '../csv-reply';
import { ApiError, badRequest, conflict } from '../errors';
import { errorResponses, CsvBody } from '../schemas/common';
import {
  Breakdown,
  DimensionName,
  FilterQuery,
  Kpi,
  PeriodUnit,
  RangeQuery,
  Settings,
  SettingsPatch,
  SettingsUpdated,
  TaskLoad,
  TaskLoadQuery,
  Trend,
  WaveSegment,
  Waves,
} from '../schemas/analytics';
import { canonicalTimeZone } from '../../domain/time-zones';

/** Analytics errors as API errors; anything else goes to the error handler as it is. */
function asApiError(error: unknown): never {
  if (error instanceof AnalyticsInputError) {
    if (error.kind === 'not_found') throw new ApiError(404, 'NOT_FOUND', error.message);
    if (error.kind === 'conflict') throw conflict(error.message);
    if (error.kind === 'anonymous') throw new ApiError(409, 'NOT_AVAILABLE_FOR_ANONYMOUS_SURVEY', error.message);
    throw badRequest(error.message);
  }
  throw error;
}

const report = <T>(work: () => Promise<T>): Promise<T> => work().catch(asApiError);

const filterOf = (query: AnalyticsFilter): AnalyticsFilter => ({
  surveyId: query.surveyId,
  campaignId: query.campaignId,
  channel: query.channel,
  requestType: query.requestType,
  clientId: query.clientId,
  employeeId: query.employeeId,
});

const KpiQuery = Type.Object({ ...FilterQuery, ...RangeQuery }, { additionalProperties: false });
const TrendQuery = Type.Object(
  {
    ...FilterQuery,
    unit: Type.Optional(PeriodUnit),
    date: RangeQuery.date,
    count: Type.Optional(Type.Integer({ minimum: 2, maximum: 60, default: 12 })),
  },
  { additionalProperties: false },
);
const BreakdownQuery = Type.Object(
  { ...FilterQuery, ...RangeQuery, by: DimensionName, limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000, default: 500 })) },
  { additionalProperties: false },
);
const WavesQuery = Type.Object(
  {
    campaignId: Type.String({ format: 'uuid' }),
    previousCampaignId: Type.Optional(Type.String({ format: 'uuid', description: 'default: the campaign\'s previousCampaignId' })),
    segment: Type.Optional(WaveSegment),
  },
  { additionalProperties: false },
);
const ExportQuery = Type.Object(
  {
    ...FilterQuery,
    from: RangeQuery.from,
    to: RangeQuery.to,
  },
  { additionalProperties: false },
);

/**
 * NPS, satisfaction and response-rate reports for the dashboard, read from the daily rollups.
 * Every report is JSON at its path and CSV at the same path with `.csv`.
 */
export const analyticsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['analytics'];
  const security = [{ bearer: [] }];
  const csvResponse = { 200: CsvBody, ...errorResponses };

  app.get('/settings', { schema: { tags, security, response: { 200: Settings, ...errorResponses } } }, async () => getSettings(app.db));

  app.put(
    '/settings',
    {
      schema: {
        tags,
        security,
        description: 'Changing the time zone re-cuts every rollup day (a rebuild, in the same transaction).',
        body: SettingsPatch,
        response: { 200: SettingsUpdated, ...errorResponses },
      },
    },
    async (request) => {
      const { timeZone, minSample } = request.body;
      const zone = timeZone === undefined ? undefined : canonicalTimeZone(timeZone);
      if (timeZone !== undefined && !zone) throw badRequest(`timeZone "${timeZone}" is not an IANA time zone`);
      return updateSettings(app.db, { timeZone: zone, minSample });
    },
  );

  /** A report, unless it would split an anonymous survey's answers by campaign, client or employee. */
  const anonymityChecked = <T>(filter: AnalyticsFilter, by: Parameters<typeof assertAvailableForAnonymous>[2], work: () => Promise<T>) =>
    report(async () => {
      await assertAvailableForAnonymous(app.db, filter, by);
      return work();
    });

  const kpi = (query: Static<typeof KpiQuery>) => anonymityChecked(filterOf(query), undefined, () => kpiReport(app.db, filterOf(query), query));
  app.get('/kpi', { schema: { tags, security, querystring: KpiQuery, response: { 200: Kpi, ...errorResponses } } }, async (request) =>
    kpi(request.query),
  );
  app.get('/kpi.csv', { schema: { tags, security, querystring: withDialect(KpiQuery), response: csvResponse } }, async (request, reply) =>
    sendCsv(reply, 'kpi', kpiCsv(await kpi(request.query), csvDialect(request.query.dialect))),
  );

  const trend = (query: Static<typeof TrendQuery>) =>
    anonymityChecked(filterOf(query), undefined, () =>
      trendReport(app.db, filterOf(query), { unit: query.unit, date: query.date, count: query.count }),
    );
  app.get('/trend', { schema: { tags, security, querystring: TrendQuery, response: { 200: Trend, ...errorResponses } } }, async (request) =>
    trend(request.query),
  );
  app.get('/trend.csv', { schema: { tags, security, querystring: withDialect(TrendQuery), response: csvResponse } }, async (request, reply) =>
    sendCsv(reply, 'trend', trendCsv(await trend(request.query), csvDialect(request.query.dialect))),
  );

  const breakdown = (query: Static<typeof BreakdownQuery>) =>
    anonymityChecked(filterOf(query), query.by, () => breakdownReport(app.db, filterOf(query), query.by, query));
  app.get(
    '/breakdown',
    { schema: { tags, security, querystring: BreakdownQuery, response: { 200: Breakdown, ...errorResponses } } },
    async (request) => breakdown(request.query),
  );
  app.get('/breakdown.csv', { schema: { tags, security, querystring: withDialect(BreakdownQuery), response: csvResponse } }, async (request, reply) =>
    sendCsv(reply, `breakdown-${request.query.by}`, breakdownCsv(await breakdown(request.query), csvDialect(request.query.dialect))),
  );

  const waves = (query: Static<typeof WavesQuery>) =>
    report(() => waveReport(app.db, query.campaignId, { previousCampaignId: query.previousCampaignId, segment: query.segment }));
  app.get('/waves', { schema: { tags, security, querystring: WavesQuery, response: { 200: Waves, ...errorResponses } } }, async (request) =>
    waves(request.query),
  );
  app.get('/waves.csv', { schema: { tags, security, querystring: withDialect(WavesQuery), response: csvResponse } }, async (request, reply) =>
    sendCsv(reply, 'waves', wavesCsv(await waves(request.query), csvDialect(request.query.dialect))),
  );

  const loopDescription =
    'Follow-up tasks per employee, campaign and month: open, overdue, escalated; time to first action and to close (median, p90, hours); share closed by the end of the due day';
  app.get(
    '/follow-up-tasks',
    { schema: { tags, security, description: loopDescription, querystring: TaskLoadQuery, response: { 200: TaskLoad, ...errorResponses } } },
    async (request) => followUpTaskReport(app.db, request.query),
  );
  app.get(
    '/follow-up-tasks.csv',
    { schema: { tags, security, description: loopDescription, querystring: withDialect(TaskLoadQuery), response: csvResponse } },
    async (request, reply) => sendCsv(reply, 'follow-up-tasks', followUpTasksCsv(await followUpTaskReport(app.db, request.query), csvDialect(request.query.dialect))),
  );

  app.get(
    '/responses/export.csv',
    {
      schema: {
        tags,
        security,
        description: 'Every matching response, one line each, with record fields and answers flattened into columns.',
        querystring: withDialect(ExportQuery),
        response: csvResponse,
      },
    },
    async (request, reply) => {
      const { from, to } = request.query;
      await report(() => assertAvailableForAnonymous(app.db, filterOf(request.query)));
      const { timeZone } = await getSettings(app.db);
      const range = from || to ? await report(async () => resolveRange({ from, to }, timeZone)) : undefined;
      return sendCsv(reply, 'responses', Readable.from(exportResponsesCsv(app.db, filterOf(request.query), range, timeZone, csvDialect(request.query.dialect))));
    },
  );
};
