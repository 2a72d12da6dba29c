import { eq, inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { startCampaignLaunch } from '../../campaigns';
import { tables } from '../../db';
import type { campaignLaunch, campaignMember } from '../../workflows';
import { launchWorkflowId, memberWorkflowId, rejectedSignal } from '../../workflows/definitions';
import { CampaignIdAttribute, MemberStatusAttribute } from '../../workflows/search-attributes';
import { addCampaign, addMember } from '../support/campaign-fixtures';
import { useWorkflowTestbed } from '../support/temporal';
import { waitForStatus } from './helpers';

const testbed = useWorkflowTestbed();

const db = () => testbed.database.db;

async function invitationCount(memberIds: string[]): Promise<Map<string, number>> {
  const rows = await db()
    .select({ memberId: tables.invitations.memberId })
    .from(tables.invitations)
    .where(inArray(tables.invitations.memberId, memberIds));
  const counts = new Map<string, number>();
  for (const row of rows) counts.set(row.memberId!, (counts.get(row.memberId!) ?? 0) + 1);
  return counts;
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('campaignLaunch', () => {
  it('starts every member once, page by page, and launching again is harmless', async () => {
    const campaign = await addCampaign(db(), { reminders: 0, expiryDays: 30 });
    const members = [];
    for (let i = 0; i < 7; i++) members.push(await addMember(db(), campaign));
    // Rejected by an administrator before the launch: never started.
    const rejected = await addMember(db(), campaign);
    await db().update(tables.campaignMembers).set({ status: 'Rejected' }).where(eq(tables.campaignMembers.id, rejected.memberId));
    const memberIds = members.map((m) => m.memberId);

    // Two launches at once join the same run.
    const [first, second] = await Promise.all([
      startCampaignLaunch(testbed.client, { campaignId: campaign.campaignId, pageSize: 3 }, { taskQueue: testbed.worker.taskQueue }),
      startCampaignLaunch(testbed.client, { campaignId: campaign.campaignId, pageSize: 3 }, { taskQueue: testbed.worker.taskQueue }),
    ]);
    expect(second.runId).toBe(first.runId);
    expect(first.workflowId).toBe(launchWorkflowId(campaign.campaignId));

    const launch = testbed.client.workflow.getHandle<typeof campaignLaunch>(first.workflowId);
    const result = await launch.result();
    expect(result).toEqual({ campaignId: campaign.campaignId, started: 7, total: 8, done: true });
    // Pages of 3, 3 and 1 members: two continue-as-new hops.
    const lastRun = await launch.describe();
    expect(lastRun.runId).not.toBe(first.runId);
    expect(lastRun.typedSearchAttributes.get(CampaignIdAttribute)).toBe(campaign.campaignId);
    const [row] = await db().select().from(tables.campaigns).where(eq(tables.campaigns.id, campaign.campaignId));
    expect(row).toMatchObject({ status: 'active' });
    expect(row!.launchedAt).not.toBeNull();
    const started = await db().select().from(tables.campaignMembers).where(eq(tables.campaignMembers.campaignId, campaign.campaignId));
    expect(started.filter((m) => m.workflowStartedAt !== null).map((m) => m.id).sort()).toEqual([...memberIds].sort());

    await waitUntil(async () => (await invitationCount(memberIds)).size === 7);
    const runIds = new Map<string, string>();
    for (const id of memberIds) {
      const description = await testbed.client.workflow.getHandle(memberWorkflowId(id)).describe();
      runIds.set(id, description.runId);
      expect(description.typedSearchAttributes.get(CampaignIdAttribute)).toBe(campaign.campaignId);
    }
    await expect(testbed.client.workflow.getHandle(memberWorkflowId(rejected.memberId)).describe()).rejects.toThrow();

    // One member finishes; then the campaign is launched again, and once more with a new member.
    const finished = testbed.client.workflow.getHandle<typeof campaignMember>(memberWorkflowId(memberIds[0]!));
    await finished.signal(rejectedSignal);
    expect((await finished.result()).status).toBe('Rejected');

    const again = await startCampaignLaunch(testbed.client, { campaignId: campaign.campaignId, pageSize: 3 }, { taskQueue: testbed.worker.taskQueue });
    expect(again.runId).not.toBe(first.runId);
    expect(await testbed.client.workflow.getHandle<typeof campaignLaunch>(again.workflowId).result()).toMatchObject({ started: 0, total: 8 });

    const late = await addMember(db(), campaign);
    await startCampaignLaunch(testbed.client, { campaignId: campaign.campaignId, pageSize: 3 }, { taskQueue: testbed.worker.taskQueue });
    expect(await testbed.client.workflow.getHandle<typeof campaignLaunch>(again.workflowId).result()).toMatchObject({ started: 1, total: 9 });
    await waitForStatus(testbed.client.workflow.getHandle(memberWorkflowId(late.memberId)), 'Survey_Not_Started');

    for (const id of memberIds) {
      const description = await testbed.client.workflow.getHandle(memberWorkflowId(id)).describe();
      expect(description.runId).toBe(runIds.get(id));
    }
    const counts = await invitationCount([...memberIds, late.memberId]);
    expect([...counts.values()]).toEqual(Array(8).fill(1));
    const [finishedMember] = await db().select().from(tables.campaignMembers).where(eq(tables.campaignMembers.id, memberIds[0]!));
    expect(finishedMember!.status).toBe('Rejected');
    expect((await finished.describe()).typedSearchAttributes.get(MemberStatusAttribute)).toBe('Rejected');
  });
});
