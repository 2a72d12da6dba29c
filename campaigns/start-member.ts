import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowIdConflictPolicy,
  WorkflowIdReusePolicy,
  type Client,
} from '@temporalio/client';
import type { CampaignLaunchInput, CampaignMemberInput } from '../workflows/definitions';
import { launchWorkflowId, memberWorkflowId } from '../workflows/definitions';
import { CampaignIdAttribute, ContactIdAttribute, MemberStatusAttribute } from '../workflows/search-attributes';
import type { campaignLaunch, campaignMember } from '../workflows';

export interface StartMemberOptions {
  taskQueue: string;
  /**
   * Start a new run even when the member's previous workflow has closed (reinclusion of a
   * rejected member). Off by default: a second launch never re-invites a finished member.
   */
  restart?: boolean;
}

export interface StartedMember {
  workflowId: string;
  /** The running (new or existing) run; undefined when the member's workflow has already closed. */
  runId: string | undefined;
  /** True when the member's workflow had already finished and was left alone. */
  alreadyClosed: boolean;
}

/**
 * Starts one member's lifecycle; idempotent: a running workflow with the member's id is reused,
 * and a closed one is not run again unless `restart` is set. Used by always-on campaigns (one
 * call per added member) and by the launch workflow's page activity.
 */
export async function startMemberWorkflow(
  client: Client,
  input: CampaignMemberInput,
  options: StartMemberOptions,
): Promise<StartedMember> {
  const workflowId = memberWorkflowId(input.memberId);
  try {
    const handle = await client.workflow.start<typeof campaignMember>('campaignMember', {
      workflowId,
      taskQueue: options.taskQueue,
      args: [input],
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      workflowIdReusePolicy: options.restart ? WorkflowIdReusePolicy.ALLOW_DUPLICATE : WorkflowIdReusePolicy.REJECT_DUPLICATE,
      typedSearchAttributes: [
        { key: CampaignIdAttribute, value: input.campaignId },
        { key: ContactIdAttribute, value: input.contactId },
        { key: MemberStatusAttribute, value: 'New' },
      ],
    });
    return { workflowId, runId: handle.firstExecutionRunId, alreadyClosed: false };
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return { workflowId, runId: undefined, alreadyClosed: true };
    throw error;
  }
}

/**
 * Starts (or joins) a campaign's launch. A launch that already finished runs again, which only
 * starts members added since: finished members are never re-invited.
 */
export async function startCampaignLaunch(
  client: Client,
  input: { campaignId: string; pageSize?: number },
  options: { taskQueue: string },
): Promise<{ workflowId: string; runId: string }> {
  const workflowId = launchWorkflowId(input.campaignId);
  const args: CampaignLaunchInput = { campaignId: input.campaignId, ...(input.pageSize ? { pageSize: input.pageSize } : {}) };
  const handle = await client.workflow.start<typeof campaignLaunch>('campaignLaunch', {
    workflowId,
    taskQueue: options.taskQueue,
    args: [args],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    typedSearchAttributes: [{ key: CampaignIdAttribute, value: input.campaignId }],
  });
  return { workflowId, runId: handle.firstExecutionRunId };
}
