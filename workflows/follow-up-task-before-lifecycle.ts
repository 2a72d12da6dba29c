import { condition, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { EMAIL_ACTIVITY_OPTIONS, RECORDS_ACTIVITY_OPTIONS, emailTaskQueue, followUpClosedSignal, type FollowUpOutcome, type FollowUpTaskInput } from './definitions';

const { loadFollowUpTask } = proxyActivities<Activities>(RECORDS_ACTIVITY_OPTIONS);

/** Histories of before the lifecycle hold 'done' and 'cancelled': everything not open is closed. */
const stillOpen = (status: string) => status === 'open' || status === 'in_progress';

/**
 * Frozen: the follow-up workflow as it was before tasks got their lifecycle (patch
 * `follow-up-lifecycle`). Runs started then keep to it: watched until the due date, the assignee
 * told when still open, closed through the API's `followUpClosed` signal.
 */
export async function followUpTaskBeforeLifecycle(input: FollowUpTaskInput): Promise<FollowUpOutcome> {
  const { notifyEmployee } = proxyActivities<Activities>({ ...EMAIL_ACTIVITY_OPTIONS, taskQueue: emailTaskQueue(workflowInfo().taskQueue) });
  let closed = false;
  setHandler(followUpClosedSignal, () => {
    closed = true;
  });

  const task = await loadFollowUpTask({ taskId: input.taskId });
  if (!stillOpen(task.status)) return { taskId: input.taskId, outcome: 'closed' };

  const untilDue = Date.parse(task.dueAt) - Date.now();
  if (untilDue > 0 && (await condition(() => closed, untilDue))) return { taskId: input.taskId, outcome: 'closed' };

  const now = await loadFollowUpTask({ taskId: input.taskId });
  if (!stillOpen(now.status)) return { taskId: input.taskId, outcome: 'closed' };
  if (now.memberId && now.assigneeEmployeeId) {
    await notifyEmployee({
      kind: 'follow_up_overdue',
      idempotencyKey: `${workflowInfo().workflowId}:follow_up_overdue:0`,
      memberId: now.memberId,
      employeeId: now.assigneeEmployeeId,
      taskSubject: now.subject,
      dueAt: now.dueAt,
      at: new Date(Date.now()).toISOString(),
    });
  }
  return { taskId: input.taskId, outcome: 'overdue' };
}
