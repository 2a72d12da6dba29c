import { Context } from '@temporalio/activity';
import { and, asc, count, eq, gt, inArray, isNull, ne, sql } from 'drizzle-orm';
import { startMemberWorkflow } from '../campaigns/start-member';
import { tables, type Database } from '../db';

/** A timestamp parameter inside a raw SQL fragment (drivers differ on binding Date objects). */
const timestamptz = (date: Date) => sql`${date.toISOString()}::timestamptz`;

export interface MemberPageInput {
  campaignId: string;
  /** Member id after which this page starts (ids ascending). */
  after: string | null;
  limit: number;
}

export interface MemberPage {
  /** Members whose workflow was started (or found running) by this page. */
  started: number;
  /** Last member id of the page: the next page's cursor. */
  lastMemberId: string | null;
  done: boolean;
}

/** How many member starts one page activity keeps in flight against the Temporal frontend. */
const START_CONCURRENCY = 32;

export function createLaunchActivities(deps: { db: Database; memberTaskQueue?: string }) {
  const { db } = deps;
  const members = tables.campaignMembers;

  async function progress(campaignId: string): Promise<{ total: number; started: number }> {
    const [row] = await db
      .select({ total: count(), started: count(members.workflowStartedAt) })
      .from(members)
      .where(eq(members.campaignId, campaignId));
    return { total: row?.total ?? 0, started: row?.started ?? 0 };
  }

  return {
    /** Marks the campaign as launching; returns its member count. */
    async beginLaunch(input: { campaignId: string; at: string }): Promise<{ total: number; started: number }> {
      await db
        .update(tables.campaigns)
        .set({
          // Only a draft starts launching; a running, paused or closed campaign keeps its status.
          status: sql`case when ${tables.campaigns.status} = 'draft' then 'launching'::campaign_status else ${tables.campaigns.status} end`,
          launchedAt: sql`coalesce(${tables.campaigns.launchedAt}, ${timestamptz(new Date(input.at))})`,
        })
        .where(eq(tables.campaigns.id, input.campaignId));
      return progress(input.campaignId);
    },

    /**
     * Starts the workflows of one page of members that have none yet. Idempotent: a retried page
     * finds running members (USE_EXISTING) and leaves finished ones alone. Progress is the count
     * of members with `workflow_started_at`.
     */
    async startMemberPage(input: MemberPageInput): Promise<MemberPage> {
      const page = await db
        .select({ id: members.id, contactId: members.contactId, startedAt: members.workflowStartedAt, status: members.status })
        .from(members)
        .where(and(eq(members.campaignId, input.campaignId), input.after ? gt(members.id, input.after) : undefined))
        .orderBy(asc(members.id))
        .limit(input.limit);
      const toStart = page.filter((m) => m.startedAt === null && m.status !== 'Rejected');

      const context = Context.current();
      const taskQueue = deps.memberTaskQueue ?? context.info.taskQueue;
      let next = 0;
      const startOne = async (): Promise<void> => {
        while (next < toStart.length) {
          const member = toStart[next++]!;
          await startMemberWorkflow(
            context.client,
            { memberId: member.id, campaignId: input.campaignId, contactId: member.contactId },
            { taskQueue },
          );
          context.heartbeat(next);
        }
      };
      await Promise.all(Array.from({ length: Math.min(START_CONCURRENCY, toStart.length) }, startOne));

      if (toStart.length > 0) {
        await db
          .update(members)
          .set({ workflowStartedAt: sql`coalesce(${members.workflowStartedAt}, now())` })
          .where(inArray(members.id, toStart.map((m) => m.id)));
      }
      return {
        started: toStart.length,
        lastMemberId: page.at(-1)?.id ?? input.after,
        done: page.length < input.limit,
      };
    },

    /**
     * The campaign is live once every member has its workflow. `unstarted`: members still without
     * one (added behind the launch's cursor while it ran), for another sweep.
     */
    async finishLaunch(input: { campaignId: string }): Promise<{ total: number; started: number; unstarted: number }> {
      const [waiting] = await db
        .select({ n: count() })
        .from(members)
        .where(and(eq(members.campaignId, input.campaignId), isNull(members.workflowStartedAt), ne(members.status, 'Rejected')));
      const unstarted = waiting?.n ?? 0;
      if (unstarted === 0) {
        await db
          .update(tables.campaigns)
          .set({ status: 'active' })
          .where(and(eq(tables.campaigns.id, input.campaignId), eq(tables.campaigns.status, 'launching')));
      }
      return { ...(await progress(input.campaignId)), unstarted };
    },
  };
}

