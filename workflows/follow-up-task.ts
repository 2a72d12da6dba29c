import { condition, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  EMAIL_ACTIVITY_OPTIONS,
  emailTaskQueue,
  followUpClosedSignal,
  type FollowUpOutcome,
  type FollowUpTaskInput,
} from './definitions';

const { loadFollowUpTask } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

/**
 * A detractor's feedback call, watched until its due date: closed in time, nothing more happens;
 * still open when due, the assignee is told it is overdue.
 */
export async function followUpTask(input: FollowUpTaskInput): Promise<FollowUpOutcome> {
  const { notifyEmployee } = proxyActivities<Activities>({ ...EMAIL_ACTIVITY_OPTIONS, taskQueue: emailTaskQueue(workflowInfo().taskQueue) });
  let closed = false;
  setHandler(followUpClosedSignal, () => {
    closed = true;
  });

  const task = await loadFollowUpTask({ taskId: input.taskId });
  if (task.status !== 'open') return { taskId: input.taskId, outcome: 'closed' };

  const untilDue = Date.parse(task.dueAt) - Date.now();
  if (untilDue > 0 && (await condition(() => closed, untilDue))) return { taskId: input.taskId, outcome: 'closed' };

  // Due: the database is the truth (a task closed without a signal counts as closed).
  const now = await loadFollowUpTask({ taskId: input.taskId });
  if (now.status !== 'open') return { taskId: input.taskId, outcome: 'closed' };
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
