import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleOptionsStartWorkflowAction, type ScheduleSpec } from '@temporalio/client';
import type { RetentionPeriods } from '../domain/retention';
import type { retention } from '../workflows/retention';

export const RETENTION_SCHEDULE_ID = 'retention';

/** Every day at 03:15 UTC, a quiet hour in Europe. */
const DAILY: ScheduleSpec = { calendars: [{ hour: 3, minute: 15, comment: 'daily retention run' }] };

/**
 * Creates the daily retention schedule, or brings an existing one up to date with this process's
 * periods and task queue (keeping its state: an operator's pause in the Temporal UI stays).
 * Called at every worker start, so it is idempotent; two processes starting at once both end
 * with one schedule.
 */
export async function ensureRetentionSchedule(client: Client, options: { taskQueue: string; periods: RetentionPeriods }): Promise<void> {
  const action: ScheduleOptionsStartWorkflowAction<typeof retention> = {
    type: 'startWorkflow',
    workflowType: 'retention',
    workflowId: 'retention',
    taskQueue: options.taskQueue,
    args: [{ periods: options.periods }],
  };
  const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' };
  try {
    await client.schedule.create({ scheduleId: RETENTION_SCHEDULE_ID, spec: DAILY, action, policies });
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    await client.schedule.getHandle(RETENTION_SCHEDULE_ID).update<typeof retention>((previous) => ({ ...previous, spec: DAILY, action, policies }));
  }
}
