import { and, asc, count, eq, inArray, isNotNull, type SQL } from 'drizzle-orm';
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { startCampaignLaunch } from '../../campaigns';
import { tables, type Database } from '../../db';
import { resolveCampaignSettings, type CampaignSettings } from '../../domain/campaign-settings';
import { changeSettingsUpdate, memberWorkflowId, type ChangeSettingsInput } from '../../workflows/definitions';
import { eachWithConcurrency } from '../campaign-members';
import { ApiError, badRequest, conflict, FOREIGN_KEY_VIOLATION, notFound, sqlState } from '../errors';
import { afterCursor, pageOf } from '../pagination';
import { Campaign, CampaignInput, CampaignListQuery, CampaignPatch, SettingsChange } from '../schemas/campaigns';
import { IdParams, Page, errorResponses } from '../schemas/common';
import type { TemporalHandle } from '../app';

const { campaigns, campaignMembers, surveys } = tables;
type CampaignRow = typeof campaigns.$inferSelect;

const toCampaign = (row: CampaignRow, memberCounts?: Record<string, number>) => ({
  ...row,
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

export async function memberCounts(db: Database, campaignId: string): Promise<Record<string, number>> {
  const rows = await db
    .select({ status: campaignMembers.status, n: count() })
    .from(campaignMembers)
    .where(eq(campaignMembers.campaignId, campaignId))
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

/** Statuses whose workflow is still waiting for something a settings change affects. */
const LIVE_STATUSES = ['Awaiting_Send', 'Survey_Not_Started', 'Survey_Started'] as const;

/**
 * The seed's "Change Campaign": new expiry or reminder settings go to every live member
 * workflow through the `changeSettings` update (validated by the workflow before it is
 * recorded). Members that finished meanwhile are counted as skipped.
 */
async function propagateSettings(db: Database, temporal: TemporalHandle, campaignId: string, change: ChangeSettingsInput) {
  const live = await db
    .select({ id: campaignMembers.id })
    .from(campaignMembers)
    .where(
      and(
        eq(campaignMembers.campaignId, campaignId),
        inArray(campaignMembers.status, [...LIVE_STATUSES]),
        isNotNull(campaignMembers.workflowStartedAt),
      ),
    );
  let updated = 0;
  let skipped = 0;
  await eachWithConcurrency(live, 16, async ({ id }) => {
    try {
      await temporal.client.workflow.getHandle(memberWorkflowId(id)).executeUpdate(changeSettingsUpdate, { args: [change] });
      updated += 1;
    } catch {
      skipped += 1;
    }
  });
  return { liveMembers: live.length, updated, skipped };
}

const changeKeys = ['expiryDays', 'reminders', 'reminderIntervalDays'] as const;
function runningChange(before: CampaignSettings, after: CampaignSettings): ChangeSettingsInput | null {
  const change: ChangeSettingsInput = {};
  for (const key of changeKeys) if (before[key] !== after[key]) change[key] = after[key];
  return Object.keys(change).length ? change : null;
}

/** Campaigns: create, read, update, list, launch, change settings of running members. */
export const campaignRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('onRequest', app.requireAdmin);
  const tags = ['campaigns'];
  const security = [{ bearer: [] }];
  const Propagation = Type.Object({ liveMembers: Type.Integer(), updated: Type.Integer(), skipped: Type.Integer() });

  app.post(
    '/',
    { schema: { tags, security, body: CampaignInput, response: { 201: Campaign, ...errorResponses } } },
    async (request, reply) => {
      const { settings, ...body } = request.body;
      const [row] = await app.db
        .insert(campaigns)
        .values({ ...body, settings: resolveCampaignSettings(settings) })
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

  app.patch(
    '/:id',
    {
      schema: {
        tags,
        security,
        params: IdParams,
        body: CampaignPatch,
        response: { 200: Type.Intersect([Campaign, Type.Object({ propagation: Type.Optional(Propagation) })]), ...errorResponses },
      },
    },
    async (request) => {
      const current = await loadCampaign(app.db, request.params.id);
      const { settings, ...rest } = request.body;
      const nextSettings = settings ? resolveCampaignSettings({ ...current.settings, ...settings }) : current.settings;
      const [row] = await app.db
        .update(campaigns)
        .set({ ...rest, settings: nextSettings })
        .where(eq(campaigns.id, current.id))
        .returning()
        .catch(referenceError);
      const change = runningChange(current.settings, nextSettings);
      const propagation = change && current.launchedAt ? await propagateSettings(app.db, requireTemporal(app.temporal), current.id, change) : undefined;
      return { ...toCampaign(row!), ...(propagation ? { propagation } : {}) };
    },
  );

  app.post(
    '/:id/change-settings',
    {
      schema: {
        tags,
        security,
        description: 'New expiry / reminder settings for the campaign and every live member workflow (Temporal update)',
        params: IdParams,
        body: SettingsChange,
        response: { 200: Propagation, ...errorResponses },
      },
    },
    async (request) => {
      const current = await loadCampaign(app.db, request.params.id);
      const nextSettings = resolveCampaignSettings({ ...current.settings, ...request.body });
      await app.db.update(campaigns).set({ settings: nextSettings }).where(eq(campaigns.id, current.id));
      if (!current.launchedAt) return { liveMembers: 0, updated: 0, skipped: 0 };
      return propagateSettings(app.db, requireTemporal(app.temporal), current.id, request.body);
    },
  );

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
