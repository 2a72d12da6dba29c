import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { tables, type Database } from '../db';
import type { MemberStatus } from '../domain/member-status';
import { memberWorkflowId, rejectedSignal, rejectUpdate } from '../workflows/definitions';
import { startMemberWorkflow } from './start-member';
import { recordStatusChange } from './status-history';

/*
 * An administrator's commands on one member. Before its workflow starts a member is plain data
 * (its status is set here); once started, only its workflow changes its status, and the command
 * reaches it as an update whose answer (done, or refused because the member finished) the caller
 * gets back.
 */

export type CommandOutcome = { outcome: 'done' } | { outcome: 'refused'; reason: string };

const members = tables.campaignMembers;

/** Takes a member out of its campaign (Rejected); refused once it has finished. */
export async function rejectMember(db: Database, client: Client | undefined, memberId: string, reason = 'rejected by an administrator'): Promise<CommandOutcome> {
  const unstarted = await db.transaction(async (tx) => {
    const [row] = await tx
      .update(members)
      .set({ status: 'Rejected', statusChangedAt: sql`now()` })
      .where(and(eq(members.id, memberId), isNull(members.workflowStartedAt), eq(members.status, 'New')))
      .returning({ id: members.id, at: members.statusChangedAt });
    if (row) await recordStatusChange(tx, row.id, 'Rejected', row.at);
    return row;
  });
  if (unstarted) return { outcome: 'done' };
  const [member] = await db.select({ status: members.status, startedAt: members.workflowStartedAt }).from(members).where(eq(members.id, memberId));
  if (!member) return { outcome: 'refused', reason: 'no such member' };
  if (!member.startedAt) return { outcome: 'refused', reason: `the member has status ${member.status}` };
  if (!client) throw new Error('no Temporal client');
  const handle = client.workflow.getHandle(memberWorkflowId(memberId));
  try {
    await handle.executeUpdate(rejectUpdate, { args: [{ reason }] });
    return { outcome: 'done' };
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError && /no registered handler/i.test(error.cause?.message ?? '')) {
      // A member started before reject became an update knows only the signal.
      await handle.signal(rejectedSignal, { reason });
      return { outcome: 'done' };
    }
    if (error instanceof WorkflowUpdateFailedError) return { outcome: 'refused', reason: error.cause?.message ?? 'the member has finished' };
    if (error instanceof WorkflowNotFoundError) return { outcome: 'refused', reason: 'the member has finished' };
    throw error;
  }
}

/**
 * Takes a rejected member back into its campaign: a fresh lifecycle under the same workflow id
 * (its messages keyed apart from the old ones). A member never started goes back to New, for the
 * launch to start. Refused for a member that is not rejected.
 */
export async function reincludeMember(
  db: Database,
  client: Client | undefined,
  memberId: string,
  options: { taskQueue: string; campaignLaunched: boolean },
): Promise<CommandOutcome> {
  const [member] = await db.select().from(members).where(eq(members.id, memberId));
  if (!member) return { outcome: 'refused', reason: 'no such member' };
  if (member.status !== 'Rejected') return { outcome: 'refused', reason: `only a rejected member can be re-included (status is ${member.status})` };
  if (!member.workflowStartedAt) {
    await db.transaction(async (tx) => {
      const [row] = await tx
        .update(members)
        .set({ status: 'New', statusChangedAt: sql`now()` })
        .where(and(eq(members.id, memberId), eq(members.status, 'Rejected')))
        .returning({ id: members.id, at: members.statusChangedAt });
      if (row) await recordStatusChange(tx, row.id, 'New', row.at);
    });
    return { outcome: 'done' };
  }
  if (!options.campaignLaunched) return { outcome: 'refused', reason: 'the campaign is not running' };
  if (!client) throw new Error('no Temporal client');
  // The old lifecycle's counters are data of that lifecycle, not the new one's.
  await db.update(members).set({ remindersSent: 0, scheduledSendAt: null }).where(eq(members.id, memberId));
  await startMemberWorkflow(
    client,
    { memberId, campaignId: member.campaignId, contactId: member.contactId, reincluded: true },
    { taskQueue: options.taskQueue, restart: true },
  );
  return { outcome: 'done' };
}

/** Statuses a member is re-sent from: a fresh lifecycle with a new link. */
const RESENDABLE: ReadonlySet<MemberStatus> = new Set<MemberStatus>(['Email_Bounced', 'Expired']);

/**
 * Sends a finished member its survey again as a fresh lifecycle with a new link, started like a
 * re-inclusion (its messages keyed apart from the old ones): a bounced member once its contact's
 * address has changed (which clears the bounce), an expired one at any time. Refused for any
 * other member, and while the campaign is not running.
 */
export async function resendMember(
  db: Database,
  client: Client | undefined,
  memberId: string,
  options: { taskQueue: string; campaignLaunched: boolean },
): Promise<CommandOutcome> {
  const [row] = await db
    .select({ member: members, emailBouncedAt: tables.contacts.emailBouncedAt })
    .from(members)
    .innerJoin(tables.contacts, eq(tables.contacts.id, members.contactId))
    .where(eq(members.id, memberId));
  if (!row) return { outcome: 'refused', reason: 'no such member' };
  const { member } = row;
  if (!RESENDABLE.has(member.status)) return { outcome: 'refused', reason: `only a bounced or expired member can be re-sent (status is ${member.status})` };
  if (member.status === 'Email_Bounced' && row.emailBouncedAt) return { outcome: 'refused', reason: "the contact's address has not changed since it bounced" };
  if (!member.workflowStartedAt || !options.campaignLaunched) return { outcome: 'refused', reason: 'the campaign is not running' };
  if (!client) throw new Error('no Temporal client');
  await db.update(members).set({ remindersSent: 0, scheduledSendAt: null }).where(eq(members.id, memberId));
  await startMemberWorkflow(
    client,
    { memberId, campaignId: member.campaignId, contactId: member.contactId },
    { taskQueue: options.taskQueue, restart: true },
  );
  return { outcome: 'done' };
}

/**
 * Deletes a member that never started, of a campaign not yet launched (whose launch could
 * otherwise be starting it at this moment). After that, reject it instead.
 */
export async function removeMember(db: Database, memberId: string): Promise<CommandOutcome> {
  const deleted = await db
    .delete(members)
    .where(
      and(
        eq(members.id, memberId),
        isNull(members.workflowStartedAt),
        sql`exists (select 1 from ${tables.campaigns} c where c.id = ${members.campaignId} and c.launched_at is null)`,
      ),
    )
    .returning({ id: members.id });
  if (deleted.length > 0) return { outcome: 'done' };
  const [member] = await db.select({ id: members.id }).from(members).where(eq(members.id, memberId));
  return { outcome: 'refused', reason: member ? 'the member may have started: reject it instead' : 'no such member' };
}

/** Makes `employeeId` the frontline employee of the member's contact; done once, skipped when already so. */
export async function changeFrontlineEmployee(db: Database, memberId: string, employeeId: string): Promise<CommandOutcome> {
  const c = tables.contacts;
  const changed = await db
    .update(c)
    .set({ frontlineEmployeeId: employeeId })
    .where(
      and(
        sql`${c.id} = (select contact_id from ${members} where id = ${memberId}::uuid)`,
        sql`${c.frontlineEmployeeId} is distinct from ${employeeId}::uuid`,
      ),
    )
    .returning({ id: c.id });
  return changed.length > 0 ? { outcome: 'done' } : { outcome: 'refused', reason: 'already the frontline employee' };
}
