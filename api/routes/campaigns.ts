import { and, asc, count, eq, type SQL } from 'drizzle-orm';
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { closeCampaign, pauseCampaign, resumeCampaign, startCampaignLaunch, type LifecycleResult } from '../../campaigns';
import { memberFilterCondition, type MemberFilter } from '../../campaigns/member-filter';
import { tables, type Database } from '../../db';
import { resolveCampaignSettings, type CampaignSettings } from '../../domain/campaign-settings';
import { canonicalTimeZone } from '../../domain/time-zones';
import { requestOperation } from '../../operations';
import { MEMBER_SETTINGS, type ChangeSettingsInput } from '../../workflows/definitions';
import { invalidSendWindowHours } from '../../domain/setting-limits';
import { deliverInBackground } from '../../signals/deliver-in-background';
import { ApiError, badRequest, conflict, FOREIGN_KEY_VIOLATION, notFound, sqlState } from '../errors';
import { afterCursor, pageOf } from '../pagination';
import { Campaign, CampaignInput, CampaignListQuery, CampaignPatch, SettingsChange } from '../schemas/campaigns';
import { IdParams, Page, errorResponses } from '../schemas/common';
import type { TemporalHandle } from '../app';

const { campaigns, campaignMembers, surveys } = tables;
type CampaignRow = typeof campaigns.$inferSelect;

const toCampaign = (row: CampaignRow, memberCounts?: Record<string, number>) => ({
  ...row,
  // Settings added since the campaign was stored show their defaults.
  settings: resolveCampaignSettings(row.settings),
  launchedAt: row.launchedAt?.toISOString() ?? null,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
  ...(memberCounts ? { memberCounts } : {}),
});

export async function loadCampaign(db: Database, id: string): Promise<CampaignRow> {
  const [row] = await db.select().from(campaigns).where(eq(campaigns.id, id));
  if (!row) throw notFound('campaign');
  return row;
}

export async function memberCounts(db: Database, campaignId: string, filter: MemberFilter = {}): Promise<Record<string, number>> {
  const rows = await db
    .select({ status: campaignMembers.status, n: count() })
    .from(campaignMembers)
    .where(and(eq(campaignMembers.campaignId, campaignId), memberFilterCondition(filter)))
    .groupBy(campaignMembers.status);
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

export function requireTemporal(temporal: TemporalHandle | undefined): TemporalHandle {
  if (!temporal) throw new ApiError(503, 'TEMPORAL_UNAVAILABLE', 'Temporal is not reachable; try again shortly');
  return temporal;
}

function referenceError(error: unknown): never {
  if (sqlState(error) === FOREIGN_KEY_VIOLATION) {
    throw badRequest('surveyId, ownerEmployeeId or previousCampaignId refers to something that does not exist');
  }
  throw error;
}

/** A setting as comparable text: object keys sorted (jsonb gives the send window's keys back in its own order). */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v,
  );

/** What of a settings change a running member takes. */
function runningChange(before: CampaignSettings, after: CampaignSettings): ChangeSettingsInput | null {
  const change: Record<string, unknown> = {};
  for (const key of MEMBER_SETTINGS) {
    if (canonical(before[key]) !== canonical(after[key])) change[key] = after[key];
  }
  return Object.keys(change).length ? (change as ChangeSettingsInput) : null;
}

/** A 400 that names the field, as schema validation errors do (the admin form shows it there). */
const settingError = (path: string, keyword: string, message: string) =>
  badRequest(`${path.slice(1).replace(/\//g, '.')}: ${message}`, [{ instancePath: path, keyword, message }]);

/** Settings with their default time zone in its canonical IANA spelling; an unknown zone is a 400. */
function withKnownZone<T extends { defaultTimeZone?: string } | undefined>(settings: T, at = '/settings'): T {
  if (!settings?.defaultTimeZone) return settings;
  const zone = canonicalTimeZone(settings.defaultTimeZone.trim());
  if (!zone) throw settingError(`${at}/defaultTimeZone`, 'timeZone', `${settings.defaultTimeZone} is not a known IANA time zone`);
  return { ...settings, defaultTimeZone: zone };
}

/** The checks the schema cannot make, on the settings as they would be stored. */
function checkResolved(settings: CampaignSettings, at = '/settings'): CampaignSettings {
  const problem = invalidSendWindowHours(settings.sendWindow);
  if (problem) throw settingError(`${at}/sendWindow/endHour`, 'endAfterStart', problem);
  return settings;
}

/** Campaigns: create, read, update, list, launch, change settings of running members. */
export const campaignRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['campaigns'];
  const security = [{ bearer: [] }];

  app.post(
    '/',
    { schema: { tags, security, body: CampaignInput, response: { 201: Campaign, ...errorResponses } } },
    async (request, reply) => {
      const { settings: given, ...body } = request.body;
      const settings = withKnownZone(given);
      // A campaign mails in its survey's language unless told otherwise.
      const [survey] = await app.db.select({ defaultLanguage: surveys.defaultLanguage }).from(surveys).where(eq(surveys.id, body.surveyId));
      const defaultLanguage = settings?.defaultLanguage ?? survey?.defaultLanguage;
      const [row] = await app.db
        .insert(campaigns)
        .values({ ...body, settings: checkResolved(resolveCampaignSettings({ ...settings, ...(defaultLanguage ? { defaultLanguage } : {}) })) })
        .returning()
        .catch(referenceError);
      return reply.status(201).send(toCampaign(row!));
    },
  );

  app.get(
    '/:id',
    { schema: { tags, security, params: IdParams, response: { 200: Campaign, ...errorResponses } } },
    async (request) => {
      const row = await loadCampaign(app.db, request.params.id);
      return toCampaign(row, await memberCounts(app.db, row.id));
    },
  );

  app.get(
    '/',
    { schema: { tags, security, querystring: CampaignListQuery, response: { 200: Page(Campaign), ...errorResponses } } },
    async (request) => {
      const { limit = 50, cursor, surveyId, mode, status } = request.query;
      const after = afterCursor(campaigns.createdAt, campaigns.id, cursor);
      const filters: (SQL | undefined)[] = [
        surveyId ? eq(campaigns.surveyId, surveyId) : undefined,
        mode ? eq(campaigns.mode, mode) : undefined,
        status ? eq(campaigns.status, status) : undefined,
        after,
      ];
      const rows = await app.db
        .select()
        .from(campaigns)
        .where(and(...filters))
        .orderBy(asc(campaigns.createdAt), asc(campaigns.id))
        .limit(limit + 1);
      const page = pageOf(rows, limit);
      return { items: page.items.map((r) => toCampaign(r)), nextCursor: page.nextCursor };
    },
  );

  /**
   * Stores new settings; a change that matters to running members (MEMBER_SETTINGS: send slot,
   * language, template set, reminders, expiry, follow-up due days) reaches them through a
   * change_settings operation, requested in the same transaction.
   */
  async function changeSettings(current: CampaignRow, set: Partial<typeof campaigns.$inferInsert>, nextSettings: CampaignSettings) {
    const change = runningChange(current.settings, nextSettings);
    return app.db.transaction(async (tx) => {
      const [row] = await tx.update(campaigns).set({ ...set, settings: nextSettings }).where(eq(campaigns.id, current.id)).returning();
      const operation = change && current.launchedAt ? await requestOperation(tx, { kind: 'change_settings', campaignId: current.id, params: { ...change } }) : undefined;
      return { row: row!, operation };
    });
  }

  app.patch(
    '/:id',
    {
      schema: {
        tags,
        security,
        description: 'Changes a campaign. Settings that matter to running members reach them through an operation (operationId); send window, time zone and stagger reach only members not yet invited.',
        params: IdParams,
        body: CampaignPatch,
        response: { 200: Type.Intersect([Campaign, Type.Object({ operationId: Type.Optional(Type.String()) })]), ...errorResponses },
      },
    },
    async (request) => {
      const current = await loadCampaign(app.db, request.params.id);
      const { settings: given, ...rest } = request.body;
      const settings = withKnownZone(given);
      const nextSettings = settings ? checkResolved(resolveCampaignSettings({ ...current.settings, ...settings })) : current.settings;
      const { row, operation } = await changeSettings(current, rest, nextSettings).catch(referenceError);
      deliverInBackground(app.db, app.temporal, request.log, operation?.owed);
      return { ...toCampaign(row), ...(operation ? { operationId: operation.operationId } : {}) };
    },
  );

  const Accepted = Type.Object({ operationId: Type.Union([Type.String(), Type.Null()]), status: Type.String() });

  app.post(
    '/:id/change-settings',
    {
      schema: {
        tags,
        security,
        description: 'New settings for the campaign and, through an operation, every running member (Temporal update)',
        params: IdParams,
        body: SettingsChange,
        response: { 202: Accepted, ...errorResponses },
      },
    },
    async (request, reply) => {
      const current = await loadCampaign(app.db, request.params.id);
      const nextSettings = checkResolved(resolveCampaignSettings({ ...current.settings, ...withKnownZone(request.body, '') }), '');
      const { row, operation } = await changeSettings(current, {}, nextSettings);
      deliverInBackground(app.db, app.temporal, request.log, operation?.owed);
      return reply.status(202).send({ operationId: operation?.operationId ?? null, status: row.status });
    },
  );

  const lifecycle: [string, string, (tx: Parameters<typeof pauseCampaign>[0], id: string) => Promise<LifecycleResult>][] = [
    ['pause', 'Pauses the campaign: running members send nothing and keep their place (202 + operation)', pauseCampaign],
    ['resume', 'Resumes a paused campaign: members go on; reminders due meanwhile go out in the next send window', resumeCampaign],
    ['close', 'Closes the campaign: every member that has not finished ends as Campaign_Closed', closeCampaign],
  ];
  for (const [action, description, run] of lifecycle) {
    app.post(
      `/:id/${action}`,
      { schema: { tags, security, description, params: IdParams, response: { 202: Accepted, ...errorResponses } } },
      async (request, reply) => {
        const campaign = await loadCampaign(app.db, request.params.id);
        const result = await app.db.transaction((tx) => run(tx, campaign.id));
        if (!result.changed) throw conflict(`a ${result.status} campaign cannot be ${action === 'pause' ? 'paused' : action === 'resume' ? 'resumed' : 'closed'}`);
        deliverInBackground(app.db, app.temporal, request.log, result.owed);
        return reply.status(202).send({ operationId: result.operationId, status: result.status });
      },
    );
  }

  const LaunchStatus = Type.Object({
    campaignId: Type.String(),
    status: Type.String(),
    total: Type.Integer(),
    started: Type.Integer(),
    workflowId: Type.String(),
  });

  async function launchStatus(campaignId: string) {
    const row = await loadCampaign(app.db, campaignId);
    const [counts] = await app.db
      .select({ total: count(), started: count(campaignMembers.workflowStartedAt) })
      .from(campaignMembers)
      .where(eq(campaignMembers.campaignId, campaignId));
    return { campaignId, status: row.status, total: counts?.total ?? 0, started: counts?.started ?? 0, workflowId: `launch-${campaignId}` };
  }

  app.post(
    '/:id/launch',
    {
      schema: {
        tags,
        security,
        description: 'Starts (or joins) the launch workflow; harmless to call twice',
        params: IdParams,
        response: { 202: LaunchStatus, ...errorResponses },
      },
    },
    async (request, reply) => {
      const campaign = await loadCampaign(app.db, request.params.id);
      if (campaign.status === 'closed') throw conflict('the campaign is closed');
      const [survey] = await app.db.select({ status: surveys.status }).from(surveys).where(eq(surveys.id, campaign.surveyId));
      if (survey?.status !== 'active') throw conflict('the campaign\'s survey must be active before launch');
      const temporal = requireTemporal(app.temporal);
      await startCampaignLaunch(temporal.client, { campaignId: campaign.id }, { taskQueue: temporal.taskQueue });
      return reply.status(202).send(await launchStatus(campaign.id));
    },
  );

  app.get(
    '/:id/launch',
    { schema: { tags, security, description: 'Launch progress: members started / total', params: IdParams, response: { 200: LaunchStatus, ...errorResponses } } },
    async (request) => launchStatus(request.params.id),
  );
};
