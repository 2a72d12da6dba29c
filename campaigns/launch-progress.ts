import { count, eq } from 'drizzle-orm';
import { tables, type Database } from '../db';

export interface CampaignLaunchProgress {
  status: (typeof tables.campaignStatus.enumValues)[number];
  launchedAt: Date | null;
  /** Members in the campaign. */
  total: number;
  /** Members whose workflow the launch has started (`workflow_started_at` set). */
  started: number;
}

/** Launch progress as PostgreSQL records it, for the API; null when the campaign does not exist. */
export async function readLaunchProgress(db: Database, campaignId: string): Promise<CampaignLaunchProgress | null> {
  const [campaign] = await db
    .select({ status: tables.campaigns.status, launchedAt: tables.campaigns.launchedAt })
    .from(tables.campaigns)
    .where(eq(tables.campaigns.id, campaignId));
  if (!campaign) return null;
  const members = tables.campaignMembers;
  const [counts] = await db
    .select({ total: count(), started: count(members.workflowStartedAt) })
    .from(members)
    .where(eq(members.campaignId, campaignId));
  return { ...campaign, total: counts?.total ?? 0, started: counts?.started ?? 0 };
}
