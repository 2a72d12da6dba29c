import type { WorkflowHandle } from '@temporalio/client';
import { asc, eq } from 'drizzle-orm';
import { tables, type Database } from '../../db';
import type { MemberStatus } from '../../domain/member-status';
import { memberStateQuery, type MemberState } from '../../workflows/definitions';

export const DAY = 86_400_000;

/** Polls the member's query until `accept` holds (real time; the test server's clock stays put). */
export async function waitForState(
  handle: WorkflowHandle,
  accept: (state: MemberState) => boolean,
  timeoutMs = 15_000,
): Promise<MemberState> {
  const deadline = Date.now() + timeoutMs;
  let last: MemberState | undefined;
  while (Date.now() < deadline) {
    try {
      last = await handle.query(memberStateQuery);
      if (accept(last)) return last;
    } catch {
      // not started yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`member never reached the expected state; last: ${JSON.stringify(last)}`);
}

export const waitForStatus = (handle: WorkflowHandle, status: MemberStatus) => waitForState(handle, (s) => s.status === status);

export async function outboxOf(db: Database, memberId: string) {
  return db.select().from(tables.emailOutbox).where(eq(tables.emailOutbox.memberId, memberId)).orderBy(asc(tables.emailOutbox.sentAt), asc(tables.emailOutbox.createdAt));
}

export async function invitationsOf(db: Database, memberId: string) {
  return db.select().from(tables.invitations).where(eq(tables.invitations.memberId, memberId));
}

export async function memberRow(db: Database, memberId: string) {
  const [row] = await db.select().from(tables.campaignMembers).where(eq(tables.campaignMembers.id, memberId));
  return row!;
}

export async function contactRow(db: Database, contactId: string) {
  const [row] = await db.select().from(tables.contacts).where(eq(tables.contacts.id, contactId));
  return row!;
}
