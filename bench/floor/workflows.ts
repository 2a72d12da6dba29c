import { proxyActivities, proxyLocalActivities, sleep, workflowInfo } from '@temporalio/workflow';

/** No-op stand-ins for the member's steps before the email outbox. */
export interface FloorActivities {
  loadContext(): Promise<void>;
  createInvitation(): Promise<void>;
  sendEmail(): Promise<void>;
  recordStatus(): Promise<void>;
}

/**
 * The launch benchmark's floor: the shape of an invited member before the email outbox (start,
 * two local activities, one activity on a second task queue, a status write, a reminder timer)
 * with activities that do nothing, so what it costs is the shape alone.
 */
export async function floorMember(): Promise<void> {
  const local = proxyLocalActivities<FloorActivities>({ startToCloseTimeout: '1 minute' });
  const email = proxyActivities<FloorActivities>({ startToCloseTimeout: '1 minute', taskQueue: `${workflowInfo().taskQueue}-email` });
  await local.loadContext();
  await local.createInvitation();
  await email.sendEmail();
  await local.recordStatus();
  await sleep('7 days');
}
