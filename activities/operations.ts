import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { and, asc, count, eq, gt, inArray, sql, type SQL } from 'drizzle-orm';
import { isLaunched, oweLaunchRequest } from '../campaigns/add-members';
import { memberFilterCondition, type MemberFilter } from '../campaigns/member-filter';
import { changeFrontlineEmployee, rejectMember, reincludeMember, removeMember, resendMember, type CommandOutcome } from '../campaigns/member-commands';
import { countSegment, insertSegmentMembers, type Segment } from '../campaigns/segments';
import { deliverOwed } from '../signals/owed-signals';
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

/** Contacts one page of an add_members operation inserts in one statement. */
const ADD_PAGE_SIZE = 5000;

/** The segment and the moment it is evaluated at, as requestOperation stored them. */
function segmentParams(params: unknown): { segment: Segment; at: Date } {
  const { segment, at } = params as { segment: Segment; at: string };
  return { segment, at: new Date(at) };
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

  /** The operation's members: chosen by id, by the member list's filter (as it holds page by page), or all. */
  const targetOf = (operation: Awaited<ReturnType<typeof loadOperation>>): SQL | undefined => {
    const { filter } = (operation.params ?? {}) as { filter?: MemberFilter };
    return and(
      eq(members.campaignId, operation.campaignId),
      operation.memberIds ? inArray(members.id, operation.memberIds) : undefined,
      filter ? memberFilterCondition(filter) : undefined,
    );
  };

  /** The administrator's command a bulk action applies to each member; undefined for campaign-wide kinds. */
  function commandFor(
    client: Client,
    taskQueue: string,
    operation: { kind: OperationKind; params: unknown; campaignLaunched: boolean },
  ): ((memberId: string) => Promise<CommandOutcome>) | undefined {
    const launched = { taskQueue, campaignLaunched: operation.campaignLaunched };
    switch (operation.kind) {
      case 'reject':
        return (id) => rejectMember(db, client, id);
      case 'reinclude':
        return (id) => reincludeMember(db, client, id, launched);
      case 'resend':
        return (id) => resendMember(db, client, id, launched);
      case 'remove':
        return (id) => removeMember(db, id);
      case 'change_frontline_employee': {
        const { frontlineEmployeeId } = operation.params as { frontlineEmployeeId: string };
        return (id) => changeFrontlineEmployee(db, id, frontlineEmployeeId);
      }
      default:
        return undefined;
    }
  }

  /** What one member's workflow is told, and how it answered. */
  async function apply(
    client: Client,
    taskQueue: string,
    operation: { kind: OperationKind; params: unknown; campaignLaunched: boolean },
    member: { id: string; status: MemberStatus; startedAt: Date | null },
  ): Promise<MemberOutcome> {
    const { kind } = operation;
    const command = commandFor(client, taskQueue, operation);
    if (command) {
      const outcome = await command(member.id);
      return outcome.outcome === 'done' ? { result: 'done' } : { result: 'skipped', detail: outcome.reason };
    }
    if (!(kind in SIGNAL_FOR) && kind !== 'change_settings') throw new Error(`operation kind ${kind} is not applied per member`);
    if (!member.startedAt) return { result: 'skipped', detail: 'not started' };
    if (isTerminalStatus(member.status)) return { result: 'skipped', detail: `finished with status ${member.status}` };
    const handle = client.workflow.getHandle(memberWorkflowId(member.id));
    try {
      if (kind === 'change_settings') await handle.executeUpdate(changeSettingsUpdate, { args: [operation.params as ChangeSettingsInput] });
      else await handle.signal(SIGNAL_FOR[kind as keyof typeof SIGNAL_FOR]);
      return { result: 'done' };
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return { result: 'skipped', detail: 'finished' };
      if (error instanceof WorkflowUpdateFailedError) return { result: 'skipped', detail: error.cause?.message ?? 'refused' };
      return { result: 'failed', detail: error instanceof Error ? error.message.slice(0, 500) : String(error) };
    }
  }

  /**
   * One page of an add_members operation: a set-based insert of the segment's next contacts (in
   * contact id order, the page's cursor), larger than the workflow's page of per-member work.
   * Members added to a launched campaign are started by its launch, asked for with the page.
   */
  async function addSegmentPage(operation: Awaited<ReturnType<typeof loadOperation>>, after: string | null): Promise<OperationPage> {
    const { segment, at } = segmentParams(operation.params);
    const [campaign] = await db.select().from(tables.campaigns).where(eq(tables.campaigns.id, operation.campaignId));
    if (!campaign) throw new Error(`campaign ${operation.campaignId} does not exist`);
    const { page, owed } = await db.transaction(async (tx) => {
      const page = await insertSegmentMembers(tx, campaign.id, segment, at, { after, limit: ADD_PAGE_SIZE, operationId: operation.id });
      const owed = page.added > 0 && isLaunched(campaign) ? [await oweLaunchRequest(tx, campaign.id)] : [];
      return { page, owed };
    });
    const context = Context.current();
    await deliverOwed(db, { client: context.client, taskQueue: deps.memberTaskQueue ?? context.info.taskQueue }, owed);
    return { lastMemberId: page.lastContactId ?? after, done: page.matched < ADD_PAGE_SIZE };
  }

  return {
    /** Counts the members the operation applies to. */
    async beginOperation(input: { operationId: string }): Promise<{ total: number }> {
      const operation = await loadOperation(input.operationId);
      let total: number;
      if (operation.kind === 'add_members') {
        const { segment, at } = segmentParams(operation.params);
        total = await countSegment(db, segment, at);
      } else {
        const [row] = await db.select({ n: count() }).from(members).where(targetOf(operation));
        total = row?.n ?? 0;
      }
      await db.update(tables.operations).set({ total }).where(eq(tables.operations.id, input.operationId));
      return { total };
    },

    /**
     * Applies the operation to one page of members and records each result once; a retried page
     * skips the members it already recorded.
     */
    async runOperationPage(input: OperationPageInput): Promise<OperationPage> {
      const operation = await loadOperation(input.operationId);
      if (operation.kind === 'add_members') return addSegmentPage(operation, input.after);
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
