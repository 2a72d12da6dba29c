import type { Client } from '@temporalio/client';
import { and, eq } from 'drizzle-orm';
import { tables, type Database } from '../db';
import { startMemberWorkflow, type StartedMember } from './start-member';

/**
 * Takes a rejected member back into its campaign (the seed's reinclusion): its status returns to
 * New and a fresh lifecycle starts under the same workflow id. Returns null when the member is
 * not rejected (nothing to reinclude).
 */
export async function reincludeMember(
  db: Database,
  client: Client,
  memberId: string,
  options: { taskQueue: string },
): Promise<StartedMember | null> {
  const [member] = await db
    .update(tables.campaignMembers)
    .set({ status: 'New', remindersSent: 0, scheduledSendAt: null })
    .where(and(eq(tables.campaignMembers.id, memberId), eq(tables.campaignMembers.status, 'Rejected')))
    .returning();
  if (!member) return null;
  return startMemberWorkflow(
    client,
    { memberId: member.id, campaignId: member.campaignId, contactId: member.contactId },
    { taskQueue: options.taskQueue, restart: true },
  );
}
