import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { and, asc, count, eq, gt, inArray, sql, type SQL } from 'drizzle-orm';
import { rejectMember, reincludeMember } from '../campaigns/member-commands';
import { tables, type Database } from '../db';
import { isTerminalStatus, type MemberStatus } from '../domain/member-status';
import type { OperationItemResult, OperationKind } from '../operations';
import {
  campaignClosedSignal,
  campaignPausedSignal,
  campaignResumedSignal,
  changeSettingsUpdate,
  memberWorkflowId,
  type ChangeSettingsInput,
} from '../workflows/definitions';

export interface OperationPageInput {
  operationId: string;
  /** Member id after which this page starts (ids ascending). */
  after: string | null;
  limit: number;
}

export interface OperationPage {
  lastMemberId: string | null;
  done: boolean;
}

interface MemberOutcome {
  result: OperationItemResult;
  detail?: string;
}

/** Members a page works on at once against the Temporal frontend. */
const CONCURRENCY = 16;

const SIGNAL_FOR = { pause: campaignPausedSignal, resume: campaignResumedSignal, close: campaignClosedSignal } as const;

export function createOperationActivities(deps: { db: Database; memberTaskQueue?: string }) {
  const { db } = deps;
  const members = tables.campaignMembers;
  const items = tables.operationItems;

  async function loadOperation(operationId: string) {
    const [operation] = await db.select().from(tables.operations).where(eq(tables.operations.id, operationId));
    if (!operation) throw new Error(`operation ${operationId} does not exist`);
    return operation;
  }

  const targetOf = (operation: Awaited<ReturnType<typeof loadOperation>>): SQL | undefined =>
    and(eq(members.campaignId, operation.campaignId), operation.memberIds ? inArray(members.id, operation.memberIds) : undefined);

  /** What one member's workflow is told, and how it answered. */
  async function apply(
    client: Client,
    taskQueue: string,
    operation: { kind: OperationKind; params: unknown; campaignLaunched: boolean },
    member: { id: string; status: MemberStatus; startedAt: Date | null },
  ): Promise<MemberOutcome> {
    const { kind } = operation;
    if (kind === 'reject') {
      const outcome = await rejectMember(db, client, member.id);
      return outcome.outcome === 'done' ? { result: 'done' } : { result: 'skipped', detail: outcome.reason };
    }
    if (kind === 'reinclude') {
      const outcome = await reincludeMember(db, client, member.id, { taskQueue, campaignLaunched: operation.campaignLaunched });
      return outcome.outcome === 'done' ? { result: 'done' } : { result: 'skipped', detail: outcome.reason };
    }
    if (!member.startedAt) return { result: 'skipped', detail: 'not started' };
    if (isTerminalStatus(member.status)) return { result: 'skipped', detail: `finished with status ${member.status}` };
    const handle = client.workflow.getHandle(memberWorkflowId(member.id));
    try {
      if (kind === 'change_settings') await handle.executeUpdate(changeSettingsUpdate, { args: [operation.params as ChangeSettingsInput] });
      else await handle.signal(SIGNAL_FOR[kind]);
      return { result: 'done' };
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return { result: 'skipped', detail: 'finished' };
      if (error instanceof WorkflowUpdateFailedError) return { result: 'skipped', detail: error.cause?.message ?? 'refused' };
      return { result: 'failed', detail: error instanceof Error ? error.message.slice(0, 500) : String(error) };
    }
  }

  return {
    /** Counts the members the operation applies to. */
    async beginOperation(input: { operationId: string }): Promise<{ total: number }> {
      const operation = await loadOperation(input.operationId);
      const [row] = await db.select({ n: count() }).from(members).where(targetOf(operation));
      const total = row?.n ?? 0;
      await db.update(tables.operations).set({ total }).where(eq(tables.operations.id, input.operationId));
      return { total };
    },

    /**
     * Applies the operation to one page of members and records each result once; a retried page
     * skips the members it already recorded.
     */
    async runOperationPage(input: OperationPageInput): Promise<OperationPage> {
      const operation = await loadOperation(input.operationId);
      const [campaign] = await db.select({ launchedAt: tables.campaigns.launchedAt, status: tables.campaigns.status }).from(tables.campaigns).where(eq(tables.campaigns.id, operation.campaignId));
      const page = await db
        .select({ id: members.id, status: members.status, startedAt: members.workflowStartedAt })
        .from(members)
        .where(and(targetOf(operation), input.after ? gt(members.id, input.after) : undefined))
        .orderBy(asc(members.id))
        .limit(input.limit);
      const recorded = page.length
        ? await db
            .select({ memberId: items.memberId })
            .from(items)
            .where(and(eq(items.operationId, operation.id), inArray(items.memberId, page.map((m) => m.id))))
        : [];
      const seen = new Set(recorded.map((r) => r.memberId));
      const todo = page.filter((m) => !seen.has(m.id));

      const context = Context.current();
      const taskQueue = deps.memberTaskQueue ?? context.info.taskQueue;
      const details = {
        kind: operation.kind,
        params: operation.params,
        campaignLaunched: campaign?.launchedAt != null && campaign.status !== 'closed',
      };
      let next = 0;
      const lane = async () => {
        while (next < todo.length) {
          const member = todo[next++]!;
          const outcome = await apply(context.client, taskQueue, details, member);
          await db
            .insert(items)
            .values({ operationId: operation.id, memberId: member.id, result: outcome.result, detail: outcome.detail ?? null })
            .onConflictDoNothing();
          context.heartbeat(next);
        }
      };
      await Promise.all(Array.from({ length: Math.min(CONCURRENCY, todo.length) }, lane));
      return { lastMemberId: page.at(-1)?.id ?? input.after, done: page.length < input.limit };
    },

    /** Marks the operation done. */
    async finishOperation(input: { operationId: string }): Promise<void> {
      await db
        .update(tables.operations)
        .set({ status: 'done', finishedAt: sql`coalesce(${tables.operations.finishedAt}, now())` })
        .where(eq(tables.operations.id, input.operationId));
    },
  };
}
