import { tables, type Database, type Transaction } from '../db';
import type { MemberStatus } from '../domain/member-status';

/**
 * Records one status change in the member's history, in the caller's transaction (the one that
 * writes the status). The same change written twice (a retried activity) is kept once.
 */
export async function recordStatusChange(tx: Transaction | Database, memberId: string, status: MemberStatus, at: Date): Promise<void> {
  await tx.insert(tables.campaignMemberStatusChanges).values({ memberId, status, at }).onConflictDoNothing();
}
