import { ApplicationFailure, allHandlersFinished, condition, patched, proxyActivities, setHandler, uuid4, workflowInfo } from '@temporalio/workflow';
import type { Activities, FollowUpChange, FollowUpTaskState } from '../activities';
import {
  escalationAt,
  refuseFollowUpCommand,
  type CloseFollowUp,
  type CommandNote,
  type FollowUpActor,
  type ReassignFollowUp,
  type ReopenFollowUp,
} from '../domain/follow-up';
import { followUpTaskBeforeLifecycle } from './follow-up-task-before-lifecycle';
import {
  changeFollowUpDueDateUpdate,
  closeFollowUpUpdate,
  EMAIL_ACTIVITY_OPTIONS,
  RECORDS_ACTIVITY_OPTIONS,
  emailTaskQueue,
  followUpCreatedSignal,
  followUpNotedSignal,
  followUpStateQuery,
  reassignFollowUpUpdate,
  reopenFollowUpUpdate,
  startFollowUpUpdate,
  type FollowUpOutcome,
  type FollowUpTaskInput,
  type FollowUpTaskView,
} from './definitions';

const records = proxyActivities<Activities>(RECORDS_ACTIVITY_OPTIONS);

/** Runs started before tasks had a lifecycle keep their own; see docs/workflow-versioning.md. */
export const FOLLOW_UP_LIFECYCLE_PATCH = 'follow-up-lifecycle';
/** A closed task's workflow waits this long for a reopen; a later reopen starts a fresh run. */
const REOPEN_WINDOW = '90 days';

type Command = Parameters<typeof refuseFollowUpCommand>[0];

/**
 * A follow-up task's life: the assignee is told of it, told again when it falls due, and the
 * escalation contact is told when it is still open `escalationDays` later; people start it,
 * write notes, reassign it, move its due day, close it with an outcome and reopen it. This
 * workflow alone writes the task's status, assignee, due date, outcome and escalation.
 */
export async function followUpTask(input: FollowUpTaskInput): Promise<FollowUpOutcome> {
  if (!patched(FOLLOW_UP_LIFECYCLE_PATCH)) return followUpTaskBeforeLifecycle(input);

  const workflowId = workflowInfo().workflowId;
  const mail = proxyActivities<Activities>({ ...EMAIL_ACTIVITY_OPTIONS, taskQueue: emailTaskQueue(workflowInfo().taskQueue) });
  let task: FollowUpTaskState | undefined;
  /** One change at a time: handlers and the main loop each read and write the task. */
  let busy = false;

  async function exclusive<T>(work: () => Promise<T>): Promise<T> {
    await condition(() => !busy);
    busy = true;
    try {
      return await work();
    } finally {
      busy = false;
    }
  }

  const view = (): FollowUpTaskView => ({
    taskId: task!.taskId,
    kind: task!.kind,
    status: task!.status,
    assigneeEmployeeId: task!.assigneeEmployeeId,
    dueDate: task!.dueDate,
    dueAt: task!.dueAt,
    escalatedAt: task!.escalatedAt,
    outcome: task!.outcome,
  });

  async function record(change: Omit<FollowUpChange, 'taskId' | 'at' | 'changeId'>): Promise<void> {
    task = await records.recordFollowUpChange({ ...change, taskId: input.taskId, changeId: uuid4(), at: new Date(Date.now()).toISOString() });
  }

  /** `n` defaults to the task's revision (reassignments, due-day changes, reopens): each may tell again. */
  async function tell(
    kind: 'follow_up_assigned' | 'detractor_notice' | 'follow_up_overdue' | 'follow_up_escalated',
    employeeId: string | null,
    n = task!.revision,
  ): Promise<void> {
    if (!employeeId) return;
    await mail.notifyAboutTask({
      kind,
      taskId: input.taskId,
      employeeId,
      idempotencyKey: `${workflowId}:${kind}:${n}`,
      at: new Date(Date.now()).toISOString(),
    });
  }

  /**
   * An update's handler: checked against the task as loaded (the validator may have run before
   * the task was read), applied one at a time, answered with the task as it is then.
   */
  function command<Input>(name: Command, apply: (request: Input) => Promise<void>) {
    return {
      handler: async (request: Input): Promise<FollowUpTaskView> => {
        await condition(() => task !== undefined);
        return exclusive(async () => {
          const refused = refuseFollowUpCommand(name, request, task!);
          if (refused) throw ApplicationFailure.nonRetryable(refused, 'FollowUpCommandRefused');
          await apply(request);
          return view();
        });
      },
      validator: (request: Input): void => {
        const refused = refuseFollowUpCommand(name, request, task ?? { status: name === 'reopen' ? 'closed' : 'open', assigneeEmployeeId: null });
        if (refused) throw new Error(refused);
      },
    };
  }

  const actor = (by: FollowUpActor) => ({ actorEmployeeId: by.employeeId, actorName: by.name });
  /** The note travels by id; commands given before that carry its text. */
  const noteOf = (request: CommandNote) => (request.noteId ? { noteId: request.noteId } : { note: request.note });

  setHandler(followUpCreatedSignal, () => undefined);
  setHandler(followUpStateQuery, () => {
    if (!task) throw new Error('the task is being loaded');
    return view();
  });
  {
    const { handler, validator } = command('start', async (request: { by: FollowUpActor }) => {
      await record({ status: 'in_progress', firstAction: true, event: { kind: 'started', ...actor(request.by) } });
    });
    setHandler(startFollowUpUpdate, handler, { validator });
  }
  setHandler(followUpNotedSignal, async (note) => {
    await condition(() => task !== undefined);
    await exclusive(async () => {
      if (task!.status === 'closed' || (task!.status === 'in_progress' && task!.firstActionAt)) return;
      await record({ status: 'in_progress', firstAction: true, event: { kind: 'started', ...actor(note.by), details: { byNote: note.noteId } } });
    });
  });
  {
    const { handler, validator } = command('reassign', async (request: ReassignFollowUp) => {
      const from = task!.assigneeEmployeeId;
      await record({
        assigneeEmployeeId: request.assigneeEmployeeId,
        firstAction: true,
        event: { kind: 'reassigned', ...noteOf(request), ...actor(request.by), details: { from, to: request.assigneeEmployeeId } },
      });
      await tell('follow_up_assigned', task!.assigneeEmployeeId);
    });
    setHandler(reassignFollowUpUpdate, handler, { validator });
  }
  {
    const { handler, validator } = command('changeDueDate', async (request: { by: FollowUpActor; dueDate: string }) => {
      const from = task!.dueDate;
      await record({ dueDate: request.dueDate, event: { kind: 'due_date_changed', ...actor(request.by), details: { from, to: request.dueDate } } });
    });
    setHandler(changeFollowUpDueDateUpdate, handler, { validator });
  }
  {
    const { handler, validator } = command('close', async (request: CloseFollowUp) => {
      await record({
        status: 'closed',
        outcome: request.outcome,
        firstAction: true,
        event: { kind: 'closed', ...noteOf(request), ...actor(request.by), details: { outcome: request.outcome } },
      });
    });
    setHandler(closeFollowUpUpdate, handler, { validator });
  }
  {
    const { handler, validator } = command('reopen', async (request: ReopenFollowUp) => {
      await record({
        status: 'open',
        reopened: true,
        ...(request.dueDate ? { dueDate: request.dueDate } : {}),
        event: { kind: 'reopened', ...noteOf(request), ...actor(request.by), details: request.dueDate ? { dueDate: request.dueDate } : {} },
      });
    });
    setHandler(reopenFollowUpUpdate, handler, { validator });
  }

  task = await records.loadFollowUpTask({ taskId: input.taskId });
  // The assignee hears of a new task once (its fixed key makes a later run's call a no-op).
  if (task.status !== 'closed') await tell(task.kind === 'feedback_call' ? 'detractor_notice' : 'follow_up_assigned', task.assigneeEmployeeId, 0);

  /** Whether the due and escalation notices of the task's current revision went out. */
  let dueToldAt = -1;
  let escalatedAt = -1;
  for (;;) {
    if (task.status === 'closed') {
      const reopened = await condition(() => task!.status !== 'closed' && !busy, REOPEN_WINDOW);
      if (reopened) continue;
      await condition(allHandlersFinished);
      return { taskId: input.taskId, outcome: 'closed' };
    }
    const revision = task.revision;
    const changed = () => task!.revision !== revision || task!.status === 'closed';
    const dueAt = Date.parse(task.dueAt);
    const next = dueToldAt !== revision ? dueAt : escalatedAt !== revision ? escalationAt(dueAt, task.escalationDays) : null;
    if (next === null) {
      await condition(changed);
      continue;
    }
    if (next > Date.now() && (await condition(changed, next - Date.now()))) continue;
    // Due or past its escalation: unless closed or changed meanwhile (checked under the lock).
    await exclusive(async () => {
      if (changed()) return;
      if (dueToldAt !== revision) {
        dueToldAt = revision;
        await tell('follow_up_overdue', task!.assigneeEmployeeId);
      } else {
        escalatedAt = revision;
        await record({ escalated: true, event: { kind: 'escalated', details: { to: task!.escalateToEmployeeId } } });
        await tell('follow_up_escalated', task!.escalateToEmployeeId);
      }
    });
  }
}
