import { continueAsNew, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { launchRequestedSignal, type CampaignLaunchInput, type LaunchProgress } from './definitions';

const { beginLaunch, finishLaunch } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  scheduleToCloseTimeout: '1 day',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});
const { startMemberPage } = proxyActivities<Activities>({
  startToCloseTimeout: '15 minutes',
  heartbeatTimeout: '1 minute',
  scheduleToCloseTimeout: '1 day',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

export const DEFAULT_LAUNCH_PAGE_SIZE = 500;

/**
 * Launching a campaign: start one member workflow per member, a page at a time, continuing as
 * new between pages so the history stays small whatever the campaign's size. Every step is
 * idempotent, so a crash or a second launch never starts a member twice.
 */
export async function campaignLaunch(input: CampaignLaunchInput): Promise<LaunchProgress> {
  const { campaignId } = input;
  const pageSize = input.pageSize ?? DEFAULT_LAUNCH_PAGE_SIZE;
  const progress: LaunchProgress = { campaignId, started: input.started ?? 0, total: input.total ?? null, done: false };
  // Members added after the launch ask for it (signal-with-start); the sweep below finds them.
  setHandler(launchRequestedSignal, () => {});

  if (input.cursor === undefined) {
    const begun = await beginLaunch({ campaignId, at: new Date(Date.now()).toISOString() });
    progress.total = begun.total;
  }

  const page = await startMemberPage({ campaignId, after: input.cursor ?? null, limit: pageSize });
  progress.started += page.started;

  if (!page.done && page.lastMemberId) {
    await continueAsNew<typeof campaignLaunch>({
      campaignId,
      pageSize,
      cursor: page.lastMemberId,
      started: progress.started,
      ...(progress.total !== null ? { total: progress.total } : {}),
    });
  }

  const finished = await finishLaunch({ campaignId });
  if ((finished.unstarted ?? 0) > 0) {
    // Members were added behind the cursor while this launch ran: sweep once more.
    await continueAsNew<typeof campaignLaunch>({ campaignId, pageSize, started: progress.started, total: finished.total });
  }
  progress.total = finished.total;
  progress.done = true;
  return { ...progress };
}
